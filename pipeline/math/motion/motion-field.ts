// Motion fields: how far, and which way, the content at each pixel moves per frame interval.
// Pure: no I/O. Conventions: interleaved (x, y) per pixel in pixels, +x right, +y down, signed
// forward in time (the content at pixel p of the blurry frame's middle instant is at p + t * F(p)
// t frame intervals later). The motion during the exposure is e * F, e the exposure fraction.
import { DEFAULT_STATIC_THRESHOLD } from '../guidance.js';
import type { FlowField } from '../types.js';

/** A motion field: a FlowField in pixels per frame interval (see the file comment for the convention). */
export type MotionField = FlowField;

/** Exposure fractions afb accepts: the shutter is open for e of the frame interval, 0 < e <= 1. */
export const MIN_EXPOSURE = 0.05;

/** Check an exposure fraction; RangeError naming the value otherwise. */
export function validateExposure(e: number, name = 'exposure'): number {
  if (!(Number.isFinite(e) && e >= MIN_EXPOSURE && e <= 1)) {
    throw new RangeError(`Expected a number in [${MIN_EXPOSURE}, 1] for ${name} but received ${e}`);
  }
  return e;
}

/** The mean of two motion fields of the same size (a new field). */
export function meanMotion(a: MotionField, b: MotionField): MotionField {
  if (a.width !== b.width || a.height !== b.height) throw new RangeError(`Motion sizes differ: ${a.width}x${a.height} vs ${b.width}x${b.height}`);
  const out = new Float32Array(a.data.length);
  for (let i = 0; i < out.length; i++) out[i] = 0.5 * (a.data[i]! + b.data[i]!);
  return { width: a.width, height: a.height, data: out };
}

/** The motion scaled by `factor` (a new field): e.g. e * F, the displacement over the exposure. */
export function scaleMotion(m: MotionField, factor: number): MotionField {
  const out = new Float32Array(m.data.length);
  for (let i = 0; i < out.length; i++) out[i] = m.data[i]! * factor;
  return { width: m.width, height: m.height, data: out };
}

/** Static pixels: 1 where |F| < threshold (the guidance quantiser's static class), else 0. */
export function staticMask(m: MotionField, threshold = DEFAULT_STATIC_THRESHOLD): Uint8Array {
  const n = m.width * m.height;
  const out = new Uint8Array(n);
  const t2 = threshold * threshold;
  for (let p = 0; p < n; p++) {
    const u = m.data[2 * p]!;
    const v = m.data[2 * p + 1]!;
    out[p] = u * u + v * v < t2 ? 1 : 0;
  }
  return out;
}

/** Indices of the moving (non-static) pixels, in raster order. */
export function movingPixels(staticPixels: Uint8Array): Int32Array {
  let count = 0;
  for (let p = 0; p < staticPixels.length; p++) if (!staticPixels[p]) count++;
  const out = new Int32Array(count);
  let k = 0;
  for (let p = 0; p < staticPixels.length; p++) if (!staticPixels[p]) out[k++] = p;
  return out;
}

/** Time of output frame j of `count` within the exposure, as a fraction of the exposure: the centre
 * of the j-th of `count` equal slices, (j + 0.5) / count - 0.5 (j = 3 of 7 is the middle, 0). */
export function frameTime(j: number, count = 7): number {
  return (j + 0.5) / count - 0.5;
}
