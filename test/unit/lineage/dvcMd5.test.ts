import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { dvcMd5, isTextBlock } from '../../../src/lineage/dvcMd5';
import { useTempFolders } from '../../support/tempFolders';

const tempFolder = useTempFolders();

/**
 * DVC's md5 computed with Python's hashlib by DVC's own rule (dvc/utils `file_md5`): a file is text
 * when its first 512 bytes hold no NUL and at most 30% bytes outside printable ASCII and \n\r\t\f\b;
 * md5-dos2unix then replaces CRLF by LF in each 2**20-byte read; md5 hashes the raw bytes.
 */
const TRUTH = String.raw`
import hashlib, json, sys
TEXT = bytes(range(32, 127)) + b'\n\r\t\f\b'
def is_text(block):
    if not block: return True
    if b'\x00' in block: return False
    return len(block.translate(None, TEXT)) / len(block) <= 0.30
data = open(sys.argv[1], 'rb').read()
h = hashlib.md5()
text = is_text(data[:512])
for i in range(0, len(data), 2**20):
    chunk = data[i:i + 2**20]
    h.update(chunk.replace(b'\r\n', b'\n') if text else chunk)
print(json.dumps({'legacy': h.hexdigest(), 'raw': hashlib.md5(data).hexdigest(), 'text': text}))
`;

function truth(file: string): { legacy: string; raw: string; text: boolean } {
  return JSON.parse(execFileSync('python3', ['-c', TRUTH, file], { encoding: 'utf8' })) as { legacy: string; raw: string; text: boolean };
}

describe("DVC's md5", () => {
  const cases: [string, Buffer][] = [
    ['CRLF text', Buffer.from('a,b\r\n1,2\r\n'.repeat(100))],
    ['a CRLF split by the 1 MiB read', Buffer.concat([Buffer.alloc(2 ** 20 - 1, 'x'), Buffer.from('\r\n'), Buffer.from('y\r\n'.repeat(5))])],
    ['binary with CRLF bytes', Buffer.from([0, 1, 13, 10, 2, 3, 13, 10])],
    ['mostly non-ASCII (UTF-8 text DVC calls binary)', Buffer.from('ключ\r\nзначение\r\n'.repeat(20))],
    ['an empty file', Buffer.alloc(0)],
    ['a lone CR at the end', Buffer.from('line\r')],
  ];
  for (const [name, bytes] of cases) {
    it(`hashes ${name} as DVC does, for DVC 2.x (md5-dos2unix) and DVC 3 (md5) entries`, async () => {
      const file = path.join(tempFolder('md5'), 'data');
      writeFileSync(file, bytes);
      const expected = truth(file);
      assert.equal(isTextBlock(bytes.subarray(0, 512)), expected.text);
      assert.equal(await dvcMd5(file, 'md5-dos2unix'), expected.legacy);
      assert.equal(await dvcMd5(file, 'md5'), expected.raw);
    });
  }
});
