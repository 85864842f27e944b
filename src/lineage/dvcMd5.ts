import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';

/** DVC decides "text" from the first block: no NUL byte and at most 30% other than printable ASCII and \n\r\t\f\b. */
const TEXT_BLOCK_BYTES = 512;
/** DVC's `_fobj_md5` reads 2**20 bytes at a time. */
const DVC_CHUNK = 1024 * 1024;

/**
 * The md5 DVC records for a file. DVC 3 entries (`hash: md5`) hash the raw bytes. Entries written by
 * DVC 2.x carry no `hash` field and use what DVC 3 calls `md5-dos2unix`: a file that looks like text
 * (DVC's `istextblock` on its first 512 bytes) is hashed with every CRLF turned into LF, so the same
 * text checked out on Windows and on Linux hashes the same; binary files are hashed raw.
 */
export async function dvcMd5(file: string, algorithm: 'md5' | 'md5-dos2unix'): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const hash = createHash('md5');
    const buffer = Buffer.alloc(DVC_CHUNK);
    let dos2unix: boolean | undefined;
    for (let position = 0; ; ) {
      const chunk = await readFull(handle, buffer, position);
      if (chunk.length === 0) break;
      dos2unix ??= algorithm === 'md5-dos2unix' && isTextBlock(chunk.subarray(0, TEXT_BLOCK_BYTES));
      // DVC turns CRLF into LF within each 1 MiB read, so a CRLF split across two reads stays as it is.
      hash.update(dos2unix ? withoutCRLF(chunk) : chunk);
      position += chunk.length;
    }
    return hash.digest('hex');
  } finally {
    await handle.close();
  }
}

/** Exactly DVC_CHUNK bytes from `position` (fewer only at the end), as Python's file.read(n) gives. */
async function readFull(handle: FileHandle, buffer: Buffer, position: number): Promise<Buffer> {
  let filled = 0;
  while (filled < buffer.length) {
    const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

/** The hash name a DVC entry asks for: `hash: md5` (DVC 3), none (DVC 2.x, md5-dos2unix). */
export function dvcHashName(entry: Record<string, unknown>): 'md5' | 'md5-dos2unix' {
  return entry.hash === 'md5' ? 'md5' : 'md5-dos2unix';
}

export function isTextBlock(block: Buffer): boolean {
  if (block.length === 0) return true;
  if (block.includes(0)) return false;
  let nonText = 0;
  for (const byte of block) {
    const text = (byte >= 32 && byte < 127) || byte === 0x0a || byte === 0x0d || byte === 0x09 || byte === 0x0c || byte === 0x08;
    if (!text) nonText++;
  }
  return nonText / block.length <= 0.3;
}

function withoutCRLF(chunk: Buffer): Buffer {
  let at = chunk.indexOf('\r\n');
  if (at < 0) return chunk;
  const parts: Buffer[] = [];
  let start = 0;
  while (at >= 0) {
    parts.push(chunk.subarray(start, at));
    start = at + 1; // keep the '\n'
    at = chunk.indexOf('\r\n', start);
  }
  parts.push(chunk.subarray(start));
  return Buffer.concat(parts);
}
