// Dense coarse-to-fine Lucas-Kanade optical flow with robust (median) smoothing after every
// iteration and out-of-frame samples masked. Pure: no I/O.
import { boxSum, gradients, halve, resizeFlowPlanes, type GrayImage } from './image-ops.js';
import { median3x3 } from './median.js';

/** Tuning of the Lucas-Kanade solver; every field has a default. */
export interface LucasKanadeOptions {
  /** Pyramid levels (the coarsest is at least 8 px on its short side). Default 5. */
  readonly levels?: number;
  /** Gauss-Newton iterations per level. Default 3 (more add noise faster than they remove error, measured). */
  readonly iterations?: number;
  /** Window radius in pixels (window side 2r+1). Default 3 (7x7). */
  readonly windowRadius?: number;
  /** Tikhonov term per window pixel, in squared grey-level gradient units. Default 1e-4. */
  readonly regularization?: number;
  /** 3x3 median after every iteration instead of only after the last one of each level. Default false. */
  readonly medianEveryIteration?: boolean;
  /** Damping proportional to the window's gradient energy (trace of its structure tensor). Default 0.2. */
  readonly edgeRegularization?: number;
  /** Radius of the confidence-weighted fill of textureless windows after each level (0 = off). Default 4. */
  readonly fillRadius?: number;
}

/** Defaults of LucasKanadeOptions, written out. */
export const LK_DEFAULTS: Required<LucasKanadeOptions> = { levels: 5, iterations: 3, windowRadius: 3, regularization: 1e-4, medianEveryIteration: false, edgeRegularization: 0.2, fillRadius: 4 };

/** Largest update per iteration in pixels: bounds a step taken on an ill-conditioned window. */
const MAX_STEP = 2;

function buildPyramid(img: GrayImage, levels: number): GrayImage[] {
  const out = [img];
  while (out.length < levels) {
    const last = out[out.length - 1]!;
    if (Math.min(last.width, last.height) < 16) break; // 16: halving again would leave < 8 px
    out.push(halve(last));
  }
  return out;
}

/** Refine (u, v) in place on one pyramid level. */
function refineLevel(i1: GrayImage, i2: GrayImage, u: Float32Array, v: Float32Array, o: Required<LucasKanadeOptions>): void {
  const { width: w, height: h } = i1;
  if (w < 2 || h < 2) return; // bilinear sampling needs 2x2 pixels: a 1-pixel-thin image keeps its (zero) flow
  const n = w * h;
  const r = o.windowRadius;
  const { gx, gy } = gradients(i1);
  const tmp = new Float32Array(n);
  const prod = new Float32Array(n);
  const sxx = new Float32Array(n);
  const sxy = new Float32Array(n);
  const syy = new Float32Array(n);
  for (let i = 0; i < n; i++) prod[i] = gx[i]! * gx[i]!;
  boxSum(prod, w, h, r, sxx, tmp);
  for (let i = 0; i < n; i++) prod[i] = gx[i]! * gy[i]!;
  boxSum(prod, w, h, r, sxy, tmp);
  for (let i = 0; i < n; i++) prod[i] = gy[i]! * gy[i]!;
  boxSum(prod, w, h, r, syy, tmp);
  const lambda = o.regularization * (2 * r + 1) ** 2;
  // Confidence of each window: the smaller eigenvalue of its structure tensor (0 on flat areas
  // and on straight edges, where Lucas-Kanade cannot see the motion).
  const conf = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const half = 0.5 * (sxx[i]! - syy[i]!);
    conf[i] = Math.max(0, 0.5 * (sxx[i]! + syy[i]!) - Math.sqrt(half * half + sxy[i]! * sxy[i]!));
  }
  // Inverse of the regularised structure tensor, once per level (gradients of the first image).
  const mu = o.edgeRegularization;
  for (let i = 0; i < n; i++) {
    // mu * trace: along a straight edge the tensor is nearly singular and Lucas-Kanade drifts along
    // the edge (the aperture problem); a term proportional to the gradient energy stops that drift.
    const damp = lambda + mu * (sxx[i]! + syy[i]!);
    const a = sxx[i]! + damp;
    const b = sxy[i]!;
    const c = syy[i]! + damp;
    const inv = 1 / (a * c - b * b);
    sxx[i] = c * inv;
    sxy[i] = -b * inv;
    syy[i] = a * inv;
  }
  const px = new Float32Array(n);
  const py = new Float32Array(n);
  const bx = new Float32Array(n);
  const by = new Float32Array(n);
  const s2 = i2.data;
  const s1 = i1.data;
  for (let it = 0; it < o.iterations; it++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        const fx = x + u[i]!;
        const fy = y + v[i]!;
        if (fx < 0 || fy < 0 || fx > w - 1 || fy > h - 1) {
          px[i] = 0; // sample outside the frame: no evidence from this pixel
          py[i] = 0;
          continue;
        }
        const x0 = Math.min(w - 2, Math.floor(fx));
        const y0 = Math.min(h - 2, Math.floor(fy));
        const ax = fx - x0;
        const ay = fy - y0;
        const k = y0 * w + x0;
        const top = s2[k]! + ax * (s2[k + 1]! - s2[k]!);
        const bot = s2[k + w]! + ax * (s2[k + w + 1]! - s2[k + w]!);
        const it2 = top + ay * (bot - top) - s1[i]!;
        px[i] = gx[i]! * it2;
        py[i] = gy[i]! * it2;
      }
    }
    boxSum(px, w, h, r, bx, tmp);
    boxSum(py, w, h, r, by, tmp);
    for (let i = 0; i < n; i++) {
      let du = -(sxx[i]! * bx[i]! + sxy[i]! * by[i]!);
      let dv = -(sxy[i]! * bx[i]! + syy[i]! * by[i]!);
      du = du > MAX_STEP ? MAX_STEP : du < -MAX_STEP ? -MAX_STEP : du;
      dv = dv > MAX_STEP ? MAX_STEP : dv < -MAX_STEP ? -MAX_STEP : dv;
      u[i]! += du;
      v[i]! += dv;
    }
    // Median only after the last iteration of a level: the median costs as much as the rest of an
    // iteration, and MAX_STEP plus the regularisation keep the intermediate iterations stable.
    if (o.medianEveryIteration || it === o.iterations - 1) {
      median3x3(u, w, h, tmp);
      u.set(tmp);
      median3x3(v, w, h, tmp);
      v.set(tmp);
    }
  }
  if (o.fillRadius > 0) fillLowConfidence(u, v, conf, w, h, o.fillRadius, lambda, tmp);
}

