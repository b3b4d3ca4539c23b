import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { Decomposer } from '../pipeline/runtime/decomposer.js';
import { GuidancePredictor } from '../pipeline/runtime/predictor.js';
import { InputError, ModelError } from '../pipeline/errors.js';
import { sampleLatents } from '../pipeline/math/predictor-maths.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** Deterministic pseudo-random bytes for test images. */
function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = s % 256;
  }
  return out;
}

function guidanceOf(n: number): Int8Array {
  return Int8Array.from({ length: n * 2 }, (_, i) => ((i * 7 + (i >> 3)) % 3) - 1);
}

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

describe('Decomposer', () => {
  it('computes the linear test model exactly on an odd-sized frame (pad + crop)', async () => {
    const w = 5, h = 3;
    const rgb = bytes(w * h * 3, 1);
    const g = guidanceOf(w * h);
    const model = await Decomposer.create(fixture('decomposer-linear.onnx'));
    const frames = await model.runHwc(rgb, g, w, h);
    await model.release();
    expect(frames.length).toBe(7 * 3 * w * h);
    let maxErr = 0;
    for (let j = 0; j < 7; j++)
      for (let k = 0; k < 3; k++)
        for (let y = 0; y < h; y++)
          for (let x = 0; x < w; x++) {
            const p = y * w + x;
            const want = clamp01(rgb[p * 3 + k]! / 255 + (j - 3) * 0.05 * g[p * 2]! + (j - 3) * 0.02 * g[p * 2 + 1]!);
            maxErr = Math.max(maxErr, Math.abs(frames[((j * 3 + k) * h + y) * w + x]! - want));
          }
    expect(maxErr).toBeLessThan(1e-6);
  });

  it('reflect-pads to a multiple of 4 for a model that needs it (block-average model)', async () => {
    const w = 6, h = 5;
    const rgb = bytes(w * h * 3, 2);
    const g = new Int8Array(w * h * 2);
    const model = await Decomposer.create(fixture('decomposer-block4.onnx'));
    const frames = await model.runHwc(rgb, g, w, h);
    await model.release();
    // Reflect padding written out by hand: 6 -> 8 columns [0..5,4,3]; 5 -> 8 rows [0..4,3,2,1].
    const cols = [0, 1, 2, 3, 4, 5, 4, 3];
    const rows = [0, 1, 2, 3, 4, 3, 2, 1];
    for (let k = 0; k < 3; k++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          const by = Math.floor(y / 4) * 4, bx = Math.floor(x / 4) * 4;
          let sum = 0;
          for (let dy = 0; dy < 4; dy++) for (let dx = 0; dx < 4; dx++) sum += rgb[(rows[by + dy]! * w + cols[bx + dx]!) * 3 + k]! / 255;
          expect(frames[(3 * 3 + k) * h * w + y * w + x]).toBeCloseTo(sum / 16, 5);
        }
  });

  it('accepts inputs backed by a SharedArrayBuffer', async () => {
    const model = await Decomposer.create(fixture('decomposer-linear.onnx'));
    const blurry = new Float32Array(new SharedArrayBuffer(3 * 16 * 4)).fill(0.25);
    const guide = new Float32Array(new SharedArrayBuffer(2 * 16 * 4)).fill(1);
    const out = await model.runPadded(blurry, guide, 4, 4);
    await model.release();
    expect(out[0]).toBeCloseTo(0.25 - 3 * 0.07, 6);
    expect(out[6 * 48]).toBeCloseTo(0.25 + 3 * 0.07, 6);
  });

  it('rejects a model with the wrong inputs, listing the expected ones', async () => {
    const err = await Decomposer.create(fixture('decomposer-wrong.onnx')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect((err as ModelError).message).toMatch(/\[image, guide\] but expected \[blurry, guidance\]/);
    expect((err as ModelError).modelPath).toContain('decomposer-wrong.onnx');
  });

  it('reports a missing model file as an InputError naming the path', async () => {
    const err = await Decomposer.create('/nonexistent/model.onnx').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).path).toBe('/nonexistent/model.onnx');
  });

  it('falls back to the CPU with a warning when the provider is unavailable', async () => {
    const warnings: string[] = [];
    const model = await Decomposer.create(fixture('decomposer-linear.onnx'), { provider: 'cuda', warn: (m) => warnings.push(m) });
    expect(model.provider).toBe('cpu');
    await model.release();
    expect(warnings.join('\n')).toMatch(/"cuda" is not available.*CPU/);
  });
});

describe('GuidancePredictor', () => {
  it('samples seeded guidance maps that follow the logits (tiny predictor) at the image size', async () => {
    const w = 40, h = 20;
    const data = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[(y * w + x) * 3] = x < w / 2 ? 255 : 0;
    const predictor = await GuidancePredictor.create(fixture('predictor-tiny.onnx'));
    const maps = await predictor.sample({ width: w, height: h, data }, 3, 42);
    const again = await predictor.sample({ width: w, height: h, data }, 3, 42);
    await predictor.release();
    expect(maps).toHaveLength(3);
    expect(Buffer.from(again[2]!.data.buffer).equals(Buffer.from(maps[2]!.data.buffer))).toBe(true);
    const quad: [number, number][] = [[1, -1], [-1, -1], [-1, 1], [1, 1]];
    const zs = sampleLatents(42, 3);
    for (let s = 0; s < 3; s++) {
      const z = Array.from(zs[s]!);
      const zBest = z.indexOf(Math.max(...z));
      for (const [x, staticLogit] of [[2, -1], [w - 3, 1]] as const) {
        // logits: static = 1 - 2*red, class k = z[k-1]; first maximum wins.
        const want = staticLogit >= z[zBest]! ? [0, 0] : quad[zBest]!;
        const p = (10 * w + x) * 2;
        expect([maps[s]!.data[p], maps[s]!.data[p + 1]]).toEqual(want);
      }
      expect(maps[s]!.width).toBe(w);
      expect(maps[s]!.height).toBe(h);
    }
  });

  it('draws standard normal latents', () => {
    const zs = sampleLatents(7, 2500);
    const all = zs.flatMap((z) => Array.from(z));
    const mean = all.reduce((a, b) => a + b, 0) / all.length;
    const sd = Math.sqrt(all.reduce((a, b) => a + (b - mean) ** 2, 0) / all.length);
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(sd - 1)).toBeLessThan(0.05);
    expect(sampleLatents(7, 1)[0]).toEqual(zs[0]);
    expect(sampleLatents(8, 1)[0]).not.toEqual(zs[0]);
  });
});
