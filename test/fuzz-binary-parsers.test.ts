// Fuzzing the binary parsers (.npy, .flo, pickle) with fast-check: thousands of generated valid
// files (which must decode to exactly what was encoded) and of mutated ones (which must decode or
// fail with FormatError, within a second: never a crash, never a hang). Seeds are fixed, so a
// failure replays; fast-check prints the seed and the shrunk input.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../pipeline/errors.js';
import { decodePickle, parseBboxPickle } from '../pipeline/io/pickle/decode.js';
import { decodeFlo, encodeFlo, flowFromNpy } from '../pipeline/io/flo.js';
import { guidanceFromNpy } from '../pipeline/io/guidance-io.js';
import { decodeNpy, encodeNpy, type NpyArray } from '../pipeline/io/npy.js';
import { encodeIntListDictPickle } from '../pipeline/io/pickle/encode.js';
import { FuzzTally, hexHead, mutatedArb } from './helpers/fuzz.js';
import { encodePickle, expectedPickleValue, plainValueArb } from './helpers/pickle-encode.js';

/** Inputs per property (generated valid, mutated, raw random bytes). */
const RUNS = 3000;
const settings = (seed: number) => ({ numRuns: RUNS, seed, endOnFailure: true });

const DTYPES: [string, (n: number) => NpyArray][] = [
  ['i1', (n) => new Int8Array(n)], ['u1', (n) => new Uint8Array(n)], ['i2', (n) => new Int16Array(n)], ['u2', (n) => new Uint16Array(n)],
  ['i4', (n) => new Int32Array(n)], ['f4', (n) => new Float32Array(n)], ['f8', (n) => new Float64Array(n)],
];

/** A valid array: random dtype, 0-4 dimensions of 0-6, values from -1..1 half the time (guidance-like). */
const npyArb = fc.record({
  dtype: fc.integer({ min: 0, max: DTYPES.length - 1 }),
  shape: fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 4 }),
  small: fc.boolean(),
  seed: fc.integer(),
}).map(({ dtype, shape, small, seed }) => {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = DTYPES[dtype]![1](n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = small ? (s % 3) - 1 : (s % 200) - 50;
  }
  return { data, shape };
});
const npyBytesArb = npyArb.map(({ data, shape }) => encodeNpy(data, shape));

const floArb = fc.record({ width: fc.integer({ min: 1, max: 12 }), height: fc.integer({ min: 1, max: 12 }), values: fc.array(fc.float({ noNaN: true }), { minLength: 288, maxLength: 288 }) })
  .map(({ width, height, values }) => ({ width, height, data: Float32Array.from(values.slice(0, width * height * 2)) }));

describe('fuzz .npy (decodeNpy, then guidanceFromNpy and flowFromNpy)', () => {
  const decodeAll = (bytes: Uint8Array) => {
    const npy = decodeNpy(bytes);
    try {
      guidanceFromNpy(npy);
    } catch (e) {
      if (!(e instanceof FormatError)) throw e;
    }
    flowFromNpy(npy);
  };
  it(`${RUNS} generated arrays decode to exactly what was encoded`, () => {
    fc.assert(fc.property(npyArb, ({ data, shape }) => {
      const back = decodeNpy(encodeNpy(data, shape));
      expect(back.shape).toEqual(shape);
      expect(back.data).toEqual(data);
    }), settings(101));
  });
  it(`${RUNS} mutated and ${RUNS} random files decode or fail with FormatError, each within a second`, () => {
    const tally = new FuzzTally();
    fc.assert(fc.property(mutatedArb(npyBytesArb), (b) => tally.check(() => decodeAll(b), [FormatError], () => hexHead(b))), settings(102));
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }).map((b) => Uint8Array.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, ...b])), (b) => {
      tally.check(() => decodeAll(b), [FormatError], () => hexHead(b));
    }), settings(103));
    expect(tally.total).toBe(2 * RUNS);
    expect(tally.rejected).toBeGreaterThan(RUNS); // the mutations do reach the error paths
  });
});

