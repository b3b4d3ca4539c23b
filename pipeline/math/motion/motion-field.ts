// Motion fields: how far, and which way, the content at each pixel moves per frame interval.
// Pure: no I/O. Conventions: interleaved (x, y) per pixel in pixels, +x right, +y down, signed
// forward in time (the content at pixel p of the blurry frame's middle instant is at p + t * F(p)
// t frame intervals later). The motion during the exposure is e * F, e the exposure fraction.
import { DEFAULT_STATIC_THRESHOLD } from '../guidance.js';
import type { FlowField } from '../types.js';

/**
 * A motion field: a FlowField in pixels per frame interval (see the file comment for the
 * convention). When it is the mean of the motion from the previous frame and the motion to the next
 * one, `disagreement` holds how far those two are apart at each pixel, |F_prev - F_next| (pixels per
 * frame interval; one value per pixel): where they differ, the motion during the exposure was not
 * the straight, steady line the physics assumes (a turn, a change of speed, an occlusion, a flow
 * error). Absent: one motion (a file, one neighbour), taken as it is.
 */
export interface MotionField extends FlowField {
  readonly disagreement?: Float32Array;
}

/** Exposure fractions afb accepts: the shutter is open for e of the frame interval, 0 < e <= 1. */
export const MIN_EXPOSURE = 0.05;

/** Check an exposure fraction; RangeError naming the value otherwise. */
export function validateExposure(e: number, name = 'exposure'): number {
  if (!(Number.isFinite(e) && e >= MIN_EXPOSURE && e <= 1)) {
    throw new RangeError(`Expected a number in [${MIN_EXPOSURE}, 1] for ${name} but received ${e}`);
  }
  return e;
}

/** The mean of two motion fields of the same size (a new field), with their disagreement |a - b| per pixel. */
export function meanMotion(a: MotionField, b: MotionField): MotionField {
  if (a.width !== b.width || a.height !== b.height) throw new RangeError(`Motion sizes differ: ${a.width}x${a.height} vs ${b.width}x${b.height}`);
  const out = new Float32Array(a.data.length);
  const disagreement = new Float32Array(a.width * a.height);
  for (let p = 0; p < disagreement.length; p++) {
    const ax = a.data[2 * p]!;
    const ay = a.data[2 * p + 1]!;
    const bx = b.data[2 * p]!;
    const by = b.data[2 * p + 1]!;
    out[2 * p] = 0.5 * (ax + bx);
    out[2 * p + 1] = 0.5 * (ay + by);
    disagreement[p] = Math.hypot(ax - bx, ay - by);
  }
  return { width: a.width, height: a.height, data: out, disagreement };
}

/**
 * How much of the deblurring to keep at each pixel, from the motion's disagreement (motionTrust):
 * all of it where the two neighbours' motions differ by at most T = TRUST_RELATIVE |F| +
 * TRUST_PIXELS, none where they differ by 2T or more, linear in between. Chosen on real clips that
 * are not the benchmark's (`npm run bench:flow-trust`, docs/motion.md#trusting-the-motion).
 */
export const TRUST_RELATIVE = 0.5;
export const TRUST_PIXELS = 1;

/**
 * Per pixel, the share of the deblurring the physics keeps (1: all, 0: none, the blurry frame
 * itself is moved along the motion): 1 - clamp((d - T) / T, 0, 1) with d the disagreement and
 * T = relative |F| + pixels (default TRUST_RELATIVE, TRUST_PIXELS). Undefined when the motion has
 * no disagreement (trusted). With `at` (pixel indices, e.g. the moving pixels) only those pixels
 * are computed; the others are 0 and mean nothing.
 */
export function motionTrust(m: MotionField, relative = TRUST_RELATIVE, pixels = TRUST_PIXELS, at?: Int32Array): Float32Array | undefined {
  if (!(relative >= 0 && pixels > 0)) throw new RangeError(`Expected relative >= 0 and pixels > 0 for the motion trust but received ${relative} and ${pixels}`);
  const d = m.disagreement;
  if (!d) return undefined;
  const n = m.width * m.height;
  if (d.length !== n) throw new RangeError(`Expected ${n} disagreement values (one per pixel of ${m.width}x${m.height}) but received ${d.length}`);
  const out = new Float32Array(n);
  const count = at ? at.length : n;
  for (let k = 0; k < count; k++) {
    const p = at ? at[k]! : k;
    if (!(p >= 0 && p < n)) throw new RangeError(`Expected pixel indices in [0, ${n}) but received ${p}`);
    const t = relative * Math.hypot(m.data[2 * p]!, m.data[2 * p + 1]!) + pixels;
    const w = 1 - (d[p]! - t) / t;
    out[p] = w >= 1 ? 1 : w <= 0 ? 0 : w;
  }
  return out;
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
