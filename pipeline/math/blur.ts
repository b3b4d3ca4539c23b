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

/** Running sum of frames in linear light (float64 so long windows lose nothing). */
export class LinearAccumulator {
  readonly sum: Float64Array;
  private n = 0;
  private readonly lut: Float32Array;
  constructor(readonly length: number, readonly curve: TransferCurve = 'srgb', bits: 8 | 16 = 8) {
    this.sum = new Float64Array(length);
    this.lut = toLinearLut(curve, bits);
  }
  /** Number of frames added so far. */
  get count(): number { return this.n; }
  /** Add one encoded frame (8- or 16-bit codes, decoded through the curve). */
  addEncoded(frame: Uint8Array | Uint16Array): void {
    if (frame.length !== this.length) throw new RangeError(`Frame holds ${frame.length} values, expected ${this.length}`);
    const lut = this.lut;
    const s = this.sum;
    // the first frame of a window is assigned (reset() does not clear: one pass saved per window)
    if (this.n === 0) for (let i = 0; i < frame.length; i++) s[i] = lut[frame[i]!]!;
    else for (let i = 0; i < frame.length; i++) s[i] += lut[frame[i]!]!;
    this.n++;
  }
  /** Add one frame already in linear light. */
  addLinear(frame: Float32Array): void {
    if (frame.length !== this.length) throw new RangeError(`Frame holds ${frame.length} values, expected ${this.length}`);
    const s = this.sum;
    if (this.n === 0) for (let i = 0; i < frame.length; i++) s[i] = frame[i]!;
    else for (let i = 0; i < frame.length; i++) s[i] += frame[i]!;
    this.n++;
  }
  /** Mean in linear light. */
  meanLinear(out = new Float32Array(this.length)): Float32Array {
    if (this.n === 0) throw new RangeError('No frames were accumulated');
    const inv = 1 / this.n;
    for (let i = 0; i < this.length; i++) out[i] = this.sum[i]! * inv;
    return out;
  }
  /** Mean re-encoded to 8-bit codes with the same curve (same bytes as encoding meanLinear(), without its buffer). */
  meanEncoded8(out: Uint8Array = new Uint8Array(this.length)): Uint8Array {
    if (this.n === 0) throw new RangeError('No frames were accumulated');
    const { cell, thresholds } = fastTables(this.curve);
    const inv = 1 / this.n;
    const s = this.sum;
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
  /** Start a new window (the next frame overwrites the sums). */
  reset(): void {
    this.n = 0;
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