describe('fuzz .flo (decodeFlo)', () => {
  it(`${RUNS} generated flows decode exactly; ${RUNS} mutated and ${RUNS} random files decode or fail with FormatError`, () => {
    fc.assert(fc.property(floArb, (flow) => {
      expect(decodeFlo(encodeFlo(flow))).toEqual(flow);
    }), settings(201));
    const tally = new FuzzTally();
    fc.assert(fc.property(mutatedArb(floArb.map(encodeFlo)), (b) => tally.check(() => decodeFlo(b), [FormatError], () => hexHead(b))), settings(202));
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => tally.check(() => decodeFlo(b), [FormatError], () => hexHead(b))), settings(203));
    expect(tally.total).toBe(2 * RUNS);
    expect(tally.rejected).toBeGreaterThan(RUNS);
  });
});

describe('fuzz pickle (decodePickle, parseBboxPickle)', () => {
  it(`${RUNS} generated pickles of nested plain values decode to those values`, () => {
    fc.assert(fc.property(plainValueArb, (v) => {
      expect(decodePickle(encodePickle(v))).toEqual(expectedPickleValue(v));
    }), settings(301));
  });
  it(`${RUNS} mutated pickles, ${RUNS} mutated bbox annotations and ${RUNS} random opcode streams decode or fail with FormatError`, () => {
    const tally = new FuzzTally();
    const both = (b: Uint8Array) => tally.check(() => {
      try {
        decodePickle(b);
      } finally {
        parseBboxPickle(b);
      }
    }, [FormatError], () => hexHead(b));
    fc.assert(fc.property(mutatedArb(plainValueArb.map(encodePickle)), both), settings(302));
    const bbox = fc.array(fc.integer({ min: -5000, max: 5000 }), { minLength: 4, maxLength: 5 }).map((v) => encodeIntListDictPickle('bbox', v));
    fc.assert(fc.property(mutatedArb(bbox), both), settings(303));
    // Streams of the opcodes the reader knows (and a few it does not), with random operands.
    const ops = [0x80, 0x95, 0x2e, 0x28, 0x7d, 0x5d, 0x29, 0x4e, 0x88, 0x89, 0x4b, 0x4d, 0x4a, 0x8a, 0x8b, 0x47, 0x49, 0x4c, 0x46, 0x56, 0x8c, 0x58,
      0x8d, 0x43, 0x42, 0x8e, 0x94, 0x71, 0x72, 0x70, 0x68, 0x6a, 0x67, 0x85, 0x86, 0x87, 0x74, 0x6c, 0x64, 0x61, 0x65, 0x73, 0x75, 0x63, 0x93, 0x52, 0x62, 0x0a, 0x30, 0x31, 0x00, 0xff];
    const stream = fc.array(fc.tuple(fc.constantFrom(...ops), fc.uint8Array({ maxLength: 3 })), { maxLength: 60 })
      .map((parts) => Uint8Array.from(parts.flatMap(([op, operand]) => [op, ...operand])));
    fc.assert(fc.property(stream, both), settings(304));
    expect(tally.total).toBe(3 * RUNS);
    expect(tally.ok).toBeGreaterThan(0); // some mutated bbox annotations still parse
  });
  it('refuses self-referencing, exponentially shared and over-deep pickles with FormatError, quickly', () => {
    // L = []; L.append(L): a list holding itself (memo 0 is L)
    const selfRef = Uint8Array.from([0x80, 2, 0x5d, 0x94, 0x68, 0, 0x61, 0x2e]);
    expect(() => decodePickle(selfRef)).toThrow(/holds itself/);
    // 60 levels of [prev, prev]: 2^60 leaves if expanded; shared, it is 60 lists.
    const shared = [0x80, 4, 0x4e, 0x94];
    for (let i = 1; i <= 60; i++) shared.push(0x68, i - 1, 0x68, i - 1, 0x86, 0x94);
    shared.push(0x2e);
    const t0 = performance.now();
    const value = decodePickle(Uint8Array.from(shared));
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(Array.isArray(value) && value.length === 2).toBe(true);
    const deep = Uint8Array.from([0x80, 2, ...new Array<number>(5000).fill(0x5d).flatMap(() => [0x5d]), ...new Array<number>(4999).fill(0x61), 0x2e]);
    expect(() => decodePickle(deep)).toThrow(/nested deeper than 1000/);
    expect(() => decodePickle(Uint8Array.from([0x80, 2, 0x8b, 0xff, 0xff, 0xff, 0xff, 0x2e]))).toThrow(FormatError); // LONG4 of -1 bytes
  });
});
