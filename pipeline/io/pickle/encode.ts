// Minimal Python pickle writer (protocol 2) for the B-Aist++ annotation files:
// a dict {'bbox': [x0, y0, x1, y1]} that `pickle.load` in the reference loader reads.
import { writeFileAtomic } from '../atomic.js';

const PROTO = 0x80;
const EMPTY_DICT = 0x7d; // '}'
const EMPTY_LIST = 0x5d; // ']'
const MARK = 0x28; // '('
const APPENDS = 0x65; // 'e'
const SETITEM = 0x73; // 's'
const BINUNICODE = 0x58; // 'X' + u32 length + utf-8
const BININT = 0x4a; // 'J' + i32
const STOP = 0x2e; // '.'

/** Encode {key: [int, ...]} as pickle protocol 2 bytes. Integers must fit in 32 bits. */
export function encodeIntListDictPickle(key: string, values: readonly number[]): Uint8Array {
  const keyBytes = new TextEncoder().encode(key);
  const out: number[] = [PROTO, 2, EMPTY_DICT, BINUNICODE];
  const u32 = (n: number) => out.push(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
  u32(keyBytes.length);
  out.push(...keyBytes, EMPTY_LIST, MARK);
  for (const v of values) {
    if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) throw new RangeError(`Expected 32-bit integers in a pickled list but received ${v}`);
    out.push(BININT);
    u32(v >>> 0);
  }
  out.push(APPENDS, SETITEM, STOP);
  return Uint8Array.from(out);
}

/** Write a B-Aist++ bbox annotation ({'bbox': [x0, y0, x1, y1]}) atomically. */
export async function writeBboxPickle(path: string, bbox: readonly [number, number, number, number]): Promise<void> {
  await writeFileAtomic(path, encodeIntListDictPickle('bbox', bbox));
}
