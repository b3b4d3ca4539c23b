// Guidance for footage synthesis at a reduced resolution: ground-truth frames are box-averaged
// by an integer factor before flow estimation, the flows are summed there, and only the
// aggregate is brought back to full resolution (vectors scaled). Pure: no I/O.
import type { FlowField, RgbImage } from './types.js';

/** Integer factor that brings `width` closest to `targetWidth` without going below 1. */
export function downscaleFactor(width: number, targetWidth: number): number {
  return Math.max(1, Math.round(width / Math.max(1, targetWidth)));
}

/** Box-average an 8-bit RGB image by an integer factor (trailing rows/columns that do not fill a box are dropped). */
export function boxDownscale8(img: RgbImage, factor: number): RgbImage & { data: Uint8Array } {
  if (!Number.isInteger(factor) || factor < 1) throw new RangeError(`Expected an integer factor >= 1 but received ${factor}`);
  if (factor === 1) return { width: img.width, height: img.height, data: Uint8Array.from(img.data) };
  const w = Math.max(1, Math.floor(img.width / factor));
  const h = Math.max(1, Math.floor(img.height / factor));
  const out = new Uint8Array(w * h * 3);
  const acc = new Uint32Array(w * 3);
  const area = Math.min(factor, img.height) * Math.min(factor, img.width);
  for (let y = 0; y < h; y++) {
    acc.fill(0);
    for (let dy = 0; dy < factor && y * factor + dy < img.height; dy++) {
      const row = (y * factor + dy) * img.width * 3;
      for (let x = 0; x < w; x++) {
        for (let dx = 0; dx < factor && x * factor + dx < img.width; dx++) {
          const i = row + (x * factor + dx) * 3;
          acc[3 * x] += img.data[i]!;
          acc[3 * x + 1] += img.data[i + 1]!;
          acc[3 * x + 2] += img.data[i + 2]!;
        }
      }
    }
    for (let i = 0; i < w * 3; i++) out[y * w * 3 + i] = Math.round(acc[i]! / area);
  }
  return { width: w, height: h, data: out };
}

/**
 * Bring a flow computed on a box-downscaled image back to width x height: bilinear sampling at
 * the matching positions ((x + 0.5) / factor - 0.5, clamped) and vectors multiplied by the factor.
 */
export function upscaleFlow(flow: FlowField, factor: number, width: number, height: number): FlowField {
  const out = new Float32Array(width * height * 2);
  const fw = flow.width;
  const fh = flow.height;
  for (let y = 0; y < height; y++) {
    const sy = Math.min(fh - 1, Math.max(0, (y + 0.5) / factor - 0.5));
    const y0 = Math.min(fh - 1, Math.floor(sy));
    const y1 = Math.min(fh - 1, y0 + 1);
    const ty = sy - y0;
    for (let x = 0; x < width; x++) {
      const sx = Math.min(fw - 1, Math.max(0, (x + 0.5) / factor - 0.5));
      const x0 = Math.min(fw - 1, Math.floor(sx));
      const x1 = Math.min(fw - 1, x0 + 1);
      const tx = sx - x0;
      for (let c = 0; c < 2; c++) {
        const a = flow.data[2 * (y0 * fw + x0) + c]!;
        const b = flow.data[2 * (y0 * fw + x1) + c]!;
        const d = flow.data[2 * (y1 * fw + x0) + c]!;
        const e = flow.data[2 * (y1 * fw + x1) + c]!;
        const top = a + tx * (b - a);
        out[2 * (y * width + x) + c] = factor * (top + ty * (d + tx * (e - d) - top));
      }
    }
  }
  return { width, height, data: out };
}
