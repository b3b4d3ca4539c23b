// Motion guidance: quantise optical flow into quadrant directions with the reference
// implementation's conventions (see docs/flow.md). Pure: no I/O.
import type { FlowField, GuidanceMap } from './types.js';

/** Default static threshold: flow magnitude below this many pixels is static. */
export const DEFAULT_STATIC_THRESHOLD = 0.5;

/**
 * Quantise one flow vector (u, v) (pixels, y down) to 4-direction guidance (x, y).
 * |flow| < threshold -> (0,0); else (sign u, sign v), where an exactly-zero component is
 * decided by the reference angle bins of atan2(v, u): (1,1) = (0deg, 90deg],
 * (-1,1) = (90deg, 180deg], (-1,-1) = (-180deg, -90deg], (1,-1) = (-90deg, 0deg].
 */
export function quantizeVector4(u: number, v: number, threshold = DEFAULT_STATIC_THRESHOLD): [number, number] {
  if (!(Math.hypot(u, v) >= threshold)) return [0, 0];
  if (u !== 0 && v !== 0) return [Math.sign(u), Math.sign(v)];
  const a = Math.atan2(v, u); // (-pi, pi]
  if (a > 0 && a <= Math.PI / 2) return [1, 1];
  if (a > Math.PI / 2) return [-1, 1];
  if (a <= -Math.PI / 2) return [-1, -1];
  return [1, -1]; // (-90deg, 0deg]
}

/** Quantise a whole flow field to 4-direction guidance (2 channels). */
export function quantizeFlow4(flow: FlowField, threshold = DEFAULT_STATIC_THRESHOLD): GuidanceMap {
  const n = flow.width * flow.height;
  const data = new Int8Array(n * 2);
  const f = flow.data;
  // Per pixel this is quantizeVector4 without its allocation and hypot (it dominated the time at
  // 1080p): squared magnitudes decide unless within 1e-9 of the threshold, where hypot decides
  // exactly as quantizeVector4 does; both-non-zero components are their signs.
  const tt = threshold * threshold;
  const lo = tt * (1 - 1e-9);
  const hi = tt * (1 + 1e-9);
  for (let i = 0; i < n; i++) {
    const u = f[2 * i]!;
    const v = f[2 * i + 1]!;
    const s = u * u + v * v;
    if (!(s >= lo)) continue; // static (and NaN)
    if (s <= hi && !(Math.hypot(u, v) >= threshold)) continue;
    if (u !== 0 && v !== 0) {
      data[2 * i] = u > 0 ? 1 : -1;
      data[2 * i + 1] = v > 0 ? 1 : -1;
    } else {
      const [x, y] = quantizeVector4(u, v, threshold);
      data[2 * i] = x;
      data[2 * i + 1] = y;
    }
  }
  return { width: flow.width, height: flow.height, channels: 2, data };
}

/** Direction counts the quantiser supports (the paper's appendix evaluates 2, 8 and 16 besides 4). */
export const DIRECTION_COUNTS = [2, 4, 8, 16] as const;
export type DirectionCount = (typeof DIRECTION_COUNTS)[number];

/** Channels of a guidance map for `directions`: 1 (2 dirs), 2 (4 dirs), 3 (8 dirs), 4 (16 dirs). */
export function channelsForDirections(directions: DirectionCount): number {
  return directions === 2 ? 1 : directions === 4 ? 2 : directions === 8 ? 3 : 4;
}

/** Inverse of channelsForDirections; RangeError for a channel count no encoding uses. */
export function directionsForChannels(channels: number): DirectionCount {
  const d = ([2, 4, 8, 16] as const)[channels - 1];
  if (d === undefined) throw new RangeError(`A guidance map has 1 to 4 channels, not ${channels}`);
  return d;
}

/** tan(22.5deg) = sqrt(2) - 1: the boundary between the axis and diagonal halves of an octant (16 directions). */
const TAN_22_5 = Math.SQRT2 - 1;

