// Greyscale conversion, area resampling, pyramid halving and bilinear sampling for the
// built-in flow estimator. Single-channel images are plain Float32Arrays (row-major). Pure.
import type { RgbImage } from '../types.js';

/** A single-channel float image. */
export interface GrayImage {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
}

/**
 * Luma (Rec. 601 weights on the encoded values, in [0,1]) of an RGB image, area-averaged down to
 * `outWidth` x `outHeight` (<= the input size) in one pass over the input.
 */
export function toGrayResized(image: RgbImage, outWidth: number, outHeight: number): GrayImage {
  const { width: w, height: h, data: src } = image;
  if (outWidth > w || outHeight > h || outWidth < 1 || outHeight < 1) {
    throw new RangeError(`Cannot area-resample ${w}x${h} to ${outWidth}x${outHeight}`);
  }
  const max = src instanceof Uint16Array ? 65535 : 255;
  const wr = 0.299 / max;
  const wg = 0.587 / max;
  const wb = 0.114 / max;
  // Column bins: output column of each input column.
  const colBin = new Int32Array(w);
  const colCount = new Float32Array(outWidth);
  for (let x = 0; x < w; x++) {
    const b = Math.min(outWidth - 1, Math.floor((x * outWidth) / w));
    colBin[x] = b;
    colCount[b]!++;
  }
  const out = new Float32Array(outWidth * outHeight);
  const row = new Float32Array(outWidth);
  let y = 0;
  for (let oy = 0; oy < outHeight; oy++) {
    const yStart = y;
    const yEnd = Math.max(y + 1, Math.floor(((oy + 1) * h) / outHeight));
    row.fill(0);
    for (; y < yEnd; y++) {
      let i = y * w * 3;
      for (let x = 0; x < w; x++, i += 3) row[colBin[x]!]! += wr * src[i]! + wg * src[i + 1]! + wb * src[i + 2]!;
    }
    const rows = yEnd - yStart;
    const o = oy * outWidth;
    for (let ox = 0; ox < outWidth; ox++) out[o + ox] = row[ox]! / (colCount[ox]! * rows);
  }
  return { width: outWidth, height: outHeight, data: out };
}

/** Halve an image (2x2 average; an odd last row/column is averaged with itself). Size ceil(w/2) x ceil(h/2). */
export function halve(img: GrayImage): GrayImage {
  const { width: w, height: h, data: s } = img;
  const ow = (w + 1) >> 1;
  const oh = (h + 1) >> 1;
  const out = new Float32Array(ow * oh);
  for (let oy = 0; oy < oh; oy++) {
    const y0 = 2 * oy * w;
    const y1 = Math.min(2 * oy + 1, h - 1) * w;
    for (let ox = 0; ox < ow; ox++) {
      const x0 = 2 * ox;
      const x1 = Math.min(x0 + 1, w - 1);
      out[oy * ow + ox] = 0.25 * (s[y0 + x0]! + s[y0 + x1]! + s[y1 + x0]! + s[y1 + x1]!);
    }
  }
  return { width: ow, height: oh, data: out };
}

/** Central-difference gradients (one-sided at the border). */
export function gradients(img: GrayImage): { gx: Float32Array; gy: Float32Array } {
  const { width: w, height: h, data: s } = img;
  const gx = new Float32Array(w * h);
  const gy = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const ym = Math.max(0, y - 1) * w;
    const yp = Math.min(h - 1, y + 1) * w;
    const dy = y === 0 || y === h - 1 ? 1 : 0.5;
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const xm = Math.max(0, x - 1);
      const xp = Math.min(w - 1, x + 1);
      gx[i] = (s[y * w + xp]! - s[y * w + xm]!) * (x === 0 || x === w - 1 ? 1 : 0.5);
      gy[i] = (s[yp + x]! - s[ym + x]!) * dy;
    }
  }
  return { gx, gy };
}

