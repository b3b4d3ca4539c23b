import { describe, expect, it } from 'vitest';
import {
  bestOf,
  capPsnr,
  gaussianWindow,
  psnrFromMse,
  psnrSequence,
  PSNR_CAP_DB,
  scoreSequence,
  ssimFrame,
  ssimSequence,
  type MetricFrame,
} from '../pipeline/math/metrics.js';

function constant(width: number, height: number, rgb: [number, number, number]): MetricFrame {
  const data = new Float32Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set(rgb, i * 3);
  return { width, height, channels: 3, data };
}

/** The 31-bit LCG of test/fixtures/metrics-reference.py, reproduced exactly. */
function lcgImage(seed: number, h: number, w: number): MetricFrame {
  let x = seed;
  const data = new Float64Array(h * w * 3);
  for (let i = 0; i < data.length; i++) {
    x = ((Math.imul(1103515245, x) + 12345) >>> 0) & 0x7fffffff; // mod 2^31 depends on the low 32 bits only
    data[i] = (x >>> 16) % 256;
  }
  return { width: w, height: h, channels: 3, data };
}

function noisyCopy(img: MetricFrame, seed: number, amp: number): MetricFrame {
  const noise = lcgImage(seed, img.height, img.width).data;
  const data = new Float64Array(img.data.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.min(255, Math.max(0, img.data[i]! + (noise[i]! % (2 * amp + 1)) - amp));
  return { ...img, data };
}

function rollColumns(img: MetricFrame, shift: number): MetricFrame {
  const data = new Float64Array(img.data.length);
  for (let r = 0; r < img.height; r++) {
    for (let c = 0; c < img.width; c++) {
      const src = (r * img.width + c) * 3;
      const dst = (r * img.width + ((c + shift) % img.width)) * 3;
      for (let k = 0; k < 3; k++) data[dst + k] = img.data[src + k]!;
    }
  }
  return { ...img, data };
}

describe('PSNR', () => {
  it('a constant offset d gives 20 log10(255 / d)', () => {
    const a = constant(5, 4, [10, 20, 30]);
    const b = constant(5, 4, [13, 23, 33]);
    expect(psnrSequence([b], [a])).toBeCloseTo(20 * Math.log10(255 / 3), 10);
  });

  it('hand-derived literal 2x1 image: errors (0,0,0) and (1,2,3) -> MSE 14/6', () => {
    const a: MetricFrame = { width: 2, height: 1, channels: 3, data: new Uint8Array([0, 0, 0, 10, 10, 10]) };
    const b: MetricFrame = { width: 2, height: 1, channels: 3, data: new Uint8Array([0, 0, 0, 11, 12, 13]) };
    expect(psnrSequence([b], [a])).toBeCloseTo(10 * Math.log10((255 * 255 * 6) / 14), 10);
  });

  it('pools the MSE over frames (not the mean of per-frame PSNRs)', () => {
    const gt = [constant(4, 4, [0, 0, 0]), constant(4, 4, [0, 0, 0])];
    const pred = [constant(4, 4, [1, 1, 1]), constant(4, 4, [3, 3, 3])];
    // pooled MSE = (1 + 9) / 2 = 5
    expect(psnrSequence(pred, gt)).toBeCloseTo(10 * Math.log10((255 * 255) / 5), 10);
  });

  it('one channel changed: MSE is a third of that channel', () => {
    const a = constant(3, 3, [100, 100, 100]);
    const b = constant(3, 3, [110, 100, 100]);
    expect(psnrSequence([b], [a])).toBeCloseTo(10 * Math.log10((255 * 255 * 3) / 100), 10);
  });

  it('identical -> Infinity, capped to 100 dB for averaging', () => {
    const a = constant(3, 3, [1, 2, 3]);
    expect(psnrSequence([a], [a])).toBe(Infinity);
    expect(capPsnr(Infinity)).toBe(PSNR_CAP_DB);
    expect(capPsnr(30)).toBe(30);
    expect(psnrFromMse(255 * 255)).toBe(0);
    expect(() => psnrFromMse(-1)).toThrow(/-1/);
  });

  it('rejects mismatched sizes and sequence lengths', () => {
    expect(() => psnrSequence([constant(3, 3, [0, 0, 0])], [constant(3, 4, [0, 0, 0])])).toThrow(/3x3x3 vs 3x4x3/);
    expect(() => psnrSequence([], [])).toThrow(/0 and 0/);
  });
});

describe('SSIM', () => {
  it('Gaussian window: 11 taps, symmetric, normalised, sigma 1.5', () => {
    const w = gaussianWindow();
    expect(w.length).toBe(11);
    expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(w[0]).toBeCloseTo(w[10]!, 15);
    expect(w[5]! / w[6]!).toBeCloseTo(Math.exp(1 / (2 * 1.5 * 1.5)), 12);
  });

  it('identical images -> 1', () => {
    const a = lcgImage(3, 16, 16);
    expect(ssimFrame(a, a)).toBeCloseTo(1, 12);
  });

  it('one channel of a constant image changed: hand-derived luminance term', () => {
    const a = constant(12, 11, [100, 100, 100]);
    const b = constant(12, 11, [110, 100, 100]);
    const c1 = (0.01 * 255) ** 2;
    // constant images: zero variances, so the contrast-structure term is c2/c2 = 1
    const lum = (2 * 100 * 110 + c1) / (100 * 100 + 110 * 110 + c1);
    expect(ssimFrame(b, a)).toBeCloseTo((lum + 2) / 3, 12);
  });

  it('matches the independent numpy reference (test/fixtures/metrics-reference.py), case 1: 16x16 + noise', () => {
    const a = lcgImage(1, 16, 16);
    const b = noisyCopy(a, 2, 20);
    expect(psnrSequence([b], [a])).toBeCloseTo(26.823781345743, 9);
    expect(ssimFrame(b, a)).toBeCloseTo(0.986661495593, 9);
  });

  it('matches the numpy reference, case 2: 20 rows x 24 columns shifted one column', () => {
    const a = lcgImage(7, 20, 24);
    const b = rollColumns(a, 1);
    expect(psnrSequence([b], [a])).toBeCloseTo(7.823567587465, 9);
    expect(ssimFrame(b, a)).toBeCloseTo(-0.018715067963, 9);
  });

  it('matches the numpy reference, case 3: a 3-frame sequence, forward and reversed', () => {
    const gts = [0, 1, 2].map((k) => lcgImage(10 + k, 12, 14));
    const preds = [0, 1, 2].map((k) => noisyCopy(gts[k]!, 20 + k, 5 + 20 * k));
    expect(psnrSequence(preds, gts)).toBeCloseTo(24.37012996027, 9);
    expect(ssimSequence(preds, gts)).toBeCloseTo(0.980596926683, 9);
    const rev = [...preds].reverse();
    expect(psnrSequence(rev, gts)).toBeCloseTo(9.451113449769, 9);
    expect(ssimSequence(rev, gts)).toBeCloseTo(0.312057115017, 9);
    const s = scoreSequence(rev, gts);
    expect(s.psnr).toBeCloseTo(9.451113449769, 9);
    expect(s.psnrAgnostic).toBeCloseTo(24.37012996027, 9);
    expect(s.ssimAgnostic).toBeCloseTo(0.980596926683, 9);
  });

  it('accepts 8-bit data and rejects frames smaller than the window', () => {
    const a = lcgImage(5, 11, 11);
    const a8: MetricFrame = { ...a, data: Uint8Array.from(a.data) };
    expect(ssimFrame(a8, a)).toBeCloseTo(1, 12);
    expect(() => ssimFrame(constant(10, 11, [0, 0, 0]), constant(10, 11, [0, 0, 0]))).toThrow(/10x11/);
  });
});

describe('direction-agnostic and best-of-N', () => {
  it('a time-reversed prediction scores perfectly when direction does not matter', () => {
    const gts = [0, 1, 2].map((k) => lcgImage(30 + k, 11, 11));
    const s = scoreSequence([...gts].reverse(), gts);
    expect(s.psnr).toBeLessThan(20);
    expect(s.psnrAgnostic).toBe(Infinity);
    expect(s.ssimAgnostic).toBeCloseTo(1, 12);
  });

  it('best of N takes each metric independently', () => {
    const best = bestOf([
      { psnr: 20, ssim: 0.9, psnrAgnostic: 21, ssimAgnostic: 0.9 },
      { psnr: 25, ssim: 0.8, psnrAgnostic: 25, ssimAgnostic: 0.95 },
    ]);
    expect(best).toEqual({ psnr: 25, ssim: 0.9, psnrAgnostic: 25, ssimAgnostic: 0.95 });
    expect(() => bestOf([])).toThrow(/received 0/);
  });

  it('scores a full 640x360 frame: lower for more noise, 1 for the frame itself', () => {
    // (speed is measured by bench/quality, not here)
    const a = lcgImage(1, 360, 640);
    const light = ssimFrame(a, noisyCopy(a, 2, 10));
    const heavy = ssimFrame(a, noisyCopy(a, 2, 40));
    expect(light).toBeGreaterThan(0.9);
    expect(heavy).toBeLessThan(light);
    expect(ssimFrame(a, a)).toBeCloseTo(1, 12);
  });
});
