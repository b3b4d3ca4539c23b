// Image-quality metrics of the reference evaluation protocol (PSNR, SSIM, direction-agnostic
// scores), on RGB values in [0, 255]. Pure: no I/O. Definitions in docs/eval.md.

/** One frame for the metrics: interleaved HWC with `channels` channels, values in [0, 255]. */
export interface MetricFrame {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly data: Float32Array | Float64Array | Uint8Array;
}

/** Data range of 8-bit images: PSNR and SSIM constants are relative to it (reference: data_range=255). */
export const DATA_RANGE = 255;

/**
 * PSNR reported for a sample whose MSE is 0 (prediction identical to the ground truth).
 * 100 dB (the cap used by e.g. BasicSR/mmedit) keeps averages finite; the uncapped value is +Infinity.
 */
export const PSNR_CAP_DB = 100;

/** SSIM constants of the reference (torchmetrics defaults, Wang et al. 2004). */
export const SSIM_WINDOW = 11;
export const SSIM_SIGMA = 1.5;
export const SSIM_K1 = 0.01;
export const SSIM_K2 = 0.03;

function checkPair(a: MetricFrame, b: MetricFrame): void {
  if (a.width !== b.width || a.height !== b.height || a.channels !== b.channels) {
    throw new RangeError(`Frame sizes differ: ${a.width}x${a.height}x${a.channels} vs ${b.width}x${b.height}x${b.channels}`);
  }
  const n = a.width * a.height * a.channels;
  if (a.data.length !== n || b.data.length !== n) {
    throw new RangeError(`Frame data length ${a.data.length}/${b.data.length} does not match ${a.width}x${a.height}x${a.channels}`);
  }
}

function checkSequences(pred: readonly MetricFrame[], gt: readonly MetricFrame[]): void {
  if (pred.length === 0 || pred.length !== gt.length) {
    throw new RangeError(`Expected equally long, non-empty sequences but received ${pred.length} and ${gt.length} frames`);
  }
}

/** Sum of squared differences between two frames (float64 accumulation). */
export function sumSquaredError(a: MetricFrame, b: MetricFrame): number {
  checkPair(a, b);
  const x = a.data;
  const y = b.data;
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    const d = x[i]! - y[i]!;
    s += d * d;
  }
  return s;
}

/** PSNR in dB from an MSE on [0, dataRange]: 10 log10(range^2 / mse); +Infinity when mse is 0. */
export function psnrFromMse(mse: number, dataRange = DATA_RANGE): number {
  if (!(mse >= 0)) throw new RangeError(`Expected an MSE >= 0 but received ${mse}`);
  return mse === 0 ? Infinity : 10 * Math.log10((dataRange * dataRange) / mse);
}

/** Clamp a PSNR to PSNR_CAP_DB (for averaging: one identical sample must not make the mean infinite). */
export function capPsnr(psnr: number): number {
  return Math.min(psnr, PSNR_CAP_DB);
}

/**
 * Pooled PSNR of a sequence (the reference's torchmetrics psnr over a (frames, C, H, W) batch):
 * the MSE over all frames, pixels and channels, then converted. +Infinity when identical.
 */
export function psnrSequence(pred: readonly MetricFrame[], gt: readonly MetricFrame[]): number {
  checkSequences(pred, gt);
  let sum = 0;
  let count = 0;
  for (let f = 0; f < pred.length; f++) {
    sum += sumSquaredError(pred[f]!, gt[f]!);
    count += pred[f]!.data.length;
  }
  return psnrFromMse(sum / count);
}

/** Normalised 1-D Gaussian window of `size` taps (centre at (size-1)/2), as torchmetrics/skimage build it. */
export function gaussianWindow(size = SSIM_WINDOW, sigma = SSIM_SIGMA): Float64Array {
  const w = new Float64Array(size);
  const c = (size - 1) / 2;
  let s = 0;
  for (let i = 0; i < size; i++) {
    const d = i - c;
    w[i] = Math.exp(-(d * d) / (2 * sigma * sigma));
    s += w[i]!;
  }
  for (let i = 0; i < size; i++) w[i]! /= s;
  return w;
}

const WINDOW = gaussianWindow();

/** Reusable scratch buffers for SSIM (fresh memory is slow on the target machines). */
class SsimScratch {
  size = 0;
  planes: Float64Array[] = [];
  h: Float64Array[] = [];
  ensure(n: number): void {
    if (n <= this.size) return;
    this.size = n;
    this.planes = Array.from({ length: 5 }, () => new Float64Array(n));
    this.h = Array.from({ length: 5 }, () => new Float64Array(n));
  }
}
const scratch = new SsimScratch();

/**
 * 'Valid' horizontal pass of the symmetric 11-tap window: src (W x H) -> dst ((W-10) x H).
 * Folding the symmetric taps halves the multiplications.
 */
function convolveRows(src: Float64Array, dst: Float64Array, W: number, H: number): void {
  const w = WINDOW;
  const w0 = w[0]!, w1 = w[1]!, w2 = w[2]!, w3 = w[3]!, w4 = w[4]!, w5 = w[5]!;
  const OW = W - SSIM_WINDOW + 1;
  for (let r = 0; r < H; r++) {
    const row = r * W;
    const out = r * OW;
    for (let j = 0; j < OW; j++) {
      const i = row + j;
      dst[out + j] =
        w0 * (src[i]! + src[i + 10]!) + w1 * (src[i + 1]! + src[i + 9]!) + w2 * (src[i + 2]! + src[i + 8]!) +
        w3 * (src[i + 3]! + src[i + 7]!) + w4 * (src[i + 4]! + src[i + 6]!) + w5 * src[i + 5]!;
    }
  }
}

