// Parity of the exported decomposer: PyTorch (unfolded BN, eval mode) vs onnxruntime-node on the
// same fixed input, max abs difference <= 1e-4; plus the ONNX contract (names, dynamic H/W, sidecar).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNpy } from '../pipeline/io/npy.js';

const PY = '/usr/bin/python3';
const ROOT = join(import.meta.dirname, '..');

/** Run a models/ script with /usr/bin/python3; throws with its output on failure. */
function python(args: string[], timeoutMs = 240_000): string {
  const r = spawnSync(PY, args, { cwd: ROOT, encoding: 'utf8', timeout: timeoutMs });
  if (r.status !== 0) throw new Error(`${PY} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Fail loudly (never skip) when PyTorch is missing for /usr/bin/python3. */
function requireTorch(): void {
  const r = spawnSync(PY, ['-c', 'import torch, onnx, numpy, yaml, PIL'], { encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`${PY} cannot import torch/onnx/numpy/yaml/PIL: run scripts/setup.sh (installs python3-torch, python3-onnx, ...).\n${r.stderr ?? ''}`);
  }
}

async function tensorOf(path: string): Promise<ort.Tensor> {
  const npy = await readNpy(path);
  return new ort.Tensor('float32', npy.data as Float32Array, npy.shape);
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

let dir = '';
beforeAll(() => {
  requireTorch();
  dir = mkdtempSync(join(tmpdir(), 'afb-models-parity-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.each(['residual', 'sigmoid'])('decomposer export, head %s', (head) => {
  it('matches PyTorch within 1e-4 and honours the ONNX contract', async () => {
    const onnxPath = join(dir, `dec-${head}.onnx`);
    const parity = join(dir, `parity-${head}`);
    python(['models/export_decomposer.py', '--random', '--perturb-seed', '7', '--preset', 'cpu', '--head', head,
      '--out', onnxPath, '--parity-dir', parity, '--parity-size', '36x44']);
    const side = JSON.parse(readFileSync(join(dir, `dec-${head}.json`), 'utf8')) as Record<string, unknown>;
    expect(side.head).toBe(head);
    expect(side.preset).toBe('cpu');
    expect(side.multiple).toBe(4);
    expect(side.opset).toBe(17);

    const session = await ort.InferenceSession.create(onnxPath, { intraOpNumThreads: 1 });
    try {
      expect(session.inputNames).toEqual(['blurry', 'guidance']);
      expect(session.outputNames).toEqual(['frames']);
      const blurry = await tensorOf(join(parity, 'blurry.npy'));
      const guidance = await tensorOf(join(parity, 'guidance.npy'));
      const expected = await readNpy(join(parity, 'frames.npy'));
      expect(expected.shape).toEqual([1, 7, 3, 36, 44]);
      const out = (await session.run({ blurry, guidance })).frames!;
      expect(out.dims).toEqual([1, 7, 3, 36, 44]);
      const got = out.data as Float32Array;
      expect(maxAbsDiff(got, expected.data as Float32Array)).toBeLessThanOrEqual(1e-4);
      // The perturbed net really computes something (not just the repeated blurry frame) ...
      const b = blurry.data as Float32Array;
      let moved = 0;
      for (let i = 0; i < 3 * 36 * 44; i++) moved = Math.max(moved, Math.abs(got[i]! - b[i]!));
      expect(moved).toBeGreaterThan(1e-3);
      // ... except at static pixels (guidance (0,0), the top third): stage 1 copies the blurry
      // pixel there, stage 2 still refines it, so only check the output stays in [0,1].
      for (const v of got) expect(v >= 0 && v <= 1).toBe(true);

      // Dynamic height/width: another multiple-of-4 size runs and keeps the layout.
      const h = 20, w = 28;
      const out2 = (await session.run({
        blurry: new ort.Tensor('float32', new Float32Array(3 * h * w).fill(0.5), [1, 3, h, w]),
        guidance: new ort.Tensor('float32', new Float32Array(2 * h * w), [1, 2, h, w]),
      })).frames!;
      expect(out2.dims).toEqual([1, 7, 3, h, w]);
    } finally {
      await session.release();
    }
  }, 600_000); // spawns PyTorch: generous limit for a shared 2-core machine
});
