// Blur synthesis maths shared by footage and procedural generation: ground-truth frame indices
// inside an exposure window and the linear-light mean of a window. Pure: no I/O.
import { decoderFor, toLinearLut, type TransferCurve } from './colour.js';

/**
 * Indices of `count` ground-truth frames evenly spread over a window of `window` frames: frame j
 * is the one nearest the centre of the j-th of `count` equal slices, round((j + 0.5) * window / count - 0.5)
 * (halves round up). For window = count * k with odd k this is exactly the slice centre j*k + (k-1)/2.
 */
export function gtIndices(window: number, count = 7): number[] {
  if (!Number.isInteger(window) || window < 1) throw new RangeError(`Expected a window of at least 1 frame but received ${window}`);
  if (!Number.isInteger(count) || count < 1 || count > window) throw new RangeError(`Expected 1..${window} ground-truth frames but received ${count}`);
  const out: number[] = [];
  for (let j = 0; j < count; j++) out.push(Math.round(((j + 0.5) * window) / count - 0.5));
  return out;
}

/** Fixed-point scale of the integer path: 2^24 per unit of linear light (rounding error < 3e-8). */
const FIXED_SCALE = 16777216;
/** Frames the integer path can sum without overflowing 32 bits (255 x 2^24 < 2^32). */
const FIXED_MAX_FRAMES = 255;

/**
 * Running sum of frames in linear light. 8-bit frames are summed exactly as fixed-point integers
 * (Uint32, 2^24 per unit: a quarter of the memory traffic of float64, which is what bounds this
 * loop); linear frames, 16-bit frames or windows over 255 frames switch to float64 sums.
 */
export class LinearAccumulator {
  private sum64: Float64Array | undefined;
  private sum32: Uint32Array | undefined;
  private fixed = true;
  private n = 0;
  private readonly lut: Float32Array;
  private readonly lutFixed: Uint32Array;
  constructor(readonly length: number, readonly curve: TransferCurve = 'srgb', bits: 8 | 16 = 8) {
    this.lut = toLinearLut(curve, bits);
    this.lutFixed = Uint32Array.from(this.lut, (v) => Math.round(v * FIXED_SCALE));
    if (bits === 16) this.fixed = false;
  }
  /** Number of frames added so far. */
  get count(): number { return this.n; }
  /** The float64 sums (created on first need; converts the integer sums when switching). */
  private toFloat(): Float64Array {
    this.sum64 ??= new Float64Array(this.length);
    if (this.fixed && this.n > 0) {
      const s = this.sum64;
      const q = this.sum32!;
      for (let i = 0; i < this.length; i++) s[i] = q[i]! / FIXED_SCALE;
    }
    this.fixed = false;
    return this.sum64;
  }
  /** Add one encoded frame (8- or 16-bit codes, decoded through the curve). */
  addEncoded(frame: Uint8Array | Uint16Array): void {
    if (frame.length !== this.length) throw new RangeError(`Frame holds ${frame.length} values, expected ${this.length}`);
    if (this.fixed && frame instanceof Uint8Array && this.n < FIXED_MAX_FRAMES) {
      this.sum32 ??= new Uint32Array(this.length);
      const q = this.sum32;
      const lut = this.lutFixed;
      // the first frame of a window is assigned (reset() does not clear: one pass saved per window)
      if (this.n === 0) for (let i = 0; i < frame.length; i++) q[i] = lut[frame[i]!]!;
      else for (let i = 0; i < frame.length; i++) q[i] += lut[frame[i]!]!;
    } else {
      const s = this.toFloat();
      const lut = this.lut;
      if (this.n === 0) for (let i = 0; i < frame.length; i++) s[i] = lut[frame[i]!]!;
      else for (let i = 0; i < frame.length; i++) s[i] += lut[frame[i]!]!;
    }
    this.n++;
  }
  /** Add one frame already in linear light. */
  addLinear(frame: Float32Array): void {
    if (frame.length !== this.length) throw new RangeError(`Frame holds ${frame.length} values, expected ${this.length}`);
    const s = this.toFloat();
    if (this.n === 0) for (let i = 0; i < frame.length; i++) s[i] = frame[i]!;
    else for (let i = 0; i < frame.length; i++) s[i] += frame[i]!;
    this.n++;
  }
  /** Mean in linear light. */
  meanLinear(out = new Float32Array(this.length)): Float32Array {
    if (this.n === 0) throw new RangeError('No frames were accumulated');
    if (this.fixed) {
      const inv = 1 / (this.n * FIXED_SCALE);
      for (let i = 0; i < this.length; i++) out[i] = this.sum32![i]! * inv;
    } else {
      const inv = 1 / this.n;
      for (let i = 0; i < this.length; i++) out[i] = this.sum64![i]! * inv;
    }
    return out;
  }
  /** Mean re-encoded to 8-bit codes with the same curve (same bytes as encoding meanLinear(), without its buffer). */
  meanEncoded8(out: Uint8Array = new Uint8Array(this.length)): Uint8Array {
    if (this.n === 0) throw new RangeError('No frames were accumulated');
    const { cell, thresholds } = fastTables(this.curve);
    const fixed = this.fixed;
    const inv = fixed ? 1 / (this.n * FIXED_SCALE) : 1 / this.n;
    const s: Uint32Array | Float64Array = fixed ? this.sum32! : this.sum64!;
    for (let i = 0; i < this.length; i++) {
      const v = Math.fround(s[i]! * inv); // the float32 value meanLinear() would hold
      if (!(v > 0)) { out[i] = 0; continue; }
      if (v >= 1) { out[i] = 255; continue; }
      let c = cell[Math.floor(v * CELLS)]!;
      while (thresholds[c + 1]! <= v) c++;
      out[i] = c;
    }
    return out;
  }
  /** Start a new window (the next frame overwrites the sums; 8-bit windows go back to the integer path). */
  reset(): void {
    this.n = 0;
    this.fixed = this.lut.length === 256;
  }
}

