// RAFT ONNX contract: export a random-weight raft_small with the project's exporter and check
// names, shapes, padding and the sign convention against PyTorch's own output.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelError } from '../pipeline/errors.js';
import { createFlowEstimator } from '../pipeline/flow/estimator.js';
import { RaftFlowEstimator } from '../pipeline/flow/raft.js';
import { probe } from '../pipeline/io/probe.js';
import { makeTestClip, REPO_ROOT } from './helpers/media.js';
import { fileURLToPath } from 'node:url';
import { decodeNpy } from '../pipeline/io/npy.js';
import { Logger } from '../pipeline/log.js';
import { cropRaftFlow, raftInputTensor, raftLayout } from '../pipeline/math/flow/raft-tensors.js';
import type { RgbImage } from '../pipeline/math/types.js';

const PYTHON = '/usr/bin/python3';

describe('RAFT tensor layout (pure)', () => {
  it('scales to the working width, pads to multiples of 8 (>= 128) and centres', () => {
    expect(raftLayout(960, 540, 480)).toEqual({ width: 480, height: 270, paddedWidth: 480, paddedHeight: 272, left: 0, top: 1 });
    expect(raftLayout(150, 130, 480)).toEqual({ width: 150, height: 130, paddedWidth: 152, paddedHeight: 136, left: 1, top: 3 });
    expect(raftLayout(100, 60, 480)).toEqual({ width: 100, height: 60, paddedWidth: 128, paddedHeight: 128, left: 14, top: 34 });
    // fixed-size model: fit inside it keeping the aspect ratio
    expect(raftLayout(960, 540, 480, 320, 240)).toEqual({ width: 320, height: 180, paddedWidth: 320, paddedHeight: 240, left: 0, top: 30 });
  });
  it('builds NCHW 0..255 input with replicated edges and crops the flow back', () => {
    const img: RgbImage = { width: 2, height: 1, data: Uint8Array.from([10, 20, 30, 40, 50, 60]) };
    const layout = { width: 2, height: 1, paddedWidth: 4, paddedHeight: 2, left: 1, top: 0 };
    const t = raftInputTensor(img, layout);
    expect(Array.from(t.subarray(0, 8))).toEqual([10, 10, 40, 40, 10, 10, 40, 40]); // R plane
    expect(Array.from(t.subarray(16, 20))).toEqual([30, 30, 60, 60]); // B plane, row 0
    const flow = Float32Array.from({ length: 16 }, (_, i) => i);
    const { u, v } = cropRaftFlow(flow, layout);
    expect(Array.from(u)).toEqual([1, 2]);
    expect(Array.from(v)).toEqual([9, 10]);
    expect(() => cropRaftFlow(new Float32Array(3), layout)).toThrow(/3 values/);
    const img16: RgbImage = { width: 1, height: 1, data: Uint16Array.from([65535, 0, 65535]) };
    expect(Array.from(raftInputTensor(img16, { width: 1, height: 1, paddedWidth: 1, paddedHeight: 1, left: 0, top: 0 }))).toEqual([255, 0, 255]);
  });
});

const torchCheck = spawnSync(PYTHON, ['-c', 'import torch, torchvision, onnx'], { encoding: 'utf8' });

