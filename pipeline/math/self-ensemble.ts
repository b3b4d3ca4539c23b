// Geometric self-ensemble of the motion-aware network: run it on mirrored and time-reversed copies
// of its inputs, map each output back, and average. Every transform here is its own inverse and
// they commute, so one function maps inputs in and outputs back. Pure: no I/O.
//
// Conventions (pipeline/math/motion/motion-field.ts): motion planes are (x, y), +x right, +y down,
// forward in time. Mirroring left-right negates x; upside-down negates y; playing the exposure
// backwards reverses the 7 frames and negates the motion (the blurry frame is the same).

/** One member of the ensemble. */
export interface EnsembleTransform {
  readonly flipX: boolean;
  readonly flipY: boolean;
  readonly reverse: boolean;
}

/** Ensemble sizes afb accepts (--ensemble). */
export const ENSEMBLE_SIZES = [1, 2, 4, 8] as const;
export type EnsembleSize = (typeof ENSEMBLE_SIZES)[number];

/** All 8, in the order sizes take them: identity, reversed, mirrored, mirrored and reversed, then upside-down. */
const ORDER: readonly EnsembleTransform[] = [false, true].flatMap((flipY) => [false, true].flatMap((flipX) => [false, true].map((reverse) => ({ flipX, flipY, reverse }))));

/** The first `n` transforms: 1 = identity, 2 = + time reversal, 4 = + left-right mirror, 8 = + upside-down. */
export function ensembleTransforms(n: number): EnsembleTransform[] {
  if (!(ENSEMBLE_SIZES as readonly number[]).includes(n)) throw new RangeError(`Expected an ensemble size of ${ENSEMBLE_SIZES.join(', ')} but received ${n}`);
  return ORDER.slice(0, n);
}

/** Planar planes (`planes` x h x w) mirrored along x and/or y (a new array; a copy for neither). */
export function flipPlanes(src: Float32Array, planes: number, w: number, h: number, flipX: boolean, flipY: boolean): Float32Array {
  if (src.length !== planes * w * h) throw new RangeError(`Expected ${planes}x${h}x${w} values but received ${src.length}`);
  const out = new Float32Array(src.length);
  flipPlanesInto(src, 0, out, 0, planes, w, h, flipX, flipY);
  return out;
}

/** `planes` planes of `src` from `from` mirrored into `out` from `to`. */
function flipPlanesInto(src: Float32Array, from: number, out: Float32Array, to: number, planes: number, w: number, h: number, flipX: boolean, flipY: boolean): void {
  const plane = w * h;
  for (let p = 0; p < planes; p++) {
    for (let y = 0; y < h; y++) {
      const sRow = from + p * plane + (flipY ? h - 1 - y : y) * w;
      const dRow = to + p * plane + y * w;
      if (!flipX) out.set(src.subarray(sRow, sRow + w), dRow);
      else for (let x = 0; x < w; x++) out[dRow + x] = src[sRow + w - 1 - x]!;
    }
  }
}

/** A motion field (2 planes: x, y) under `t`: mirrored, x negated when mirrored left-right, y when
 * upside-down, both when reversed. */
export function transformMotion(motion: Float32Array, w: number, h: number, t: EnsembleTransform): Float32Array {
  const out = flipPlanes(motion, 2, w, h, t.flipX, t.flipY);
  const sx = (t.flipX ? -1 : 1) * (t.reverse ? -1 : 1);
  const sy = (t.flipY ? -1 : 1) * (t.reverse ? -1 : 1);
  const plane = w * h;
  if (sx < 0) for (let i = 0; i < plane; i++) out[i] = -out[i]!;
  if (sy < 0) for (let i = plane; i < 2 * plane; i++) out[i] = -out[i]!;
  return out;
}

/** Planar frames (`frames` x `channels` x h x w) under `t`: mirrored, and in reverse order when reversed.
 * Applying it twice gives the input back, so it maps the network's outputs back too. */
export function transformFrames(src: Float32Array, frames: number, channels: number, w: number, h: number, t: EnsembleTransform): Float32Array {
  const block = channels * w * h;
  if (src.length !== frames * block) throw new RangeError(`Expected ${frames}x${channels}x${h}x${w} values but received ${src.length}`);
  const out = new Float32Array(src.length);
  for (let j = 0; j < frames; j++) flipPlanesInto(src, (t.reverse ? frames - 1 - j : j) * block, out, j * block, channels, w, h, t.flipX, t.flipY);
  return out;
}
