// Blur consistency (--consistency): adjust the decomposed frames so that their mean in LINEAR
// light equals the blurry input, as the blur model B = mean(I_t) says. Per pixel and channel an
// additive correction in linear light, clamped to [0,1], with the clamped residue handed to the
// frames that can still move. Pure: no I/O.
import { encoderFor, toLinearLut, type TransferCurve } from './colour.js';

/** Options of the consistency correction. */
export interface ConsistencyOptions {
  /** Redistribution passes after clamping (default: the frame count; each pass either converges or clamps one more frame). */
  readonly iterations?: number;
  /** Transfer curve of the stored values (default sRGB). */
  readonly curve?: TransferCurve;
}

/** What the correction did: mean and max absolute change of the encoded values. */
export interface ConsistencyStats {
  readonly meanAbsChange: number;
  readonly maxAbsChange: number;
}

const GRID = 4096; // sqrt-spaced grid of the encode table: dense near black where the curve is steep
const encodeTables = new Map<TransferCurve, Float64Array>();

/** Linear [0,1] -> encoded [0,1] by interpolation in a table sampled at (k/GRID)^2 (max error ~1e-6). */
export function fastEncode(curve: TransferCurve): (v: number) => number {
  let table = encodeTables.get(curve);
  if (!table) {
    const enc = encoderFor(curve);
    table = new Float64Array(GRID + 2);
    for (let k = 0; k <= GRID + 1; k++) table[k] = enc(Math.min(1, (k / GRID) ** 2));
    encodeTables.set(curve, table);
  }
  const t = table;
  return (v) => {
    if (!(v > 0)) return 0;
    if (v >= 1) return 1;
    const s = Math.sqrt(v) * GRID;
    const k = Math.floor(s);
    const f = s - k;
    return t[k]! * (1 - f) + t[k + 1]! * f;
  };
}

/**
 * Correct `frames` in place: `count` consecutive blocks, each laid out like `blurry` (any layout,
 * encoded values in [0,1]), so that mean_j linear(frames_j) = linear(blurry) per element.
 */
export function enforceBlurConsistency(frames: Float32Array, blurry: Float32Array, count = 7, options: ConsistencyOptions = {}): ConsistencyStats {
  const m = blurry.length;
  if (frames.length !== m * count) throw new RangeError(`Expected ${count} x ${m} frame values but received ${frames.length}`);
  const curve = options.curve ?? 'srgb';
  const iterations = options.iterations ?? count;
  const lut = toLinearLut(curve, 16); // 16-bit LUT, interpolated: no pow per value, error ~1e-9
  const toLin = (v: number): number => {
    if (!(v > 0)) return 0;
    if (v >= 1) return 1;
    const s = v * 65535;
    const k = Math.floor(s);
    return lut[k]! + (lut[k + 1]! - lut[k]!) * (s - k);
  };
  const encode = fastEncode(curve);
  const lin = new Float64Array(count);
  let sumChange = 0;
  let maxChange = 0;
  for (let p = 0; p < m; p++) {
    const target = toLin(blurry[p]!);
    for (let j = 0; j < count; j++) lin[j] = toLin(frames[j * m + p]!);
    for (let it = 0; it <= iterations; it++) {
      let mean = 0;
      for (let j = 0; j < count; j++) mean += lin[j]!;
      const d = target - mean / count;
      if (Math.abs(d) < 1e-7) break;
      let free = 0;
      for (let j = 0; j < count; j++) if (d > 0 ? lin[j]! < 1 : lin[j]! > 0) free++;
      if (free === 0) break;
      const add = (d * count) / free;
      for (let j = 0; j < count; j++) {
        const v = lin[j]!;
        if (d > 0 ? v < 1 : v > 0) lin[j] = Math.min(1, Math.max(0, v + add));
      }
    }
    for (let j = 0; j < count; j++) {
      const i = j * m + p;
      const next = encode(lin[j]!);
      const change = Math.abs(next - frames[i]!);
      sumChange += change;
      if (change > maxChange) maxChange = change;
      frames[i] = next;
    }
  }
  return { meanAbsChange: sumChange / Math.max(1, frames.length), maxAbsChange: maxChange };
}