describe('RAFT ONNX export contract (random-weight raft_small)', () => {
  it('has PyTorch to export with (bash scripts/setup.sh installs python3-torch python3-torchvision python3-onnx)', () => {
    expect(torchCheck.status, `${PYTHON} cannot import torch/torchvision/onnx: ${(torchCheck.stderr || torchCheck.error?.message || '').trim().split('\n').pop()}`).toBe(0);
  });
  let dir: string;
  let model: string;
  const npy = async (name: string) => decodeNpy(await readFile(join(dir, 'example', name)));
  const toRgb = (data: Float32Array, h: number, w: number): RgbImage => {
    const out = new Uint8Array(w * h * 3);
    for (let c = 0; c < 3; c++) for (let i = 0; i < w * h; i++) out[3 * i + c] = data[c * w * h + i]!;
    return { width: w, height: h, data: out };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'afb-raft-'));
    model = join(dir, 'raft_small.onnx');
    const r = spawnSync(PYTHON, [
      'models/raft/export_raft.py', '--arch', 'raft_small', '--random', '--iters', '3',
      '--height', '128', '--width', '160', '--save-example', join(dir, 'example'), '-o', model,
    ], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`export_raft.py failed (${r.status}): ${r.stderr.slice(-2000)}`);
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('has inputs image1/image2 [1,3,H,W] with dynamic H, W and output flow', async () => {
    const s = await ort.InferenceSession.create(model);
    expect(s.inputNames).toEqual(['image1', 'image2']);
    expect(s.outputNames).toEqual(['flow']);
    const meta = s.inputMetadata[0]!;
    expect(meta.isTensor && meta.shape.slice(0, 2)).toEqual([1, 3]);
    expect(meta.isTensor && meta.shape.slice(2).every((d) => typeof d === 'string')).toBe(true);
    await s.release();
  });

  it('matches PyTorch on the same input: flow from image1 to image2, (u, v) order, 0..255 input', async () => {
    const [a, b, f] = [await npy('image1.npy'), await npy('image2.npy'), await npy('flow.npy')];
    expect(f.shape).toEqual([1, 2, 128, 160]);
    const est = await createFlowEstimator({ backend: 'raft', modelPath: model, workingWidth: 160 });
    const out = await est.estimate(toRgb(a.data as Float32Array, 128, 160), toRgb(b.data as Float32Array, 128, 160));
    await est.release();
    expect([out.width, out.height]).toEqual([160, 128]);
    const ref = f.data as Float32Array;
    let maxDiff = 0, maxAbs = 0;
    for (let i = 0; i < 160 * 128; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(out.data[2 * i]! - ref[i]!), Math.abs(out.data[2 * i + 1]! - ref[160 * 128 + i]!));
      maxAbs = Math.max(maxAbs, Math.abs(ref[i]!));
    }
    expect(maxAbs).toBeGreaterThan(0.1); // random weights still give a non-trivial field to compare
    expect(maxDiff).toBeLessThan(1e-3);
  });

  it('pads odd sizes to multiples of 8 and unpads the output', async () => {
    const a = await npy('image1.npy');
    const full = toRgb(a.data as Float32Array, 128, 160);
    // crop 150x130 out of a 160x128 frame by repeating the last row twice
    const w = 150, h = 130;
    const data = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) data[(y * w + x) * 3 + c] = full.data[(Math.min(127, y) * 160 + x) * 3 + c]!;
    const img: RgbImage = { width: w, height: h, data };
    const est = await RaftFlowEstimator.create({ modelPath: model, workingWidth: 480 });
    const layout = est.layoutFor(w, h);
    expect([layout.paddedWidth, layout.paddedHeight]).toEqual([152, 136]);
    const flow = await est.estimate(img, img);
    await est.release();
    expect([flow.width, flow.height, flow.data.length]).toEqual([150, 130, 150 * 130 * 2]);
    // independently: run the session on the padded tensor and crop by hand
    const s = await ort.InferenceSession.create(model);
    const t = new ort.Tensor('float32', raftInputTensor(img, layout), [1, 3, 136, 152]);
    const raw = (await s.run({ image1: t, image2: t })).flow!.data as Float32Array;
    await s.release();
    const i = 40 * 150 + 70; // pixel (70, 40) sits at (71, 43) in the padded output
    expect(flow.data[2 * i]).toBeCloseTo(raw[43 * 152 + 71]!, 4);
    expect(flow.data[2 * i + 1]).toBeCloseTo(raw[136 * 152 + 43 * 152 + 71]!, 4);
  });

  it('falls back to cpu with a warning when a provider is unavailable', async () => {
    const lines: string[] = [];
    const stream = { write: (s: string) => { lines.push(s); return true; } } as unknown as NodeJS.WritableStream;
    const est = await RaftFlowEstimator.create({ modelPath: model, provider: 'webgpu', log: new Logger('warn', stream) });
    if (est.provider === 'cpu') expect(lines.join('')).toMatch(/"webgpu" is not available.*running on the CPU instead/);
    else expect(lines).toEqual([]);
    await est.release();
  });

  it('converts original princeton-vl/RAFT checkpoint names to torchvision (strict load, both sizes)', () => {
    const r = spawnSync(PYTHON, ['models/raft/check_convert.py'], { encoding: 'utf8' });
    expect(r.stderr.split('\n').filter((l) => /error|Traceback/i.test(l))).toEqual([]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/raft_small OK 106 tensors/);
    expect(r.stdout).toMatch(/raft_large OK 169 tensors/);
  });

  it('runs `afb video --flow raft --flow-model FILE` end to end: 7x frames, guidance from RAFT', async () => {
    const clip = await makeTestClip(join(dir, 'clip.mp4'), { width: 64, height: 48, frames: 3 });
    const out = join(dir, 'raft-out.mp4');
    const decomposer = fileURLToPath(new URL('./fixtures/decomposer-linear.onnx', import.meta.url));
    const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/afb.js'), '--workers', '1', '--json', 'video', clip, '-o', out,
      '--model', decomposer, '--flow', 'raft', '--flow-model', model], { encoding: 'utf8', cwd: REPO_ROOT });
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { outputFrames: number; guidance: string; inputFrames: number };
    expect([summary.inputFrames, summary.outputFrames]).toEqual([3, 21]);
    expect(summary.guidance).toMatch(/RAFT|raft/);
    expect((await probe(out)).frameCount).toBe(21);
  }, 300_000);

  it('reports unusable model files as ModelError naming the file', async () => {
    const junk = join(dir, 'junk.onnx');
    await writeFile(junk, 'not a model');
    await expect(RaftFlowEstimator.create({ modelPath: junk })).rejects.toThrow(ModelError);
    await expect(RaftFlowEstimator.create({ modelPath: junk })).rejects.toThrow(/junk\.onnx/);
  });
});
