// bench/lib/curved-path.ts (bench:motion-headroom): the straight path is the physics renderer's, and
// the curved path puts frame j at the parabola d(tau) = tau v + tau^2 a / 2 through both neighbours'
// flows, checked on a literal linear ramp where bilinear sampling is exact.
import { describe, expect, it } from 'vitest';
import { curved, straight } from '../bench/lib/curved-path.js';
import { pixelMajorToFrames } from '../bench/lib/frames.js';
import type { MotionField } from '../pipeline/math/motion/motion-field.js';

const W = 16;
const H = 2;
/** A linear-light ramp along x, the same in every channel and row: L(x) = x / 16. */
const ramp = Float32Array.from({ length: W * H * 3 }, (_, i) => Math.floor(i / 3) % W / 16);
const uniform = (fx: number, fy: number): MotionField => ({ width: W, height: H, data: Float32Array.from({ length: W * H * 2 }, (_, i) => (i % 2 === 0 ? fx : fy)) });
/** Frame j's time in exposures, written out: the centre of the j-th of 7 slices, from the middle. */
const tau = (j: number) => (j + 0.5) / 7 - 0.5;

describe('curved-path renderer (bench/lib/curved-path.ts)', () => {
  it('with equal flows from the previous and to the next frame (no acceleration) is the straight path exactly', () => {
    const m = uniform(3, 0);
    expect(Array.from(curved(ramp, m, m, 0.5))).toEqual(Array.from(straight(ramp, m, 0.5)));
  });

  it('puts frame j at x - (tau v + tau^2 a / 2): v = 4, a = 4 px (flows 2 from the previous frame, 6 to the next)', () => {
    const out = curved(ramp, uniform(2, 0), uniform(6, 0), 1);
    for (const x of [6, 8, 10]) {
      for (let j = 0; j < 7; j++) {
        const d = 4 * tau(j) + 0.5 * 4 * tau(j) ** 2;
        for (const y of [0, 1]) for (let c = 0; c < 3; c++) expect(out[(y * W + x) * 21 + 3 * j + c]).toBeCloseTo((x - d) / 16, 6);
      }
    }
    // the straight path with the mean motion misses by the quadratic term (2 tau^2 px) at the ends
    const line = straight(ramp, uniform(4, 0), 1);
    expect(line[8 * 21 + 0]).toBeCloseTo((8 - 4 * tau(0)) / 16, 6);
    expect(Math.abs(line[8 * 21]! - out[8 * 21]!)).toBeCloseTo((2 * tau(0) ** 2) / 16, 6);
  });

  it('scales the path with the exposure: tau = t_j e', () => {
    const e = 0.5;
    const out = curved(ramp, uniform(2, 0), uniform(6, 0), e);
    for (let j = 0; j < 7; j++) {
      const t = tau(j) * e;
      expect(out[8 * 21 + 3 * j]).toBeCloseTo((8 - (4 * t + 2 * t * t)) / 16, 6);
    }
  });
});

describe('pixelMajorToFrames (bench/lib/frames.ts)', () => {
  it('splits 21 pixel-major channels into 7 interleaved RGB frames, 8-bit rounded and clamped', () => {
    // 2 pixels; channel k of pixel p holds (p * 21 + k) / 64: frame j, pixel p, colour c = (p * 21 + 3 j + c) / 64
    const srgb = Float32Array.from({ length: 2 * 21 }, (_, i) => i / 64);
    srgb[1] = -0.5; // frame 0, pixel 0, green: below 0
    srgb[41] = 1.5; // frame 6, pixel 1, blue: above 1
    const frames = pixelMajorToFrames(srgb, 2, 1);
    expect(frames).toHaveLength(7);
    const level = (k: number) => Math.round((255 * k) / 64);
    expect(Array.from(frames[0]!.data)).toEqual([level(0), 0, level(2), level(21), level(22), level(23)]);
    expect(Array.from(frames[6]!.data)).toEqual([level(18), level(19), level(20), level(39), level(40), 255]);
    expect(frames[3]).toMatchObject({ width: 2, height: 1, channels: 3 });
  });
});