/** Vertical tap of the window at (r, j) of a plane whose rows are OW wide. */
function columnTap(p: Float64Array, o: number, OW: number): number {
  const w = WINDOW;
  return (
    w[0]! * (p[o]! + p[o + 10 * OW]!) + w[1]! * (p[o + OW]! + p[o + 9 * OW]!) + w[2]! * (p[o + 2 * OW]! + p[o + 8 * OW]!) +
    w[3]! * (p[o + 3 * OW]! + p[o + 7 * OW]!) + w[4]! * (p[o + 4 * OW]! + p[o + 6 * OW]!) + w[5]! * p[o + 5 * OW]!
  );
}

/**
 * Mean SSIM of one frame pair: Gaussian window 11x11 (sigma 1.5), K1 0.01, K2 0.03, data range 255,
 * population (biased) variances, computed per channel over the 'valid' window positions only
 * (those whose window lies fully inside the image) and averaged over positions and channels.
 * This equals torchmetrics.functional.ssim of torchmetrics <= 0.10 (reflect-pad, then crop the border; the reference's
 * metric), pytorch_msssim.ssim (valid conv) and skimage structural_similarity(gaussian_weights=True,
 * sigma=1.5, use_sample_covariance=False, data_range=255, channel_axis=-1), up to float rounding.
 * Frames smaller than 11x11 throw a RangeError.
 */
export function ssimFrame(a: MetricFrame, b: MetricFrame): number {
  checkPair(a, b);
  const { width: W, height: H, channels: C } = a;
  const K = SSIM_WINDOW;
  if (W < K || H < K) throw new RangeError(`SSIM needs frames of at least ${K}x${K} but received ${W}x${H}`);
  const OW = W - K + 1;
  const OH = H - K + 1;
  const c1 = (SSIM_K1 * DATA_RANGE) ** 2;
  const c2 = (SSIM_K2 * DATA_RANGE) ** 2;
  scratch.ensure(W * H);
  const [x, y, xx, yy, xy] = scratch.planes as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
  const [hx, hy, hxx, hyy, hxy] = scratch.h as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
  let total = 0;
  for (let c = 0; c < C; c++) {
    for (let i = 0, p = c; i < W * H; i++, p += C) {
      const xv = a.data[p]!;
      const yv = b.data[p]!;
      x[i] = xv;
      y[i] = yv;
      xx[i] = xv * xv;
      yy[i] = yv * yv;
      xy[i] = xv * yv;
    }
    convolveRows(x, hx, W, H);
    convolveRows(y, hy, W, H);
    convolveRows(xx, hxx, W, H);
    convolveRows(yy, hyy, W, H);
    convolveRows(xy, hxy, W, H);
    // Vertical pass (valid rows) and the SSIM map, summed.
    for (let r = 0; r < OH; r++) {
      for (let j = 0; j < OW; j++) {
        const o = r * OW + j;
        const mx = columnTap(hx, o, OW);
        const my = columnTap(hy, o, OW);
        const vx = columnTap(hxx, o, OW) - mx * mx;
        const vy = columnTap(hyy, o, OW) - my * my;
        const cov = columnTap(hxy, o, OW) - mx * my;
        total += ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
      }
    }
  }
  return total / (OW * OH * C);
}

/** SSIM of a sequence: the mean of the per-frame SSIM (all frames have the same size). */
export function ssimSequence(pred: readonly MetricFrame[], gt: readonly MetricFrame[]): number {
  checkSequences(pred, gt);
  let s = 0;
  for (let f = 0; f < pred.length; f++) s += ssimFrame(pred[f]!, gt[f]!);
  return s / pred.length;
}

/** Scores of one predicted sequence: as predicted, and direction-agnostic (better of forward/reversed). */
export interface SequenceScores {
  /** Pooled PSNR in dB (+Infinity when identical; cap with capPsnr before averaging). */
  readonly psnr: number;
  readonly ssim: number;
  /** max(PSNR(pred), PSNR(reversed pred)): each metric takes its own better direction, as upstream. */
  readonly psnrAgnostic: number;
  readonly ssimAgnostic: number;
}

/** Score a predicted sequence against the ground truth, also time-reversed (the reference's "max." rows). */
export function scoreSequence(pred: readonly MetricFrame[], gt: readonly MetricFrame[]): SequenceScores {
  const psnr = psnrSequence(pred, gt);
  const ssim = ssimSequence(pred, gt);
  const reversed = [...pred].reverse();
  // A palindromic selection (e.g. one frame) reverses onto itself: skip the repeated work.
  const same = pred.every((f, i) => f === reversed[i]);
  const psnrRev = same ? psnr : psnrSequence(reversed, gt);
  const ssimRev = same ? ssim : ssimSequence(reversed, gt);
  return { psnr, ssim, psnrAgnostic: Math.max(psnr, psnrRev), ssimAgnostic: Math.max(ssim, ssimRev) };
}

/** Best of N samples, each metric independently (upstream P1/P3/P5: max PSNR and max SSIM may come from different samples). */
export function bestOf(samples: readonly SequenceScores[]): SequenceScores {
  if (samples.length === 0) throw new RangeError('Expected at least one sample to take the best of but received 0');
  return {
    psnr: Math.max(...samples.map((s) => s.psnr)),
    ssim: Math.max(...samples.map((s) => s.ssim)),
    psnrAgnostic: Math.max(...samples.map((s) => s.psnrAgnostic)),
    ssimAgnostic: Math.max(...samples.map((s) => s.ssimAgnostic)),
  };
}
