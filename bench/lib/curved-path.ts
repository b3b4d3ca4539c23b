// Rendering a latent (sharp) frame along a straight or a curved path over the exposure, for
// bench/motion-headroom.ts. Pure: no I/O. The straight path is the physics renderer's (frame j at x
// is the latent at x - t_j e F(x)); the curved one is the parabola through the flows from the
// previous frame and to the next: d(tau) = tau v + tau^2 a / 2, v = (F_next + F_prev) / 2,
// a = F_next - F_prev (tau in frame intervals; F_prev is the motion from the previous frame, the
// negated flow to it).
import { frameTime, meanMotion, type MotionField } from '../../pipeline/math/motion/motion-field.js';
import { addBilinear } from '../../pipeline/math/motion/line-kernel.js';
import { prepareMotion, renderAlongMotion, resolvePhysicsOptions } from '../../pipeline/math/motion/physics.js';

/** Output frames per blurry frame. */
const FRAMES = 7;

/** The latent frame rendered along the straight path of `motion` (as the physics renders). */
export function straight(latent: Float32Array, motion: MotionField, exposure: number): Float32Array {
  return renderAlongMotion(latent, prepareMotion(motion, resolvePhysicsOptions({ exposure })), FRAMES);
}

/** The latent frame rendered along the parabola through the neighbours' flows: frame j at pixel x
 * is the latent at x - t_j D_j(x), D_j = e (v + tau_j a / 2) and tau_j = t_j e, so that
 * t_j D_j = tau_j v + tau_j^2 a / 2 (D_j rounded to float32 like the physics' displacement, so that
 * without acceleration this is the straight path exactly). Static pixels as the straight path's. */
export function curved(latent: Float32Array, fromPrev: MotionField, toNext: MotionField, exposure: number): Float32Array {
  const { width: w, height: h } = fromPrev;
  const v = meanMotion(fromPrev, toNext);
  const { isStatic } = prepareMotion(v, resolvePhysicsOptions({ exposure }));
  const times = Array.from({ length: FRAMES }, (_, j) => frameTime(j, FRAMES));
  const c = FRAMES * 3;
  const out = new Float32Array(w * h * c);
  for (let p = 0; p < w * h; p++) {
    const x = p % w;
    const y = (p - x) / w;
    if (isStatic[p]) {
      for (let j = 0; j < FRAMES; j++) for (let ch = 0; ch < 3; ch++) out[p * c + 3 * j + ch] = latent[p * 3 + ch]!;
      continue;
    }
    const ax = toNext.data[2 * p]! - fromPrev.data[2 * p]!;
    const ay = toNext.data[2 * p + 1]! - fromPrev.data[2 * p + 1]!;
    for (let j = 0; j < FRAMES; j++) {
      const tau = times[j]! * exposure;
      const dx = Math.fround(exposure * (v.data[2 * p]! + 0.5 * tau * ax));
      const dy = Math.fround(exposure * (v.data[2 * p + 1]! + 0.5 * tau * ay));
      addBilinear(latent, w, h, 3, x - times[j]! * dx, y - times[j]! * dy, 1, out, p * c + 3 * j);
    }
  }
  return out;
}
