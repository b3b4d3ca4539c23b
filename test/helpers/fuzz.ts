// Fuzzing helpers shared by the parser fuzz suites: byte-level mutations of valid encodings (the
// inputs a damaged or hostile file would give) and a checker that lets a parser either succeed or
// fail with one of afb's typed errors, never anything else, and never slowly.
import fc from 'fast-check';

/** One edit of a byte string; `at` is a fraction of the length (or of the first 64 bytes: `head`). */
export interface Mutation {
  readonly kind: 'flip' | 'set' | 'delete' | 'insert' | 'truncate' | 'duplicate' | 'int32';
  readonly at: number;
  readonly head: boolean;
  readonly len: number;
  readonly byte: number;
  readonly bytes: Uint8Array;
  readonly int: number;
}

/** Integers that break naive length and size fields. */
const INTERESTING_INT32 = [0, 1, -1, 2, 255, 256, 65535, 65536, 0x7fffffff, -0x80000000, 1_000_000_000, 100_001];

/** Arbitrary single mutation. */
export const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('flip', 'set', 'delete', 'insert', 'truncate', 'duplicate', 'int32'),
  at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
  head: fc.boolean(),
  len: fc.integer({ min: 1, max: 32 }),
  byte: fc.integer({ min: 0, max: 255 }),
  bytes: fc.uint8Array({ maxLength: 16 }),
  int: fc.constantFrom(...INTERESTING_INT32),
});

/** Apply `mutations` in order to a copy of `input`. */
export function applyMutations(input: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let b = Uint8Array.from(input);
  for (const m of mutations) {
    const span = m.head ? Math.min(64, b.length) : b.length;
    const at = Math.floor(m.at * span);
    switch (m.kind) {
      case 'flip': if (at < b.length) b[at] = b[at]! ^ (1 << (m.byte & 7)); break;
      case 'set': if (at < b.length) b[at] = m.byte; break;
      case 'delete': b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + m.len)]); break;
      case 'insert': b = Uint8Array.from([...b.subarray(0, at), ...m.bytes, ...b.subarray(at)]); break;
      case 'truncate': b = b.slice(0, at); break;
      case 'duplicate': b = Uint8Array.from([...b.subarray(0, at + m.len), ...b.subarray(at)]); break;
      case 'int32':
        if (at + 4 <= b.length) new DataView(b.buffer).setInt32(at, m.int, true);
        break;
    }
  }
  return b;
}

/** Mutated versions of encodings drawn from `valid`: 1 to 4 edits each. */
export function mutatedArb(valid: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc.tuple(valid, fc.array(mutationArb, { minLength: 1, maxLength: 4 })).map(([v, ms]) => applyMutations(v, ms));
}

/** Text mutations: the same edits on the UTF-8 bytes, decoded back (invalid sequences become U+FFFD). */
export function mutatedTextArb(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return mutatedArb(valid.map((s) => new TextEncoder().encode(s))).map((b) => new TextDecoder().decode(b));
}

/** Longest time one input may take: anything slower counts as a hang. */
export const SLOW_INPUT_MS = 1000;

type ErrorClass = abstract new (...args: never[]) => Error;

/** Outcome counts of a fuzzed parser. */
export class FuzzTally {
  ok = 0;
  rejected = 0;
  /** Run `parse`; it must return, or throw an instance of one of `allowed`, within SLOW_INPUT_MS. */
  check(parse: () => unknown, allowed: readonly ErrorClass[], describeInput: () => string): void {
    const t0 = performance.now();
    try {
      parse();
      this.ok++;
    } catch (error) {
      if (!allowed.some((c) => error instanceof c)) {
        throw new Error(`untyped failure ${(error as Error)?.name}: ${(error as Error)?.message} on input ${describeInput()}`, { cause: error });
      }
      this.rejected++;
    }
    const ms = performance.now() - t0;
    if (ms > SLOW_INPUT_MS) throw new Error(`input took ${ms.toFixed(0)} ms (a hang): ${describeInput()}`);
  }
  get total(): number {
    return this.ok + this.rejected;
  }
}

/** Short hex dump of the start of a byte string, for failure messages. */
export function hexHead(b: Uint8Array, n = 96): string {
  return `${b.length} bytes: ${Buffer.from(b.subarray(0, n)).toString('hex')}${b.length > n ? '...' : ''}`;
}