/** Linear-light mean of encoded frames, re-encoded to 8 bits: the blurry frame of a window. */
export function blurFrames(frames: readonly (Uint8Array | Uint16Array)[], curve: TransferCurve = 'srgb'): Uint8Array {
  if (frames.length === 0) throw new RangeError('Expected at least one frame to average but received none');
  const acc = new LinearAccumulator(frames[0]!.length, curve, frames[0] instanceof Uint16Array ? 16 : 8);
  for (const f of frames) acc.addEncoded(f);
  return acc.meanEncoded8();
}

const fastCache = new Map<TransferCurve, { cell: Uint8Array; thresholds: Float64Array }>();
const CELLS = 4096; // linear-light cells of the first-guess table: at most ~2 codes per cell

function fastTables(curve: TransferCurve): { cell: Uint8Array; thresholds: Float64Array } {
  let t = fastCache.get(curve);
  if (!t) {
    const decode = decoderFor(curve);
    const thresholds = new Float64Array(257);
    thresholds[0] = -Infinity;
    for (let c = 1; c <= 255; c++) thresholds[c] = decode((c - 0.5) / 255); // same rounding points as colour.ts
    thresholds[256] = Infinity;
    const cell = new Uint8Array(CELLS + 1);
    let c = 0;
    for (let k = 0; k <= CELLS; k++) {
      const v = k / CELLS;
      while (thresholds[c + 1]! <= v) c++;
      cell[k] = c;
    }
    t = { cell, thresholds };
    fastCache.set(curve, t);
  }
  return t;
}

/**
 * Linear light -> 8-bit codes with the same rounding points as colour.ts `encodeLinearTo8`,
 * but several times faster: a table gives the code at the start of the value's cell, then at
 * most a few threshold steps finish the job.
 */
export function encodeLinearTo8Fast(src: Float32Array, curve: TransferCurve = 'srgb', out: Uint8Array = new Uint8Array(src.length)): Uint8Array {
  const { cell, thresholds } = fastTables(curve);
  for (let i = 0; i < src.length; i++) {
    const v = src[i]!;
    if (!(v > 0)) { out[i] = 0; continue; } // also NaN
    if (v >= 1) { out[i] = 255; continue; }
    let c = cell[Math.floor(v * CELLS)]!;
    while (thresholds[c + 1]! <= v) c++;
    out[i] = c;
  }
  return out;
}
