import { intValue, SCALAR, Unpicklable, type PickleValue } from './pickleValues';

/** Protocol 0's text arguments (INT, LONG, memo indexes, STRING, UNICODE) decoded as CPython decodes them. */

/** Longest str whose text is kept: names are far shorter, but protocol 2 writes bytes as text (_codecs.encode). */
export const MAX_KEPT_TEXT = 1024 * 1024;

export const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** INT and LONG lines: decimal (or, for INT, any base Python's int(x, 0) reads); `00`/`01` are False/True. */
export function parseIntLine(bytes: Buffer, isInt: boolean): PickleValue {
  let text = bytes.toString('latin1').trim();
  if (isInt && (text === '00' || text === '01')) return SCALAR;
  if (!isInt && text.endsWith('L')) text = text.slice(0, -1);
  const match = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|[0-9][0-9_]*)$/.exec(text);
  if (!match) throw new Unpicklable(`invalid literal for int(): '${text.slice(0, 40)}'`);
  const magnitude = BigInt(match[2].replace(/_/g, ''));
  return intValue(match[1] === '-' ? -magnitude : magnitude);
}

export function parseIndexLine(bytes: Buffer): number {
  const text = bytes.toString('latin1').trim().replace(/(?<=\d)_(?=\d)/g, '');
  if (!/^[+-]?\d+$/.test(text)) throw new Unpicklable(`invalid memo index '${text.slice(0, 40)}'`);
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Unpicklable(`memo index ${text.slice(0, 40)} is out of range`);
  return value;
}

export function signedLittleEndian(bytes: Buffer): bigint {
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]);
  if (bytes.length > 0 && bytes[bytes.length - 1] & 0x80) value -= 1n << BigInt(bytes.length * 8);
  return value;
}

/** Python 2 str bytes as Python 3 decodes them: ASCII exactly; other bytes as UTF-8 when valid, else Latin-1. */
export function python2Text(data: Buffer): string {
  try {
    return UTF8.decode(data);
  } catch {
    return data.toString('latin1');
  }
}

/** STRING: a quoted Python 2 literal, with its backslash escapes (C load_string + PyBytes_DecodeEscape). */
export function decodeStringLine(bytes: Buffer): PickleValue {
  const quote = bytes[0];
  if (bytes.length < 2 || bytes[bytes.length - 1] !== quote || (quote !== 0x27 && quote !== 0x22)) throw new Unpicklable('the STRING opcode argument must be quoted');
  const body = bytes.subarray(1, bytes.length - 1);
  if (body.length > MAX_KEPT_TEXT * 4) return { kind: 'str' };
  const out: number[] = [];
  const simple: Record<string, number> = { '\\': 0x5c, "'": 0x27, '"': 0x22, a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11 };
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (byte !== 0x5c) {
      out.push(byte);
      continue;
    }
    if (++i >= body.length) throw new Unpicklable('Trailing \\ in string');
    const next = String.fromCharCode(body[i]);
    if (next in simple) out.push(simple[next]);
    else if (next >= '0' && next <= '7') {
      let value = 0;
      let digits = 0;
      while (digits < 3 && i < body.length && body[i] >= 0x30 && body[i] <= 0x37) {
        value = value * 8 + (body[i] - 0x30);
        i++;
        digits++;
      }
      i--;
      out.push(value & 0xff);
    } else if (next === 'x') {
      const hex = body.toString('latin1', i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new Unpicklable('invalid \\x escape in a STRING');
      out.push(parseInt(hex, 16));
      i += 2;
    } else out.push(0x5c, body[i]);
  }
  const data = Buffer.from(out);
  return { kind: 'str', text: python2Text(data), data };
}

/** UNICODE: raw-unicode-escape, where only \uXXXX and \UXXXXXXXX after an odd run of backslashes are escapes. */
export function decodeRawUnicodeEscape(bytes: Buffer): string | undefined {
  if (bytes.length > MAX_KEPT_TEXT * 4) return undefined;
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    if (bytes[i] !== 0x5c) {
      out += String.fromCharCode(bytes[i++]);
      continue;
    }
    let run = 0;
    while (i < bytes.length && bytes[i] === 0x5c) {
      run++;
      i++;
    }
    const marker = bytes[i];
    if (run % 2 === 0 || (marker !== 0x75 && marker !== 0x55)) {
      out += '\\'.repeat(run);
      continue;
    }
    out += '\\'.repeat(run - 1);
    const width = marker === 0x75 ? 4 : 8;
    const hex = bytes.toString('latin1', i + 1, i + 1 + width);
    if (hex.length !== width || !/^[0-9a-fA-F]+$/.test(hex)) throw new Unpicklable(`truncated \\${String.fromCharCode(marker)} escape in a UNICODE`);
    const point = parseInt(hex, 16);
    if (point > 0x10ffff) throw new Unpicklable('\\Uxxxxxxxx out of range in a UNICODE');
    out += String.fromCodePoint(point);
    i += 1 + width;
  }
  return out;
}
