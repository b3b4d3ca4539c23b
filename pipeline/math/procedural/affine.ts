// 2-D affine maps and the continuous-time motion of a rigid layer (translation with a linear
// velocity ramp, rotation, zoom). Pure: no I/O.

/** Affine map (x, y) -> (a*x + b*y + c, d*x + e*y + f), stored as [a, b, c, d, e, f]. */
export type Affine = readonly [number, number, number, number, number, number];

/** Apply an affine map to a point. */
export function applyAffine(m: Affine, x: number, y: number): [number, number] {
  return [m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]];
}

/** Composition `outer ∘ inner` (apply inner first). */
export function composeAffine(outer: Affine, inner: Affine): Affine {
  const [a, b, c, d, e, f] = outer;
  const [p, q, r, s, t, u] = inner;
  return [a * p + b * s, a * q + b * t, a * r + b * u + c, d * p + e * s, d * q + e * t, d * r + e * u + f];
}

/** Inverse of an affine map; RangeError when it is singular. */
export function invertAffine(m: Affine): Affine {
  const [a, b, c, d, e, f] = m;
  const det = a * e - b * d;
  if (!(Math.abs(det) > 1e-12)) throw new RangeError(`Affine map ${JSON.stringify(m)} is not invertible`);
  const ia = e / det;
  const ib = -b / det;
  const id = -d / det;
  const ie = a / det;
  return [ia, ib, -(ia * c + ib * f), id, ie, -(id * c + ie * f)];
}

/**
 * Motion of a rigid layer over the video timeline t (in exposures; exposure i spans [i, i+1)).
 * Layer point `anchor` sits at image position p(t) = centre + v0 t + (v1 - v0) t^2 / (2 duration)
 * (velocity ramps linearly from v0 to v1 over `duration`), rotated by rot0 + omega t (radians,
 * y-down image axes) and scaled by exp(logScale0 + zeta t) about the anchor.
 */
export interface LayerMotion {
  readonly anchor: readonly [number, number];
  readonly centre: readonly [number, number];
  readonly v0: readonly [number, number];
  readonly v1: readonly [number, number];
  readonly duration: number;
  readonly rot0: number;
  readonly omega: number;
  readonly logScale0: number;
  readonly zeta: number;
}

/** A motion that never moves: the layer's anchor stays at `centre`. */
export function staticMotion(anchor: readonly [number, number], centre: readonly [number, number]): LayerMotion {
  return { anchor, centre, v0: [0, 0], v1: [0, 0], duration: 1, rot0: 0, omega: 0, logScale0: 0, zeta: 0 };
}

/** Image position of the anchor at time t. */
export function positionAt(m: LayerMotion, t: number): [number, number] {
  const k = (t * t) / (2 * m.duration);
  return [m.centre[0] + m.v0[0] * t + (m.v1[0] - m.v0[0]) * k, m.centre[1] + m.v0[1] * t + (m.v1[1] - m.v0[1]) * k];
}

/** Velocity of the anchor at time t (pixels per exposure). */
export function velocityAt(m: LayerMotion, t: number): [number, number] {
  const w = t / m.duration;
  return [m.v0[0] + (m.v1[0] - m.v0[0]) * w, m.v0[1] + (m.v1[1] - m.v0[1]) * w];
}

/** Forward map at time t: layer (texture) coordinates -> image coordinates. */
export function layerToImage(m: LayerMotion, t: number): Affine {
  const s = Math.exp(m.logScale0 + m.zeta * t);
  const th = m.rot0 + m.omega * t;
  const cs = s * Math.cos(th);
  const sn = s * Math.sin(th);
  const [px, py] = positionAt(m, t);
  const [ax, ay] = m.anchor;
  return [cs, -sn, px - cs * ax + sn * ay, sn, cs, py - sn * ax - cs * ay];
}

/** Inverse map at time t: image coordinates -> layer (texture) coordinates. */
export function imageToLayer(m: LayerMotion, t: number): Affine {
  return invertAffine(layerToImage(m, t));
}

/** Map taking the image position of a layer point at time t0 to its image position at t1. */
export function imageFlowMap(m: LayerMotion, t0: number, t1: number): Affine {
  return composeAffine(layerToImage(m, t1), imageToLayer(m, t0));
}

/**
 * Upper bound of how far any layer point within `radius` pixels (in image space) of the anchor
 * moves during [t0, t1]: translation + rotation arc + zoom change, evaluated on the path.
 */
export function maxDisplacement(m: LayerMotion, t0: number, t1: number, radius: number): number {
  const [x0, y0] = positionAt(m, t0);
  const [x1, y1] = positionAt(m, t1);
  const dt = Math.abs(t1 - t0);
  const vmax = Math.max(Math.hypot(...velocityAt(m, t0)), Math.hypot(...velocityAt(m, t1)));
  const path = Math.max(Math.hypot(x1 - x0, y1 - y0), vmax * dt);
  const rot = Math.abs(m.omega) * dt * radius;
  const zoom = Math.abs(Math.expm1(Math.abs(m.zeta) * dt)) * radius;
  return path + rot + zoom;
}
