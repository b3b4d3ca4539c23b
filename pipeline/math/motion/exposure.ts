// Estimating the exposure fraction e from blurry frames and their motion. Pure: no I/O.
// A linear blur of length L along u turns the image's second derivative along u into the
// difference of two copies of the sharp image's first derivative L apart; for natural images (whose
// first derivative is close to white noise) its correlation with itself along the streak is near 0
// except at lag 0 and a negative spike at lag L (classic blur-length estimation). The motion F
// gives the direction and, per pixel, the streak length e|F|: the e whose lag e*F(x) gives the most
// negative mean correlation over the fast-moving pixels is the estimate. Four choices make it hold
// up on scenes with objects moving over a still background (bench/exposure.ts measures them):
// - the same correlation taken across the streak (where nothing is blurred) is subtracted: it holds
//   the image's own structure (stripes, textures), which would otherwise make dips of its own;
// - each pixel's correlation is normalised by its own energy, so that every pixel has one vote: a
//   sharp, finely textured background pixel that the flow wrongly calls moving (the flow of a
//   moving object spills over its border) would otherwise outvote the smooth, blurred object;
// - a pixel counts for a candidate only where the motion at both ends of the candidate streak is
//   within 10 % of its own (the streak lies inside one moving region, not across a border);
// - the second difference is taken with a step of a quarter of the candidate streak (at least one
//   pixel): a long blur leaves only small 1-pixel differences, drowned by 8-bit rounding.
import { toLinearLut } from '../colour.js';
import type { MotionField } from './motion-field.js';

/** Exposure fractions tried, the shortest motion (|F|, pixels per frame interval) that counts and the
 * shortest lag e|F| (pixels) that counts (the second difference is itself correlated at 1-2 px). */
export interface ExposureSearch {
  /** Candidates above 1 let a dip at 1 be located like any other; the estimate is at most 1. */
  readonly candidates: readonly number[];
  readonly minMotion: number;
  readonly minLag: number;
  /** Most pixels of one frame that are measured (evenly thinned). */
  readonly maxPixels: number;
  /** The second difference's step is the candidate streak e|F| over this (rounded, >= 1 px). */
  readonly stepDivisor: number;
  /** A pixel counts for a candidate when the motion at both ends of its streak differs from its own
   * by at most this fraction of |F|. */
  readonly motionTolerance: number;
}

/** Candidates 0.2, 0.225, ..., 1.1 (a parabola through the best three refines between them);
 * pixels moving >= 12 px per frame interval, at most 6000 of them per frame; lags >= 4 px; steps
 * of a quarter of the streak; motion at the streak's ends within 10 %. */
export const EXPOSURE_SEARCH: ExposureSearch = {
  candidates: Array.from({ length: 37 }, (_, k) => 0.2 + 0.025 * k),
  minMotion: 12,
  minLag: 4,
  maxPixels: 6000,
  stepDivisor: 4,
  motionTolerance: 0.1,
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

/** A [1 2 1]/4 blur along x then y, twice (about a 1-pixel Gaussian): bilinear sampling at
 * fractional positions then smooths every lag alike, instead of some lags more than others. */
function smooth(img: Float32Array, w: number, h: number): Float32Array {
  let a = img;
  for (let pass = 0; pass < 2; pass++) {
    const b = new Float32Array(a.length);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const p = y * w + x;
      b[p] = 0.25 * a[x > 0 ? p - 1 : p]! + 0.5 * a[p]! + 0.25 * a[x < w - 1 ? p + 1 : p]!;
    }
    const c = new Float32Array(a.length);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const p = y * w + x;
      c[p] = 0.25 * b[y > 0 ? p - w : p]! + 0.5 * b[p]! + 0.25 * b[y < h - 1 ? p + w : p]!;
    }
    a = c;
  }
  return a;
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

/** Per candidate e, over one frame's fast-moving pixels: the sum of each pixel's normalised
 * correlation g(x - eF/2) g(x + eF/2) / mean(g^2) along the streak (g: the luminance second
 * difference along F), the same across it, and how many pixels counted. Add the sums over frames,
 * then `pickExposure`. */
export interface ExposureSums {
  readonly along: Float64Array;
  readonly across: Float64Array;
  readonly count: Float64Array;
}

/** The sums of two sets of frames (the pool of both). */
export function addExposureSums(a: ExposureSums, b: ExposureSums): ExposureSums {
  const add = (x: Float64Array, y: Float64Array) => Float64Array.from(x, (v, k) => v + y[k]!);
  return { along: add(a.along, b.along), across: add(a.across, b.across), count: add(a.count, b.count) };
}

/** Added to each pixel's energy: a flat pixel counts as no correlation (and no division by 0). */
const FLAT = 1e-12;

