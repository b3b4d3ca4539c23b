// The blur of linear motion: each pixel is the mean of K samples of the sharp image along its
// own streak, the motion over the exposure taken at that (output) pixel. Pure: no I/O.
//   A(L)(x) = (1/K) sum_k L(x - t_k D(x)),  t_k = (k + 0.5)/K - 0.5,  k = 0..K-1
// with bilinear sampling clamped to the image (the edge pixels extend outwards). The kernel is
// symmetric in t, so the sign of D does not change A.

/** How the streak is sampled. */
export interface LineKernelOptions {
  /** Largest distance between neighbouring samples along the streak, pixels. */
  readonly spacing: number;
  /** Most samples per pixel (long streaks are sampled more sparsely). */
  readonly maxSamples: number;
}

/** Samples for a streak of `length` pixels: ceil(length / spacing), within [1, maxSamples]. */
export function sampleCount(length: number, o: LineKernelOptions): number {
  return Math.min(o.maxSamples, Math.max(1, Math.ceil(length / o.spacing)));
}

/** Samples per pixel of a displacement field D (interleaved dx, dy), for `applyLineKernel`. */
export function sampleCounts(displacement: Float32Array, o: LineKernelOptions): Uint8Array {
  const n = displacement.length >> 1;
  const out = new Uint8Array(n);
  for (let p = 0; p < n; p++) out[p] = sampleCount(Math.hypot(displacement[2 * p]!, displacement[2 * p + 1]!), o);
  return out;
}

/**
 * Bilinear sample of an interleaved image with `c` channels at (sx, sy), clamped to the image,
 * added with weight `w` into out[o..o+c).
 */
export function addBilinear(src: Float32Array, width: number, height: number, c: number, sx: number, sy: number, w: number, out: Float32Array, o: number): void {
  const xm = width - 1;
  const ym = height - 1;
  const x = sx < 0 ? 0 : sx > xm ? xm : sx;
  const y = sy < 0 ? 0 : sy > ym ? ym : sy;
  const x0 = x | 0;
  const y0 = y | 0;
  const fx = x - x0;
  const fy = y - y0;
  const dx = x0 < xm ? c : 0;
  const dy = y0 < ym ? width * c : 0;
  const i00 = (y0 * width + x0) * c;
  const w00 = (1 - fx) * (1 - fy) * w;
  const w01 = fx * (1 - fy) * w;
  const w10 = (1 - fx) * fy * w;
  const w11 = fx * fy * w;
  for (let ch = 0; ch < c; ch++) {
    const i = i00 + ch;
    out[o + ch] += w00 * src[i]! + w01 * src[i + dx]! + w10 * src[i + dy]! + w11 * src[i + dx + dy]!;
  }
}

/**
 * dst = A(src) at the listed pixels (interleaved RGB; other pixels of dst untouched).
 * `counts` holds K per pixel (sampleCounts), `displacement` D per pixel.
 */
export function applyLineKernel(
  src: Float32Array, dst: Float32Array, width: number, height: number,
  displacement: Float32Array, counts: Uint8Array, pixels: Int32Array,
): void {
  const xm = width - 1;
  const ym = height - 1;
  const row = width * 3;
  for (let i = 0; i < pixels.length; i++) {
    const p = pixels[i]!;
    const y = Math.floor(p / width);
    const x = p - y * width;
    const ddx = displacement[2 * p]!;
    const ddy = displacement[2 * p + 1]!;
    const k = counts[p]!;
    const inv = 1 / k;
    let r = 0;
    let g = 0;
    let b = 0;
    for (let s = 0; s < k; s++) {
      const t = (s + 0.5) * inv - 0.5;
      let sx = x - t * ddx;
      let sy = y - t * ddy;
      sx = sx < 0 ? 0 : sx > xm ? xm : sx;
      sy = sy < 0 ? 0 : sy > ym ? ym : sy;
      const x0 = sx | 0;
      const y0 = sy | 0;
      const fx = sx - x0;
      const fy = sy - y0;
      const dx = x0 < xm ? 3 : 0;
      const dy = y0 < ym ? row : 0;
      const i00 = (y0 * width + x0) * 3;
      const w00 = (1 - fx) * (1 - fy);
      const w01 = fx * (1 - fy);
      const w10 = (1 - fx) * fy;
      const w11 = fx * fy;
      const i01 = i00 + dx;
      const i10 = i00 + dy;
      const i11 = i10 + dx;
      r += w00 * src[i00]! + w01 * src[i01]! + w10 * src[i10]! + w11 * src[i11]!;
      g += w00 * src[i00 + 1]! + w01 * src[i01 + 1]! + w10 * src[i10 + 1]! + w11 * src[i11 + 1]!;
      b += w00 * src[i00 + 2]! + w01 * src[i01 + 2]! + w10 * src[i10 + 2]! + w11 * src[i11 + 2]!;
    }
    const o = p * 3;
    dst[o] = r * inv;
    dst[o + 1] = g * inv;
    dst[o + 2] = b * inv;
  }
}
