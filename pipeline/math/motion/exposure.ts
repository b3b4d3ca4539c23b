// Estimating the exposure fraction e from blurry frames and their motion. Pure: no I/O.
// A linear blur of length L along u turns the image's second derivative along u into the
// difference of two copies of the sharp image's first derivative L apart; for natural images (whose
// first derivative is close to white noise) its correlation with itself along the streak is near 0
// except at lag 0 and a negative spike at lag L (classic blur-length estimation). The motion F
// gives the direction and, per pixel, the streak length e|F|: the e whose lag e*F(x) gives the most
// negative mean correlation over the fast-moving pixels is the estimate.
import { toLinearLut } from '../colour.js';
import type { MotionField } from './motion-field.js';

/** Exposure fractions tried, the shortest motion (|F|, pixels per frame interval) that counts and the
 * shortest lag e|F| (pixels) that counts (the second difference is itself correlated at 1-2 px). */
export interface ExposureSearch {
  readonly candidates: readonly number[];
  readonly minMotion: number;
  readonly minLag: number;
}

/** Candidates 0.2, 0.225, ..., 1 (a parabola through the best three refines between them);
 * pixels moving >= 10 px per frame interval; lags >= 3 px. */
export const EXPOSURE_SEARCH: ExposureSearch = {
  candidates: Array.from({ length: 33 }, (_, k) => 0.2 + 0.025 * k),
  minMotion: 10,
  minLag: 3,
};

/** The dip must reach at least this (normalised correlation) to count as the streak's end. */
const MIN_DIP = -0.03;

/** Linear-light luminance of an interleaved 8/16-bit sRGB image. */
function luminance(rgb: Uint8Array | Uint16Array, n: number): Float32Array {
  const lut = toLinearLut('srgb', rgb instanceof Uint8Array ? 8 : 16);
  const out = new Float32Array(n);
  for (let p = 0; p < n; p++) out[p] = 0.2126 * lut[rgb[3 * p]!]! + 0.7152 * lut[rgb[3 * p + 1]!]! + 0.0722 * lut[rgb[3 * p + 2]!]!;
  return out;
}

function sample(img: Float32Array, w: number, h: number, x: number, y: number): number {
  const sx = x < 0 ? 0 : x > w - 1 ? w - 1 : x;
  const sy = y < 0 ? 0 : y > h - 1 ? h - 1 : y;
  const x0 = sx | 0;
  const y0 = sy | 0;
  const fx = sx - x0;
  const fy = sy - y0;
  const x1 = x0 < w - 1 ? x0 + 1 : x0;
  const y1 = y0 < h - 1 ? y0 + 1 : y0;
  return (1 - fy) * ((1 - fx) * img[y0 * w + x0]! + fx * img[y0 * w + x1]!) + fy * ((1 - fx) * img[y1 * w + x0]! + fx * img[y1 * w + x1]!);
}

/** Sums of g(x - eF/2) g(x + eF/2) and of g^2 over one frame's fast-moving pixels, per candidate e
 * (g: the luminance second difference along F). Add the sums over frames, then `pickExposure`. */
export function exposureCorrelations(rgb: Uint8Array | Uint16Array, motion: MotionField, search: ExposureSearch = EXPOSURE_SEARCH): { products: Float64Array; energy: Float64Array } {
  const { width: w, height: h } = motion;
  const lum = luminance(rgb, w * h);
  const products = new Float64Array(search.candidates.length);
  const energy = new Float64Array(search.candidates.length);
  // second difference along the streak, one pixel steps
  const g = (x: number, y: number, ux: number, uy: number) => sample(lum, w, h, x + ux, y + uy) - 2 * sample(lum, w, h, x, y) + sample(lum, w, h, x - ux, y - uy);
  // every other pixel in each direction: plenty of samples, a quarter of the cost
  for (let y = 1; y < h - 1; y += 2) {
    for (let x = 1; x < w - 1; x += 2) {
      const p = y * w + x;
      const fx = motion.data[2 * p]!;
      const fy = motion.data[2 * p + 1]!;
      const len = Math.hypot(fx, fy);
      if (!(len >= search.minMotion)) continue;
      const ux = fx / len;
      const uy = fy / len;
      search.candidates.forEach((e, k) => {
        if (e * len < search.minLag) return;
        const hx = 0.5 * e * fx;
        const hy = 0.5 * e * fy;
        const ax = x - hx; const ay = y - hy; const bx = x + hx; const by = y + hy;
        if (ax < 0 || bx < 0 || ay < 0 || by < 0 || ax > w - 1 || bx > w - 1 || ay > h - 1 || by > h - 1) return;
        const ga = g(ax, ay, ux, uy);
        const gb = g(bx, by, ux, uy);
        products[k] += ga * gb;
        energy[k] += 0.5 * (ga * ga + gb * gb);
      });
    }
  }
  return { products, energy };
}

/** The exposure estimate from summed correlations: the candidate with the lowest normalised
 * correlation, refined by a parabola through it and its neighbours; undefined without data or
 * without a clear dip (too little fast motion to measure). */
export function pickExposure(products: Float64Array, energy: Float64Array, search: ExposureSearch = EXPOSURE_SEARCH): number | undefined {
  const c = search.candidates;
  const score = Array.from(products, (v, k) => (energy[k]! > 0 ? v / energy[k]! : NaN));
  let best = -1;
  for (let k = 0; k < c.length; k++) if (Number.isFinite(score[k]) && (best < 0 || score[k]! < score[best]!)) best = k;
  if (best < 0 || !(score[best]! <= MIN_DIP)) return undefined;
  if (best > 0 && best < c.length - 1 && Number.isFinite(score[best - 1]) && Number.isFinite(score[best + 1])) {
    const a = score[best - 1]!;
    const b = score[best]!;
    const d = score[best + 1]!;
    const denom = a - 2 * b + d;
    if (denom > 0) {
      const shift = Math.max(-0.5, Math.min(0.5, (0.5 * (a - d)) / denom));
      return c[best]! + shift * (c[best + 1]! - c[best]!);
    }
  }
  return c[best];
}
