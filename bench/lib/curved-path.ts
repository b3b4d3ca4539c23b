// Rendering a latent (sharp) frame along a straight or a curved path over the exposure, for
// bench/motion-headroom.ts. Pure: no I/O. The straight path is the physics renderer's (frame j at x
// is the latent at x - t_j e F(x)); the curved one is the parabola through the flows from the
// previous frame and to the next: d(tau) = tau v + tau^2 a / 2, v = (F_next + F_prev) / 2,
// a = F_next - F_prev (tau in frame intervals; F_prev is the motion from the previous frame, the
// negated flow to it).
import { frameTime, meanMotion, type MotionField } from '../../pipeline/math/motion/motion-field.js';
import { prepareMotion, renderAlongMotion, resolvePhysicsOptions, type PreparedMotion } from '../../pipeline/math/motion/physics.js';

/** Output frames per blurry frame. */
const FRAMES = 7;

/** The latent frame rendered along the straight path of `motion` (as the physics renders). */
export function straight(latent: Float32Array, motion: MotionField, exposure: number): Float32Array {
  return renderAlongMotion(latent, prepareMotion(motion, resolvePhysicsOptions({ exposure })), FRAMES);
}

/** The latent frame rendered along the parabola through the neighbours' flows: frame j at time
 * tau_j = t_j e is the straight render with displacement e (v + tau_j a / 2) at t_j, so that
 * t_j e (v + tau_j a / 2) = tau_j v + tau_j^2 a / 2. Static pixels as the straight path's. */
export function curved(latent: Float32Array, fromPrev: MotionField, toNext: MotionField, exposure: number): Float32Array {
  const { width: w, height: h } = fromPrev;
  const v = meanMotion(fromPrev, toNext);
  const base = prepareMotion(v, resolvePhysicsOptions({ exposure }));
  const out = new Float32Array(w * h * FRAMES * 3);
  for (let j = 0; j < FRAMES; j++) {
    const tau = frameTime(j, FRAMES) * exposure;
    const data = Float32Array.from(v.data, (vi, i) => exposure * (vi + 0.5 * tau * (toNext.data[i]! - fromPrev.data[i]!)));
    const pj: PreparedMotion = { ...prepareMotion({ width: w, height: h, data }, resolvePhysicsOptions({ exposure: 1 })), isStatic: base.isStatic };
    const frames = renderAlongMotion(latent, pj, FRAMES);
    for (let p = 0; p < w * h; p++) for (let c = 0; c < 3; c++) out[p * FRAMES * 3 + 3 * j + c] = frames[p * FRAMES * 3 + 3 * j + c]!;
  }
  return out;
}
