// Colour maths against values computed independently (Python, IEC 61966-2-1 formulas).
import { describe, expect, it } from 'vitest';
import {
  decodeToLinear, encodeLinearTo16, encodeLinearTo8, gamma22ToLinear, linearToGamma22, linearToSrgb, srgbToLinear, toLinearLut,
} from '../pipeline/math/colour.js';

describe('sRGB <-> linear', () => {
  it('matches reference values', () => {
    const s2l: [number, number][] = [
      [0, 0], [0.01, 0.0007739938080495357], [0.04045, 0.0031308049535603713], [0.2, 0.033104766570885055],
      [0.5, 0.21404114048223255], [0.75, 0.5225215539683921], [1, 1],
    ];
    for (const [v, want] of s2l) expect(srgbToLinear(v)).toBeCloseTo(want, 14);
    const l2s: [number, number][] = [
      [0, 0], [0.001, 0.01292], [0.0031308, 0.040449936], [0.18, 0.46135612950044164], [0.5, 0.7353569830524495], [0.9, 0.9546871718858662], [1, 1],
    ];
    for (const [v, want] of l2s) expect(linearToSrgb(v)).toBeCloseTo(want, 14);
  });

  it('builds exact 8- and 16-bit lookup tables', () => {
    const lut8 = toLinearLut('srgb', 8);
    expect(lut8).toHaveLength(256);
    expect(lut8[128]).toBeCloseTo(0.21586050011389926, 7); // float32 storage
    expect(lut8[1]).toBeCloseTo(0.0003035269835488375, 9);
    const lut16 = toLinearLut('srgb', 16);
    expect(lut16).toHaveLength(65536);
    expect(lut16[12345]).toBeCloseTo(0.029596901121302237, 8);
    expect(lut16[65535]).toBe(1);
  });

  it('round-trips all 256 8-bit codes exactly', () => {
    const codes = Uint8Array.from({ length: 256 }, (_, i) => i);
    for (const curve of ['srgb', 'gamma2.2'] as const) {
      expect(Array.from(encodeLinearTo8(decodeToLinear(codes, curve), curve))).toEqual(Array.from(codes));
    }
  });

  it('round-trips 16-bit codes exactly (every 7th code)', () => {
    const codes = Uint16Array.from({ length: 9363 }, (_, i) => i * 7);
    expect(Array.from(encodeLinearTo16(decodeToLinear(codes)))).toEqual(Array.from(codes));
  });

  it('rounds linear values to the nearest encoded code and clamps', () => {
    const linear = Float32Array.from([0.134364244, 0.847433737, 0.763774619, 0.255069026, 0.495435087, 0.449491065, 0.651592973, 0.788723351, 0.093859587, 0.028347477, 0.835765104, 0.432767068, 0, 1, 1e-5, -0.5, 2]);
    const want = [103, 237, 226, 138, 187, 179, 211, 230, 86, 47, 236, 176, 0, 255, 0, 0, 255];
    expect(Array.from(encodeLinearTo8(linear))).toEqual(want);
  });
});

describe('gamma 2.2', () => {
  it('matches reference values', () => {
    expect(gamma22ToLinear(0.5)).toBeCloseTo(0.217637640824031, 14);
    expect(gamma22ToLinear(0.9)).toBeCloseTo(0.7931101735123912, 14);
    expect(linearToGamma22(0.25)).toBeCloseTo(0.5325205447199813, 14);
    expect(linearToGamma22(0.5)).toBeCloseTo(0.7297400528407231, 14);
    expect(gamma22ToLinear(-0.1)).toBe(0);
  });
  it('differs from sRGB (datasets made with gamma 2.2 must not be decoded as sRGB)', () => {
    expect(Math.abs(gamma22ToLinear(0.5) - srgbToLinear(0.5))).toBeGreaterThan(0.003);
  });
});
