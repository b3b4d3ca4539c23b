// The 7 decomposed frames, as the physics renders them (pixel-major sRGB floats in [0,1], 21
// channels per pixel: channel = frame * 3 + rgb), as 8-bit metric frames for PSNR. Pure: no I/O.
import type { MetricFrame } from '../../pipeline/math/metrics.js';

/** Output frames per blurry frame. */
const FRAMES = 7;

/** Pixel-major sRGB floats (FRAMES * 3 channels) as FRAMES 8-bit metric frames (rounded, clamped). */
export function pixelMajorToFrames(srgb: Float32Array, width: number, height: number): MetricFrame[] {
  const n = width * height;
  const c = FRAMES * 3;
  return Array.from({ length: FRAMES }, (_, j) => {
    const data = new Uint8Array(n * 3);
    for (let p = 0; p < n; p++) for (let ch = 0; ch < 3; ch++) data[p * 3 + ch] = Math.round(255 * Math.min(1, Math.max(0, srgb[p * c + 3 * j + ch]!)));
    return { width, height, channels: 3, data };
  });
}
