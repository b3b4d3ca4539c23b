// The box around what moves in a sample: the B-Aist++ annotation (`blur_anno/*.pkl`) that the
// reference evaluation crops to. Pure.
import type { FlowField } from './types.js';

/** Bounding box [x0, y0, x1, y1] of the pixels whose aggregate flow reaches the threshold (whole frame if none). */
export function movingBbox(flow: FlowField, threshold: number): [number, number, number, number] {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  const t2 = threshold * threshold;
  for (let y = 0; y < flow.height; y++) {
    for (let x = 0; x < flow.width; x++) {
      const p = y * flow.width + x;
      const u = flow.data[2 * p]!;
      const v = flow.data[2 * p + 1]!;
      if (u * u + v * v >= t2) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return x1 < 0 ? [0, 0, flow.width, flow.height] : [x0, y0, x1 + 1, y1 + 1];
}
