import { describe, expect, it } from 'vitest';
import { srgbToLinear, linearToSrgb } from '../pipeline/math/colour.js';
import { enforceBlurConsistency, fastEncode } from '../pipeline/math/consistency.js';

const linMean = (frames: Float32Array, m: number, p: number) => {
  let s = 0;
  for (let j = 0; j < 7; j++) s += srgbToLinear(frames[j * m + p]!);
  return s / 7;
};

describe('blur consistency', () => {
  it('makes the linear-light mean of the 7 frames equal the blurry input', () => {
    const m = 300;
    const blurry = Float32Array.from({ length: m }, (_, i) => ((i * 37) % 101) / 100);
    const frames = Float32Array.from({ length: 7 * m }, (_, i) => ((i * 53) % 97) / 96);
    enforceBlurConsistency(frames, blurry);
    for (let p = 0; p < m; p++) expect(Math.abs(linMean(frames, m, p) - srgbToLinear(blurry[p]!))).toBeLessThan(2e-5);
    for (const v of frames) expect(v >= 0 && v <= 1).toBe(true);
  });

  it('hands the clamped residue to the frames that can still move', () => {
    // Six frames saturated at 1, one at 0; target linear mean 0.9 needs the last frame at 0.3 linear.
    const frames = Float32Array.from([1, 1, 1, 1, 1, 1, 0]);
    const blurry = Float32Array.from([linearToSrgb(0.9)]);
    enforceBlurConsistency(frames, blurry);
    for (let j = 0; j < 6; j++) expect(frames[j]).toBeCloseTo(1, 6);
    expect(srgbToLinear(frames[6]!)).toBeCloseTo(0.3, 4);
  });

  it('clamps at 0 and redistributes downwards', () => {
    const frames = Float32Array.from([0.5, 0.5, 0.02, 0.02, 0.02, 0.02, 0.02]);
    const blurry = Float32Array.from([linearToSrgb(0.02)]);
    enforceBlurConsistency(frames, blurry);
    expect(linMean(frames, 1, 0)).toBeCloseTo(0.02, 5);
    for (const v of frames) expect(v).toBeGreaterThanOrEqual(0);
  });

  it('leaves already consistent frames unchanged and reports the change', () => {
    const vals = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7];
    const frames = Float32Array.from(vals.map(linearToSrgb));
    const blurry = Float32Array.from([linearToSrgb(0.4)]);
    const stats = enforceBlurConsistency(frames, blurry);
    expect(stats.maxAbsChange).toBeLessThan(1e-4);
    const shifted = Float32Array.from(vals.map((v) => linearToSrgb(v + 0.05)));
    expect(enforceBlurConsistency(shifted, blurry).meanAbsChange).toBeGreaterThan(0.01);
  });

  it('encodes through its table within 1e-5 of the exact sRGB curve', () => {
    const enc = fastEncode('srgb');
    for (let i = 0; i <= 1000; i++) {
      const v = (i / 1000) ** 3;
      expect(Math.abs(enc(v) - linearToSrgb(v))).toBeLessThan(1e-5);
    }
  });
});
