// Seeded pseudo-random numbers for reproducible data generation. Pure: no I/O.
// splitmix32-style mixing for seeds, sfc32 for the stream (fast, good quality, 128-bit state).

/** Mix a 32-bit integer into a well-spread 32-bit hash (murmur3 finaliser). */
export function mix32(x: number): number {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Derive an independent 32-bit seed from a base seed and a list of integer keys (e.g. video
 * index, stream name): the same inputs always give the same seed, different keys give unrelated ones.
 */
export function deriveSeed(seed: number, ...keys: number[]): number {
  // 0x9e3779b9: golden-ratio increment, so that consecutive keys land far apart before mixing.
  let h = mix32((seed >>> 0) ^ 0x9e3779b9);
  for (const k of keys) h = mix32((h + Math.imul((k >>> 0) + 1, 0x9e3779b9)) >>> 0);
  return h;
}

/** A seeded random stream (sfc32). Deterministic for a given seed. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 12; i++) this.nextU32(); // warm-up: decorrelate nearby seeds
  }
  /** Next unsigned 32-bit integer. */
  nextU32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
  /** Uniform integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = 1 - this.next(); // (0, 1]: log is finite
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
  /** One element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Cannot pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }
  /** Random sign, -1 or +1. */
  sign(): number {
    return this.next() < 0.5 ? -1 : 1;
  }
}