/**
 * Quantise one flow vector into the sign-bit code of `directions` directions (y down).
 * Every code is an angle sector (a, b] of atan2(v, u), nested in the reference quadrants:
 * - 2: [x] = the x channel of the 4-direction code (so vertical motion follows the 4-direction tie-break);
 * - 4: [x, y], exactly quantizeVector4 (reference);
 * - 8: [x, y, h], h = +1 when the motion is more horizontal (|u| > |v|), -1 when more vertical;
 * - 16: [x, y, h, a], a = +1 in the half of the octant next to an axis, -1 next to the diagonal.
 * A vector on a sector boundary belongs to the sector with the smaller angle, as in the reference bins.
 * |flow| < threshold gives all zeros (static).
 */
export function quantizeVector(u: number, v: number, directions: DirectionCount = 4, threshold = DEFAULT_STATIC_THRESHOLD): number[] {
  const [x, y] = quantizeVector4(u, v, threshold);
  if (directions === 2) return [x];
  if (directions === 4) return [x, y];
  if (x === 0) return directions === 8 ? [0, 0, 0] : [0, 0, 0, 0];
  const au = Math.abs(u);
  const av = Math.abs(v);
  // Angle grows with |v| in quadrants (1,1) and (-1,-1): there a boundary tie goes to the smaller |v|/|u|.
  const growing = x === y;
  const h = au > av || (au === av && growing) ? 1 : -1;
  if (directions === 8) return [x, y, h];
  const lo = Math.min(au, av);
  const hi = Math.max(au, av);
  const edge = TAN_22_5 * hi;
  // The octant half nearer the axis: lo < tan(22.5) * hi; on the boundary, the smaller angle wins.
  const nearAxisOnTie = growing === (h === 1);
  const a = lo < edge || (lo === edge && nearAxisOnTie) ? 1 : -1;
  return [x, y, h, a];
}

/** Options of the field quantiser. */
export interface QuantizeOptions {
  /** 2, 4 (default), 8 or 16 directions. */
  readonly directions?: DirectionCount;
  /** Magnitude in pixels below which a pixel is static (default 0.5; exactly the threshold is moving). */
  readonly threshold?: number;
}

/** Quantise a flow field into a guidance map with `directions` directions (see quantizeVector). */
export function quantizeFlow(flow: FlowField, options: QuantizeOptions = {}): GuidanceMap {
  const directions = options.directions ?? 4;
  const threshold = options.threshold ?? DEFAULT_STATIC_THRESHOLD;
  if (directions === 4) return quantizeFlow4(flow, threshold);
  const c = channelsForDirections(directions);
  const n = flow.width * flow.height;
  const data = new Int8Array(n * c);
  for (let i = 0; i < n; i++) {
    const code = quantizeVector(flow.data[2 * i]!, flow.data[2 * i + 1]!, directions, threshold);
    for (let k = 0; k < c; k++) data[i * c + k] = code[k]!;
  }
  return { width: flow.width, height: flow.height, channels: c, data };
}

/**
 * Aggregate several flows of the same size by summing them per pixel, as the reference does for
 * training guidance (the flows between consecutive sharp frames, not warped/composed).
 */
export function aggregateFlows(flows: readonly FlowField[]): FlowField {
  const first = flows[0];
  if (!first) throw new RangeError('aggregateFlows needs at least one flow field');
  const data = new Float32Array(first.data.length);
  for (const f of flows) {
    if (f.width !== first.width || f.height !== first.height) {
      throw new RangeError(`Flow sizes differ: ${f.width}x${f.height} vs ${first.width}x${first.height}`);
    }
    for (let i = 0; i < data.length; i++) data[i]! += f.data[i]!;
  }
  return { width: first.width, height: first.height, data };
}

/** Fraction of the pixels whose guidance is not static (any channel non-zero). */
export function movingFraction(g: GuidanceMap): number {
  let moving = 0;
  for (let i = 0; i < g.width * g.height; i++) {
    for (let k = 0; k < g.channels; k++) {
      if (g.data[i * g.channels + k] !== 0) {
        moving++;
        break;
      }
    }
  }
  return moving / (g.width * g.height);
}
