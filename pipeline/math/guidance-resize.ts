// Nearest-neighbour resizing of guidance maps (half-resolution reference files <-> full size). Pure.
import type { GuidanceMap } from './types.js';

/**
 * Resize guidance with nearest neighbour, source index floor(dst * src / dst_size) (OpenCV's
 * INTER_NEAREST, which the reference's half-resolution guidance goes through).
 */
export function resizeGuidanceNearest(g: GuidanceMap, width: number, height: number): GuidanceMap {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`Expected a positive integer size but received ${width}x${height}`);
  }
  if (width === g.width && height === g.height) return g;
  const c = g.channels;
  const data = new Int8Array(width * height * c);
  const xs = new Int32Array(width);
  for (let x = 0; x < width; x++) xs[x] = Math.min(g.width - 1, Math.floor((x * g.width) / width));
  for (let y = 0; y < height; y++) {
    const sy = Math.min(g.height - 1, Math.floor((y * g.height) / height));
    for (let x = 0; x < width; x++) {
      const si = (sy * g.width + xs[x]!) * c;
      const di = (y * width + x) * c;
      for (let k = 0; k < c; k++) data[di + k] = g.data[si + k]!;
    }
  }
  return { width, height, channels: c, data };
}

/** Half-resolution guidance as the reference stores it: ceil(W/2) x ceil(H/2), pixel (2x, 2y) kept. */
export function halveGuidance(g: GuidanceMap): GuidanceMap {
  const width = Math.ceil(g.width / 2);
  const height = Math.ceil(g.height / 2);
  const c = g.channels;
  const data = new Int8Array(width * height * c);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const si = (2 * y * g.width + 2 * x) * c;
      const di = (y * width + x) * c;
      for (let k = 0; k < c; k++) data[di + k] = g.data[si + k]!;
    }
  }
  return { width, height, channels: c, data };
}
