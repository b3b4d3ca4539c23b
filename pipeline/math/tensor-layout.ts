// Tensor layout helpers for the network: interleaved HWC images <-> planar CHW floats, reflect
// padding to the model's size multiple and cropping back. Pure: no I/O.

/** Smallest multiple of `multiple` that is >= n. */
export function roundUpTo(n: number, multiple: number): number {
  return Math.ceil(n / multiple) * multiple;
}

/** Mirror index for reflect padding (edge pixel not repeated, like numpy/torch 'reflect'); size 1 repeats. */
export function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let k = i % period;
  if (k < 0) k += period;
  return k < n ? k : period - k;
}

/**
 * Interleaved HWC values (c channels, size w x h) -> planar CHW float32 of size pw x ph, each
 * value multiplied by `scale`, the extra right/bottom area filled by reflection.
 */
export function hwcToPaddedChw(
  src: ArrayLike<number>,
  w: number,
  h: number,
  c: number,
  pw: number,
  ph: number,
  scale = 1,
  out = new Float32Array(c * pw * ph),
): Float32Array {
  if (pw < w || ph < h) throw new RangeError(`Padded size ${pw}x${ph} is smaller than the image ${w}x${h}`);
  if (out.length < c * pw * ph) throw new RangeError(`Output holds ${out.length} values, needs ${c * pw * ph}`);
  const plane = pw * ph;
  for (let y = 0; y < ph; y++) {
    const sy = reflectIndex(y, h);
    for (let x = 0; x < pw; x++) {
      const sx = x < w ? x : reflectIndex(x, w);
      const s = (sy * w + sx) * c;
      const d = y * pw + x;
      for (let k = 0; k < c; k++) out[k * plane + d] = src[s + k]! * scale;
    }
  }
  return out;
}

/**
 * Planar frames (n x c x ph x pw) -> the top-left w x h window of each, as planar float32
 * (n x c x h x w). Returns the input unchanged when no cropping is needed.
 */
export function cropPlanar(src: Float32Array, n: number, c: number, pw: number, ph: number, w: number, h: number): Float32Array {
  if (pw === w && ph === h) return src;
  const out = new Float32Array(n * c * w * h);
  for (let p = 0; p < n * c; p++) {
    for (let y = 0; y < h; y++) {
      const s = p * pw * ph + y * pw;
      out.set(src.subarray(s, s + w), p * w * h + y * w);
    }
  }
  return out;
}

/**
 * Planar frames (n x 3 x h x w, values in [0,1]) -> n interleaved 8-bit RGB frames back to back
 * (n x h x w x 3), rounded to nearest and clamped.
 */
export function planarFramesToHwc8(src: Float32Array, n: number, w: number, h: number, out = new Uint8Array(n * w * h * 3)): Uint8Array {
  const plane = w * h;
  for (let f = 0; f < n; f++) {
    const base = f * 3 * plane;
    const dst = f * plane * 3;
    for (let p = 0; p < plane; p++) {
      for (let k = 0; k < 3; k++) {
        const v = src[base + k * plane + p]! * 255 + 0.5;
        out[dst + p * 3 + k] = v <= 0 ? 0 : v >= 255 ? 255 : v; // Uint8Array truncates: +0.5 rounds
      }
    }
  }
  return out;
}

/** Planar frames (n x 3 x h x w) -> n interleaved float RGB frames back to back (n x h x w x 3). */
export function planarFramesToHwcFloat(src: Float32Array, n: number, w: number, h: number): Float32Array {
  const plane = w * h;
  const out = new Float32Array(n * plane * 3);
  for (let f = 0; f < n; f++) {
    for (let p = 0; p < plane; p++) {
      for (let k = 0; k < 3; k++) out[f * plane * 3 + p * 3 + k] = src[f * 3 * plane + k * plane + p]!;
    }
  }
  return out;
}

type Rect = { x: number; y: number; width: number; height: number };

/**
 * Pixel-major frames of a rectangle (`rect.width x rect.height` pixels, `n * 3` channels per pixel,
 * channel = frame * 3 + rgb, values in [0,1]) written into `out`, n interleaved 8-bit RGB frames of
 * the whole `w x h` image back to back, rounded as planarFramesToHwc8 rounds.
 */
export function pixelFramesIntoHwc8(src: Float32Array, n: number, rect: Rect, w: number, h: number, out: Uint8Array): void {
  const c = n * 3;
  const plane = w * h;
  // Plain loops, no per-row or per-pixel callback: this runs over every pixel of every frame, and
  // a shared walk taking a callback cost both writers half as much time again (closure variables).
  for (let ry = 0; ry < rect.height; ry++) {
    for (let rx = 0; rx < rect.width; rx++) {
      const q = (ry * rect.width + rx) * c;
      const p = (rect.y + ry) * w + rect.x + rx;
      for (let f = 0; f < n; f++) {
        for (let k = 0; k < 3; k++) {
          const v = src[q + f * 3 + k]! * 255 + 0.5;
          out[(f * plane + p) * 3 + k] = v <= 0 ? 0 : v >= 255 ? 255 : v;
        }
      }
    }
  }
}

/** The same rectangle written into planar frames of the whole image (n x 3 x h x w floats). */
export function pixelFramesIntoPlanar(src: Float32Array, n: number, rect: Rect, w: number, h: number, out: Float32Array): void {
  const c = n * 3;
  const plane = w * h;
  for (let ry = 0; ry < rect.height; ry++) {
    for (let rx = 0; rx < rect.width; rx++) {
      const q = (ry * rect.width + rx) * c;
      const p = (rect.y + ry) * w + rect.x + rx;
      for (let ch = 0; ch < c; ch++) out[ch * plane + p] = src[q + ch]!;
    }
  }
}
