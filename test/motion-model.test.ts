// The motion-aware model: the physics in TypeScript against the PyTorch physics the network is
// trained on, and the exported ONNX network (contract, PyTorch parity, zero-initialised residual).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNpy } from '../pipeline/io/npy.js';
import { decomposeWithMotion } from '../pipeline/math/motion/physics.js';
import { MotionDecomposer } from '../pipeline/runtime/motion-decomposer.js';
import { decomposeFrame } from '../pipeline/frame/decompose-frame.js';

const PY = '/usr/bin/python3';
const ROOT = join(import.meta.dirname, '..');

function python(args: string[]): string {
  const r = spawnSync(PY, args, { cwd: ROOT, encoding: 'utf8', timeout: 240_000 });
  if (r.status !== 0) throw new Error(`${PY} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Planar (n, c, h, w) -> interleaved (h, w, n * c), the layout the runtime uses for physics. */
function planarToPixelMajor(src: Float32Array, n: number, w: number, h: number): Float32Array {
  const out = new Float32Array(src.length);
  const c = n * 3;
  for (let k = 0; k < c; k++) for (let p = 0; p < w * h; p++) out[p * c + k] = src[k * w * h + p]!;
  return out;
}

let dir = '';
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'afb-motion-model-')); });
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

describe('physics parity', () => {
  it('the TypeScript physics matches the PyTorch physics the network is trained on', async () => {
    const case1 = join(dir, 'physics');
    python(['models/tools/physics_parity.py', case1, '--exposure', '0.6']);
    const blurry = await readNpy(join(case1, 'blurry.npy'));
    const motion = await readNpy(join(case1, 'motion.npy'));
    const expected = await readNpy(join(case1, 'frames.npy'));
    const [h, w] = blurry.shape as [number, number, number];
    const got = decomposeWithMotion(blurry.data as Uint8Array, { width: w, height: h, data: motion.data as Float32Array }, { exposure: Number(readFileSync(join(case1, 'exposure.txt'), 'utf8')) });
    const want = planarToPixelMajor(expected.data as Float32Array, 7, w, h);
    let maxDiff = 0;
    let sum = 0;
    for (let i = 0; i < got.length; i++) { const d = Math.abs(got[i]! - want[i]!); maxDiff = Math.max(maxDiff, d); sum += d; }
    expect(sum / got.length).toBeLessThan(2e-4);
    expect(maxDiff).toBeLessThan(5e-3); // a streak whose sample count rounds differently in float32 and float64
    // and the output is not trivially the input: the moving part changed
    const b = blurry.data as Uint8Array;
    let changed = 0;
    for (let p = Math.floor(h / 2) * w; p < w * h; p++) changed = Math.max(changed, Math.abs(got[p * 21]! - b[p * 3]! / 255));
    expect(changed).toBeGreaterThan(0.01);
  });
});

describe('motion-aware ONNX network', () => {
  it('honours its contract and matches PyTorch within 1e-4', async () => {
    const onnx = join(dir, 'motion.onnx');
    const parity = join(dir, 'parity');
    python(['models/export_motion.py', '--random', '3', '--out', onnx, '--parity-dir', parity, '--parity-size', '36x44']);
    const side = JSON.parse(readFileSync(join(dir, 'motion.json'), 'utf8')) as Record<string, unknown>;
    expect(side.kind).toBe('afb-motion-decomposer');
    expect((side.inputs as { name: string }[]).map((i) => i.name)).toEqual(['blurry', 'motion', 'physics']);
    const model = await MotionDecomposer.create(onnx);
    try {
      const [blurry, motion, physics, frames] = await Promise.all(['blurry', 'motion', 'physics', 'frames'].map((n) => readNpy(join(parity, `${n}.npy`))));
      const w = 44; const h = 36;
      // planar (1,c,h,w) -> interleaved for runHwc
      const hwc = (src: Float32Array, c: number) => { const o = new Float32Array(src.length); for (let k = 0; k < c; k++) for (let p = 0; p < w * h; p++) o[p * c + k] = src[k * w * h + p]!; return o; };
      const out = await model.runHwc(hwc(blurry!.data as Float32Array, 3), 1, hwc(motion!.data as Float32Array, 2), hwc(physics!.data as Float32Array, 21), w, h);
      const want = frames!.data as Float32Array;
      expect(out.length).toBe(want.length);
      let maxDiff = 0;
      let residual = 0;
      const ph = physics!.data as Float32Array;
      for (let i = 0; i < out.length; i++) { maxDiff = Math.max(maxDiff, Math.abs(out[i]! - want[i]!)); residual = Math.max(residual, Math.abs(out[i]! - Math.min(1, Math.max(0, ph[i]!)))); }
      expect(maxDiff).toBeLessThanOrEqual(1e-4);
      expect(residual).toBeGreaterThan(1e-3); // seed 3 has a random residual: the network does something
    } finally {
      await model.release();
    }
  });
  it('untrained (zero-initialised residual), it returns the physics input exactly, at any size', async () => {
    const onnx = join(dir, 'motion0.onnx');
    python(['models/export_motion.py', '--random', '0', '--out', onnx]);
    const model = await MotionDecomposer.create(onnx);
    try {
      const w = 30; const h = 21; // not multiples of 4: padded and cropped back
      const rgb = new Uint8Array(w * h * 3).map((_, i) => (i * 37) % 256);
      const disp = new Float32Array(w * h * 2).map((_, i) => ((i % 7) - 3) * 2);
      const physics = new Float32Array(w * h * 21).map((_, i) => ((i * 13) % 97) / 96);
      const out = await model.runHwc(rgb, 1 / 255, disp, physics, w, h);
      for (let j = 0; j < 7; j++) for (let c = 0; c < 3; c++) for (let p = 0; p < w * h; p++) {
        expect(out[(j * 3 + c) * w * h + p]).toBeCloseTo(physics[p * 21 + j * 3 + c]!, 6);
      }
    } finally {
      await model.release();
    }
  });
});

describe('self-ensemble', () => {
  it('maps every copy back: zero residual gives the physics at every size; ensemble 2 is the mean of the plain and the time-reversed run', async () => {
    python(['models/export_motion.py', '--random', '0', '--out', join(dir, 'motion0-ens.onnx')]);
    const zero = await MotionDecomposer.create(join(dir, 'motion0-ens.onnx'));
    const onnx = join(dir, 'motion5-ens.onnx');
    python(['models/export_motion.py', '--random', '5', '--out', onnx]);
    const random = await MotionDecomposer.create(onnx);
    try {
      const w = 30; const h = 21; // not multiples of 4: the copies are mirrored padded tensors
      const rgb = new Uint8Array(w * h * 3).map((_, i) => (i * 37) % 256);
      const disp = new Float32Array(w * h * 2).map((_, i) => ((i % 7) - 3) * 2);
      const physics = new Float32Array(w * h * 21).map((_, i) => ((i * 13) % 97) / 96);
      for (const n of [2, 4, 8]) {
        const out = await zero.runHwc(rgb, 1 / 255, disp, physics, w, h, n);
        let maxDiff = 0;
        for (let j = 0; j < 7; j++) for (let c = 0; c < 3; c++) for (let p = 0; p < w * h; p++) maxDiff = Math.max(maxDiff, Math.abs(out[(j * 3 + c) * w * h + p]! - physics[p * 21 + j * 3 + c]!));
        expect(maxDiff, `ensemble ${n}`).toBeLessThan(1e-6);
      }
      // time reversal by hand: frames in reverse order, motion negated, blurry unchanged
      const reversedPhysics = new Float32Array(physics.length);
      for (let p = 0; p < w * h; p++) for (let j = 0; j < 7; j++) for (let c = 0; c < 3; c++) reversedPhysics[p * 21 + j * 3 + c] = physics[p * 21 + (6 - j) * 3 + c]!;
      const plain = await random.runHwc(rgb, 1 / 255, disp, physics, w, h);
      const rev = await random.runHwc(rgb, 1 / 255, disp.map((v) => -v), reversedPhysics, w, h);
      const ens = await random.runHwc(rgb, 1 / 255, disp, physics, w, h, 2);
      const plane = w * h;
      let maxDiff = 0;
      let changed = 0;
      for (let j = 0; j < 7; j++) for (let c = 0; c < 3; c++) for (let p = 0; p < plane; p++) {
        const want = 0.5 * (plain[(j * 3 + c) * plane + p]! + rev[((6 - j) * 3 + c) * plane + p]!);
        maxDiff = Math.max(maxDiff, Math.abs(ens[(j * 3 + c) * plane + p]! - want));
        changed = Math.max(changed, Math.abs(ens[(j * 3 + c) * plane + p]! - plain[(j * 3 + c) * plane + p]!));
      }
      expect(maxDiff).toBeLessThan(1e-5);
      expect(changed).toBeGreaterThan(1e-3); // a random network is not time-symmetric: the mean differs
      await expect(random.runHwc(rgb, 1 / 255, disp, physics, w, h, 3)).rejects.toThrow(/ensemble size of 1, 2, 4, 8 but received 3/);
    } finally {
      await zero.release();
      await random.release();
    }
  });
});

describe('the learned method in the frame pipeline', () => {
  it('tiled and whole frames agree, static pixels are the input, and the residual changes the physics', async () => {
    const onnx = join(dir, 'motion3-tiles.onnx');
    python(['models/export_motion.py', '--random', '3', '--out', onnx]);
    const motion = await MotionDecomposer.create(onnx);
    try {
      const w = 150; const h = 90;
      const rgb = new Uint8Array(w * h * 3).map((_, i) => 128 + Math.round(100 * Math.sin(i * 0.013) * Math.cos(i * 0.0007)));
      const m = new Float32Array(w * h * 2);
      for (let p = w * 30; p < w * h; p++) { m[2 * p] = 9; m[2 * p + 1] = -3; } // the top 30 rows static
      const task = { index: 0, width: w, height: h, rgb, method: 'learned' as const, motion: m, exposure: 0.8, consistency: false };
      const whole = await decomposeFrame({ motion }, { ...task, tile: 0 });
      const tiled = await decomposeFrame({ motion }, { ...task, tile: 64 });
      let maxDiff = 0;
      for (let i = 0; i < whole.frames.length; i++) maxDiff = Math.max(maxDiff, Math.abs(whole.frames[i]! - tiled.frames[i]!));
      expect(maxDiff).toBeLessThanOrEqual(12); // feathered tile seams of a random (seed 3) residual
      const plane = w * h * 3;
      for (const out of [whole, tiled]) {
        for (let j = 0; j < 7; j++) {
          expect(Buffer.from(out.frames.subarray(j * plane, j * plane + 30 * w * 3)).equals(Buffer.from(rgb.subarray(0, 30 * w * 3)))).toBe(true);
        }
      }
      // the float path (tiles blended in float) agrees with the 8-bit blend within one code
      const tiledFloat = await decomposeFrame({ motion }, { ...task, tile: 64, float: true });
      let floatDiff = 0;
      for (let i = 0; i < tiled.frames.length; i++) floatDiff = Math.max(floatDiff, Math.abs(tiledFloat.frames[i]! - tiled.frames[i]!));
      expect(floatDiff).toBeLessThanOrEqual(1);
      // the residual changed the physics somewhere in the moving part
      const physics = await decomposeFrame({}, { ...task, method: 'physics', tile: 0 });
      let changed = 0;
      for (let i = 0; i < whole.frames.length; i++) changed = Math.max(changed, Math.abs(whole.frames[i]! - physics.frames[i]!));
      expect(changed).toBeGreaterThan(2);
    } finally {
      await motion.release();
    }
  });
});

describe("the model's physics settings (its sidecar's physics block)", () => {
  it('the learned method computes its physics input with the sidecar settings; a bad block or a missing sidecar is reported', async () => {
    const onnx = join(dir, 'motion0-side.onnx');
    const sidecar = join(dir, 'motion0-side.json');
    python(['models/export_motion.py', '--random', '0', '--out', onnx]); // zero residual: output = physics input
    const side = JSON.parse(readFileSync(sidecar, 'utf8')) as { physics: Record<string, number> };
    expect(side.physics).toEqual({ iterations: 6, spacing: 1, max_samples: 9, static_threshold: 0.5, frames: 7 });
    const w = 64; const h = 40;
    const rgb = new Uint8Array(w * h * 3).map((_, i) => 128 + Math.round(90 * Math.sin(i * 0.05) * Math.cos(i * 0.0031)));
    const m = new Float32Array(w * h * 2).map((_, i) => (i % 2 === 0 ? 7 : -2));
    const task = { index: 0, width: w, height: h, rgb, motion: m, exposure: 1, consistency: false, tile: 0 };
    const physics6 = (await decomposeFrame({}, { ...task, method: 'physics' })).frames;
    const physics0 = (await decomposeFrame({}, { ...task, method: 'physics', iterations: 0 })).frames;
    expect(Buffer.from(physics6).equals(Buffer.from(physics0))).toBe(false);
    const learned = async (physics: Record<string, number | boolean> | undefined, warn: (m: string) => void = () => undefined, extra: { disagreement?: Float32Array } = {}) => {
      if (physics) writeFileSync(sidecar, JSON.stringify({ ...side, physics }));
      else rmSync(sidecar, { force: true });
      const model = await MotionDecomposer.create(onnx, { warn });
      try {
        return { physics: model.physics, frames: (await decomposeFrame({ motion: model }, { ...task, ...extra, method: 'learned' })).frames };
      } finally {
        await model.release();
      }
    };
    const maxDiff = (a: Uint8Array, b: Uint8Array) => a.reduce((d, v, i) => Math.max(d, Math.abs(v - b[i]!)), 0);
    // the shipped settings: the physics method's defaults
    const trained6 = await learned(side.physics);
    expect(maxDiff(trained6.frames, physics6)).toBeLessThanOrEqual(1);
    // a network trained on 0 iterations gets the blurry frame moved along the motion as its input
    const trained0 = await learned({ ...side.physics, iterations: 0 });
    expect(trained0.physics.iterations).toBe(0);
    expect(maxDiff(trained0.frames, physics0)).toBeLessThanOrEqual(1);
    expect(maxDiff(trained0.frames, physics6)).toBeGreaterThan(2);
    // the motion's disagreement: the physics method keeps the deblurring only where it is trusted;
    // the network gets that physics only when its sidecar says flow_trust (the shipped one does not)
    const disagreement = new Float32Array(w * h).map((_, p) => (p % w < w / 2 ? 0 : 20));
    const physicsTrusted = (await decomposeFrame({}, { ...task, disagreement, method: 'physics' })).frames;
    expect(maxDiff(physicsTrusted, physics6)).toBeGreaterThan(2);
    expect(maxDiff((await learned(side.physics, undefined, { disagreement })).frames, physics6)).toBeLessThanOrEqual(1);
    expect(maxDiff((await learned({ ...side.physics, flow_trust: true }, undefined, { disagreement })).frames, physicsTrusted)).toBeLessThanOrEqual(1);
    // bad blocks: ModelError naming the sidecar and the field
    await expect(learned({ ...side.physics, spacing: -1 })).rejects.toMatchObject({ name: 'ModelError', message: expect.stringMatching(/physics\.spacing.*-1.*motion0-side\.json/) });
    await expect(learned({ ...side.physics, kernel: 3 })).rejects.toMatchObject({ name: 'ModelError', message: expect.stringMatching(/Unknown physics setting "kernel"/) });
    await expect(learned({ ...side.physics, frames: 5 })).rejects.toMatchObject({ name: 'ModelError', message: expect.stringMatching(/physics\.frames = 5/) });
    // no sidecar: the defaults, with a warning naming the missing file
    const warnings: string[] = [];
    const bare = await learned(undefined, (msg) => warnings.push(msg));
    expect(bare.physics).toEqual({ ...trained6.physics, flowTrust: true });
    expect(warnings.some((msg) => msg.includes('motion0-side.json') && msg.includes('defaults'))).toBe(true);
  });
});
