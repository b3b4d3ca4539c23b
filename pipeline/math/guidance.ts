// Motion guidance: quantise optical flow into quadrant directions with the reference
// implementation's conventions (see docs/guidance.md). Pure: no I/O.
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
  for (let i = 0; i < n; i++) {
    const [x, y] = quantizeVector4(flow.data[2 * i]!, flow.data[2 * i + 1]!, threshold);
    data[2 * i] = x;
    data[2 * i + 1] = y;
  }
  return { width: flow.width, height: flow.height, channels: 2, data };
}