/** ExposureSums of one frame (see ExposureSums). */
export function exposureCorrelations(rgb: Uint8Array | Uint16Array, motion: MotionField, search: ExposureSearch = EXPOSURE_SEARCH): ExposureSums {
  const { width: w, height: h } = motion;
  const m = motion.data;
  const lum = smooth(luminance(rgb, w * h), w, h);
  const n = search.candidates.length;
  const along = new Float64Array(n);
  const across = new Float64Array(n);
  const count = new Float64Array(n);
  const inside = (px: number, py: number) => px >= 0 && py >= 0 && px <= w - 1 && py <= h - 1;
  // second difference along (ux, uy) with a step of s pixels
  const g = (x: number, y: number, ux: number, uy: number, s: number) =>
    sample(lum, w, h, x + s * ux, y + s * uy) - 2 * sample(lum, w, h, x, y) + sample(lum, w, h, x - s * ux, y - s * uy);
  // the motion at pixel (px, py) differs from (fx, fy) by at most `tol`
  const near = (px: number, py: number, fx: number, fy: number, tol: number) => {
    const q = Math.round(py) * w + Math.round(px);
    return Math.hypot(m[2 * q]! - fx, m[2 * q + 1]! - fy) <= tol;
  };
  // the fast-moving pixels, thinned evenly to at most search.maxPixels (the cost is per pixel)
  const fast: number[] = [];
  for (let p = 0; p < w * h; p++) if (Math.hypot(m[2 * p]!, m[2 * p + 1]!) >= search.minMotion) fast.push(p);
  const step = Math.max(1, fast.length / search.maxPixels);
  for (let i = 0; i < fast.length; i += step) {
    const p = fast[Math.floor(i)]!;
    const x = p % w;
    const y = (p - x) / w;
    const fx = m[2 * p]!;
    const fy = m[2 * p + 1]!;
    const len = Math.hypot(fx, fy);
    const ux = fx / len;
    const uy = fy / len;
    const tol = search.motionTolerance * len;
    search.candidates.forEach((e, k) => {
      if (e * len < search.minLag) return;
      // half the lag, snapped to whole pixels: every candidate samples at the same sub-pixel
      // phase (a fractional lag would be smoothed by the interpolation more at some e than others)
      const hx = Math.round(0.5 * e * fx);
      const hy = Math.round(0.5 * e * fy);
      // along the streak (a, b) and across it (c, d: the same lag turned by 90 degrees)
      if (!inside(x - hx, y - hy) || !inside(x + hx, y + hy) || !inside(x + hy, y - hx) || !inside(x - hy, y + hx)) return;
      if (!near(x - hx, y - hy, fx, fy, tol) || !near(x + hx, y + hy, fx, fy, tol)) return;
      const s = Math.max(1, Math.round((e * len) / search.stepDivisor));
      const ga = g(x - hx, y - hy, ux, uy, s);
      const gb = g(x + hx, y + hy, ux, uy, s);
      const gc = g(x + hy, y - hx, -uy, ux, s);
      const gd = g(x - hy, y + hx, -uy, ux, s);
      along[k] += (ga * gb) / (0.5 * (ga * ga + gb * gb) + FLAT);
      across[k] += (gc * gd) / (0.5 * (gc * gc + gd * gd) + FLAT);
      count[k] += 1;
    });
  }
  return { along, across, count };
}

/** The exposure estimate from summed correlations: the candidate with the lowest mean normalised
 * correlation (along minus across the streak), refined, at most 1 (a shutter is open for at most
 * the whole frame interval); undefined without data or without a clear dip (too little fast motion
 * to measure). */
export function pickExposure(sums: ExposureSums, search: ExposureSearch = EXPOSURE_SEARCH): number | undefined {
  const c = search.candidates;
  const { along, across, count } = sums;
  const score = Array.from(along, (v, k) => (count[k]! > 0 ? (v - across[k]!) / count[k]! : NaN));
  let best = -1;
  for (let k = 0; k < c.length; k++) if (Number.isFinite(score[k]) && (best < 0 || score[k]! < score[best]!)) best = k;
  if (best < 0 || !(score[best]! <= MIN_DIP)) return undefined;
  return Math.min(1, refine(c, score, best));
}

/** The best candidate refined between its neighbours (before the clamp to 1). */
function refine(c: readonly number[], score: number[], best: number): number {
  // Whole-pixel lags make neighbouring candidates share a lag (a plateau of equal scores): take
  // the plateau's middle; otherwise refine with a parabola through the best and its neighbours.
  const plateau = c.filter((_, k) => Math.abs(score[k]! - score[best]!) < 1e-12);
  if (plateau.length > 1) return plateau.reduce((x, y) => x + y, 0) / plateau.length;
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