/**
 * Normalised-convolution fill: blend each vector with the confidence-weighted mean of its
 * (2R+1)^2 neighbourhood, weight conf / (conf + lambda), so textureless and edge-only windows take
 * the motion of textured neighbours (coarse to fine, this reaches far) while textured ones keep theirs.
 */
function fillLowConfidence(u: Float32Array, v: Float32Array, conf: Float32Array, w: number, h: number, radius: number, lambda: number, tmp: Float32Array): void {
  const n = w * h;
  const wu = new Float32Array(n);
  const wv = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    wu[i] = conf[i]! * u[i]!;
    wv[i] = conf[i]! * v[i]!;
  }
  const su = new Float32Array(n);
  const sv = new Float32Array(n);
  const sc = new Float32Array(n);
  boxSum(wu, w, h, radius, su, tmp);
  boxSum(wv, w, h, radius, sv, tmp);
  boxSum(conf, w, h, radius, sc, tmp);
  for (let i = 0; i < n; i++) {
    if (!(sc[i]! > 1e-12)) continue; // nothing textured nearby: keep the vector
    const alpha = conf[i]! / (conf[i]! + lambda);
    u[i] = alpha * u[i]! + (1 - alpha) * (su[i]! / sc[i]!);
    v[i] = alpha * v[i]! + (1 - alpha) * (sv[i]! / sc[i]!);
  }
}

/** Flow planes (u and v separately) at the images' resolution, as computed by the solver. */
export interface FlowPlanes {
  readonly width: number;
  readonly height: number;
  readonly u: Float32Array;
  readonly v: Float32Array;
}

/**
 * Flow from `prev` to `next` (prev(x) ~ next(x + flow(x))) at prev's pixels, both images the
 * same size, coarse to fine; returned as two planes.
 */
export function lucasKanadePlanes(prev: GrayImage, next: GrayImage, options: LucasKanadeOptions = {}): FlowPlanes {
  if (prev.width !== next.width || prev.height !== next.height) {
    throw new RangeError(`Image sizes differ: ${prev.width}x${prev.height} vs ${next.width}x${next.height}`);
  }
  const o = { ...LK_DEFAULTS, ...options };
  const p1 = buildPyramid(prev, o.levels);
  const p2 = buildPyramid(next, p1.length);
  let top = p1[p1.length - 1]!;
  let u: Float32Array = new Float32Array(top.width * top.height);
  let v: Float32Array = new Float32Array(top.width * top.height);
  for (let l = p1.length - 1; l >= 0; l--) {
    const cur = p1[l]!;
    if (cur !== top) {
      ({ u, v } = resizeFlowPlanes(u, v, top.width, top.height, cur.width, cur.height));
      top = cur;
    }
    refineLevel(cur, p2[l]!, u, v, o);
  }
  return { width: prev.width, height: prev.height, u, v };
}
