// A small pickle writer for tests (protocol 2-4 opcodes, written independently of the reader):
// plain values -> bytes, and the value the reader must give back (dicts as Maps, tuples as arrays).
import fc from 'fast-check';

/** A plain value as generated for the fuzz suite. */
export type PlainValue =
  | null | boolean | number | string | Uint8Array
  | { readonly list: PlainValue[] } | { readonly tuple: PlainValue[] } | { readonly dict: [string | number, PlainValue][] };

const u32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];

function encodeInt(n: number, out: number[]): void {
  if (n >= 0 && n < 256) out.push(0x4b, n); // BININT1
  else if (n >= 0 && n < 65536) out.push(0x4d, n & 0xff, n >> 8); // BININT2
  else if (n >= -0x80000000 && n <= 0x7fffffff) out.push(0x4a, ...u32(n >>> 0)); // BININT
  else {
    // LONG1: little-endian two's complement, as few bytes as keep the sign
    let v = BigInt(n);
    const bytes: number[] = [];
    for (;;) {
      bytes.push(Number(v & 0xffn));
      v >>= 8n;
      const sign = bytes[bytes.length - 1]! & 0x80;
      if ((v === 0n && !sign) || (v === -1n && sign)) break;
    }
    out.push(0x8a, bytes.length, ...bytes);
  }
}

function encodeValue(v: PlainValue, out: number[]): void {
  if (v === null) out.push(0x4e);
  else if (v === true) out.push(0x88);
  else if (v === false) out.push(0x89);
  else if (typeof v === 'number') {
    if (Number.isSafeInteger(v) && !Object.is(v, -0)) encodeInt(v, out);
    else {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setFloat64(0, v, false); // BINFLOAT is big endian
      out.push(0x47, ...b);
    }
  } else if (typeof v === 'string') {
    const b = new TextEncoder().encode(v);
    if (b.length < 256) out.push(0x8c, b.length, ...b); // SHORT_BINUNICODE
    else out.push(0x58, ...u32(b.length), ...b); // BINUNICODE
  } else if (v instanceof Uint8Array) {
    if (v.length < 256) out.push(0x43, v.length, ...v); // SHORT_BINBYTES
    else out.push(0x42, ...u32(v.length), ...v); // BINBYTES
  } else if ('list' in v) {
    out.push(0x5d, 0x94); // EMPTY_LIST, MEMOIZE
    if (v.list.length === 1) {
      encodeValue(v.list[0]!, out);
      out.push(0x61); // APPEND
    } else if (v.list.length > 1) {
      out.push(0x28);
      for (const x of v.list) encodeValue(x, out);
      out.push(0x65); // APPENDS
    }
  } else if ('tuple' in v) {
    const n = v.tuple.length;
    if (n === 0) out.push(0x29);
    else if (n <= 3) {
      for (const x of v.tuple) encodeValue(x, out);
      out.push([0x85, 0x86, 0x87][n - 1]!);
    } else {
      out.push(0x28);
      for (const x of v.tuple) encodeValue(x, out);
      out.push(0x74);
    }
  } else {
    out.push(0x7d, 0x94); // EMPTY_DICT, MEMOIZE
    if (v.dict.length > 0) {
      out.push(0x28);
      for (const [k, x] of v.dict) {
        encodeValue(k, out);
        encodeValue(x, out);
      }
      out.push(0x75); // SETITEMS
    }
  }
}

/** Pickle bytes of a plain value (PROTO 4 header, STOP at the end). */
export function encodePickle(v: PlainValue): Uint8Array {
  const out: number[] = [0x80, 4];
  encodeValue(v, out);
  out.push(0x2e);
  return Uint8Array.from(out);
}

/** What the reader gives back for a plain value. */
export function expectedPickleValue(v: PlainValue): unknown {
  if (v === null || typeof v !== 'object' || v instanceof Uint8Array) return v;
  if ('list' in v) return v.list.map(expectedPickleValue);
  if ('tuple' in v) return v.tuple.map(expectedPickleValue);
  return new Map(v.dict.map(([k, x]) => [k, expectedPickleValue(x)]));
}

/** Arbitrary plain values, nested a few levels. */
export const plainValueArb: fc.Arbitrary<PlainValue> = fc.letrec<{ value: PlainValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(null, true, false),
    fc.integer({ min: -0x80000000, max: 0x7fffffff }),
    fc.integer({ min: 0, max: 300 }),
    fc.maxSafeInteger(),
    fc.double({ noNaN: true, noDefaultInfinity: false }),
    fc.string({ maxLength: 20, unit: 'grapheme' }),
    fc.uint8Array({ maxLength: 20 }),
    fc.array(tie('value'), { maxLength: 5 }).map((list) => ({ list })),
    fc.array(tie('value'), { maxLength: 5 }).map((tuple) => ({ tuple })),
    fc.uniqueArray(fc.tuple(fc.oneof(fc.string({ maxLength: 8 }), fc.integer({ min: -1000, max: 1000 })), tie('value')), { maxLength: 5, selector: ([k]) => k })
      .map((dict) => ({ dict })),
  ),
})).value;