/**
 * Box sum over a (2r+1)^2 window, zero outside the image, written to `out` (may not alias `src`).
 * `tmp` is scratch of the same length. Running sums: O(1) per pixel whatever r.
 */
export function boxSum(src: Float32Array, w: number, h: number, r: number, out: Float32Array, tmp: Float32Array): void {
  for (let y = 0; y < h; y++) {
    const o = y * w;
    let acc = 0;
    for (let x = 0; x < Math.min(r, w); x++) acc += src[o + x]!;
    for (let x = 0; x < w; x++) {
      if (x + r < w) acc += src[o + x + r]!;
      if (x - r - 1 >= 0) acc -= src[o + x - r - 1]!;
      tmp[o + x] = acc;
    }
  }
  const col = new Float64Array(w);
  for (let y = 0; y < Math.min(r, h); y++) for (let x = 0; x < w; x++) col[x]! += tmp[y * w + x]!;
  for (let y = 0; y < h; y++) {
    const add = y + r < h ? (y + r) * w : -1;
    const sub = y - r - 1 >= 0 ? (y - r - 1) * w : -1;
    const o = y * w;
    for (let x = 0; x < w; x++) {
      if (add >= 0) col[x]! += tmp[add + x]!;
      if (sub >= 0) col[x]! -= tmp[sub + x]!;
      out[o + x] = col[x]!;
    }
  }
}

/**
 * Bilinear resize of a flow field stored as two planes, scaling the vectors with the size ratio
 * (pixel centres aligned). Writes planes, or one interleaved (u, v) array when `interleaved`.
 */
export function resizeFlowPlanes(
  u: Float32Array, v: Float32Array, w: number, h: number, ow: number, oh: number, interleaved = false,
): { u: Float32Array; v: Float32Array; uv: Float32Array } {
  const su = ow / w;
  const sv = oh / h;
  const uv = interleaved ? new Float32Array(2 * ow * oh) : new Float32Array(0);
  const ou = interleaved ? uv : new Float32Array(ow * oh);
  const ov = interleaved ? uv : new Float32Array(ow * oh);
  const step = interleaved ? 2 : 1;
  const off = interleaved ? 1 : 0;
  const x0s = new Int32Array(ow);
  const x1s = new Int32Array(ow);
  const fxs = new Float32Array(ow);
  for (let x = 0; x < ow; x++) {
    const sx = Math.min(w - 1, Math.max(0, (x + 0.5) / su - 0.5));
    x0s[x] = Math.floor(sx);
    x1s[x] = Math.min(w - 1, x0s[x]! + 1);
    fxs[x] = sx - x0s[x]!;
  }
  // Separable: interpolate the two source rows vertically once per output row (w wide), then
  // horizontally per output pixel (2 loads per channel instead of 4).
  const rowU = new Float32Array(w);
  const rowV = new Float32Array(w);
  for (let y = 0; y < oh; y++) {
    const sy = Math.min(h - 1, Math.max(0, (y + 0.5) / sv - 0.5));
    const y0 = Math.floor(sy);
    const r0 = y0 * w;
    const r1 = Math.min(h - 1, y0 + 1) * w;
    const fy = sy - y0;
    for (let x = 0; x < w; x++) {
      rowU[x] = su * (u[r0 + x]! + fy * (u[r1 + x]! - u[r0 + x]!));
      rowV[x] = sv * (v[r0 + x]! + fy * (v[r1 + x]! - v[r0 + x]!));
    }
    let o = y * ow * step;
    for (let x = 0; x < ow; x++, o += step) {
      const a = x0s[x]!;
      const b = x1s[x]!;
      const fx = fxs[x]!;
      ou[o] = rowU[a]! + fx * (rowU[b]! - rowU[a]!);
      ov[o + off] = rowV[a]! + fx * (rowV[b]! - rowV[a]!);
    }
  }
  return { u: ou, v: ov, uv };
}
