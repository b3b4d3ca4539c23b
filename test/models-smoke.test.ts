// CI smoke run of the Python model code: tiny training (32x32 crops) with checkpoint + exact resume,
// export, onnxruntime load and PyTorch parity; the same for the guidance predictor; the reference
// checkpoint converter; the augmentation self-test. Needs PyTorch for /usr/bin/python3 (scripts/setup.sh).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNpy } from '../pipeline/io/npy.js';

const PY = '/usr/bin/python3';
const ROOT = join(import.meta.dirname, '..');

/** Run a script with /usr/bin/python3 from the repository root; throws with its output on failure. */
function python(args: string[], timeoutMs = 300_000): string {
  const r = spawnSync(PY, args, { cwd: ROOT, encoding: 'utf8', timeout: timeoutMs });
  if (r.status !== 0) throw new Error(`${PY} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  return `${r.stdout}\n${r.stderr}`;
}

/** Fail loudly (never skip) when PyTorch is missing for /usr/bin/python3. */
function requireTorch(): void {
  const r = spawnSync(PY, ['-c', 'import torch, onnx, numpy, yaml, PIL'], { encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`${PY} cannot import torch/onnx/numpy/yaml/PIL: run scripts/setup.sh (installs python3-torch, python3-onnx, ...).\n${r.stderr ?? ''}`);
  }
}

type Rec = Record<string, number | string>;
const readLog = (dir: string): Rec[] =>
  readFileSync(join(dir, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Rec);

async function feed(path: string): Promise<ort.Tensor> {
  const n = await readNpy(path);
  return new ort.Tensor('float32', n.data as Float32Array, n.shape);
}

/** Max abs difference between ORT's output and the PyTorch output saved as .npy. */
async function parity(onnx: string, dir: string, inputs: string[], output: string): Promise<{ diff: number; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(onnx, { intraOpNumThreads: 1 });
  try {
    const feeds: Record<string, ort.Tensor> = {};
    for (const name of inputs) feeds[name] = await feed(join(dir, `${name}.npy`));
    const out = (await session.run(feeds))[output]!;
    const want = await readNpy(join(dir, `${output}.npy`));
    expect(out.dims).toEqual(want.shape);
    const a = out.data as Float32Array, b = want.data as Float32Array;
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    return { diff, dims: out.dims };
  } finally {
    await session.release();
  }
}

let dir = '';
beforeAll(() => {
  requireTorch();
  dir = mkdtempSync(join(tmpdir(), 'afb-models-smoke-'));
  python(['models/tools/make_toy_dataset.py', join(dir, 'train'), '--videos', '2', '--frames', '3', '--size', '40']);
  python(['models/tools/make_toy_dataset.py', join(dir, 'val'), '--videos', '1', '--frames', '2', '--size', '40', '--seed', '1']);
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('models smoke', () => {
  it('augmentations transform frames and guidance consistently (Python self-test)', () => {
    expect(python(['models/tools/test_augment.py'])).toMatch(/OK/);
  }, 600_000); // spawns PyTorch: generous limit for a shared 2-core machine

  it('trains the decomposer, resumes exactly, exports and matches PyTorch in onnxruntime', async () => {
    const common = ['models/train_decomposer.py', '--data', join(dir, 'train'), '--val', join(dir, 'val'),
      '--preset', 'cpu', '--crop', '32', '--batch', '2', '--steps', '4', '--log-every', '1',
      '--val-count', '2', '--val-size', '32', '--threads', '1'];
    const a = join(dir, 'run-a'), b = join(dir, 'run-b');
    python([...common, '--out', a]);
    python([...common, '--out', b, '--stop-after', '2']);
    expect(readLog(b).filter((r) => r.type === 'train').map((r) => r.step)).toEqual([1, 2]);
    python([...common, '--out', b, '--resume']);
    const log = readLog(b);
    expect(log.filter((r) => r.type === 'train').map((r) => r.step)).toEqual([1, 2, 3, 4]);
    const vals = log.filter((r) => r.type === 'val');
    expect(vals.length).toBeGreaterThanOrEqual(2);
    expect(vals[0]!.psnr).toBeCloseTo(vals[0]!.psnr_baseline as number, 6); // untrained residual head = repeat-blurry
    // Same weights after 2 + 2 steps (resumed) as after 4 straight steps.
    const same = python(['-c', `import torch,sys
a=torch.load(sys.argv[1],weights_only=False);b=torch.load(sys.argv[2],weights_only=False)
print('maxdiff', max(float((a['model'][k].float()-b['model'][k].float()).abs().max()) for k in a['model']))`,
    join(a, 'ckpt.pt'), join(b, 'ckpt.pt')]);
    expect(Number(/maxdiff (\S+)/.exec(same)![1])).toBe(0);

    // --init (weights only, fresh schedule) with the per-sample log-MSE loss.
    const c = join(dir, 'run-c');
    python([...common, '--out', c, '--init', join(a, 'ckpt.pt'), '--loss', 'psnr', '--steps', '2']);
    const logC = readLog(c);
    const v0 = logC.find((r) => r.type === 'val')!;
    const vA = readLog(a).filter((r) => r.type === 'val').at(-1)!;
    expect(v0.psnr).toBeCloseTo(vA.psnr as number, 4); // starts from run a's final weights
    const trainC = logC.filter((r) => r.type === 'train');
    expect(trainC.map((r) => r.step)).toEqual([1, 2]);
    // The log-MSE loss is a sum of two mean ln(MSE + 1e-5): below ln(2 x mse) when MSE is small.
    for (const rec of trainC) expect(rec.loss as number).toBeLessThan(Math.log(rec.mse as number));
    // log_mse against a hand-computed value: per-sample MSEs 0.01 and 0.04 -> mean(ln(0.01+1e-5), ln(0.04+1e-5)).
    const lm = python(['-c', `import sys,torch
sys.path.insert(0,'models')
from train_decomposer import log_mse
p=torch.zeros(2,7,3,2,2); g=torch.zeros(2,7,3,2,2); p[0]+=0.1; p[1]+=0.2
print('lm', float(log_mse(p,g)))`]);
    expect(Number(/lm (\S+)/.exec(lm)![1])).toBeCloseTo((Math.log(0.01 + 1e-5) + Math.log(0.04 + 1e-5)) / 2, 5);

    const onnx = join(dir, 'dec.onnx');
    python(['models/export_decomposer.py', '--ckpt', join(b, 'ckpt.pt'), '--out', onnx,
      '--parity-dir', join(dir, 'dec-parity'), '--parity-size', '32x40', '--threads', '1']);
    const side = JSON.parse(readFileSync(join(dir, 'dec.json'), 'utf8')) as { training: { step: number }; ops: Record<string, number> };
    expect(side.training.step).toBe(4);
    // BN folded everywhere except the 4 pre-activation BNs of each stage's residual blocks.
    expect(side.ops.BatchNormalization).toBe(8);
    const r = await parity(onnx, join(dir, 'dec-parity'), ['blurry', 'guidance'], 'frames');
    expect(r.dims).toEqual([1, 7, 3, 32, 40]);
    expect(r.diff).toBeLessThanOrEqual(1e-4);
  }, 600_000); // spawns PyTorch: generous limit for a shared 2-core machine

  it('trains the guidance predictor briefly, exports it and matches PyTorch in onnxruntime', async () => {
    const out = join(dir, 'pred');
    python(['models/train_predictor.py', '--data', join(dir, 'train'), '--val', join(dir, 'val'), '--preset', 'cpu',
      '--batch', '2', '--steps', '2', '--gan-warmup', '1', '--lambda-axis', '1', '--log-every', '1', '--val-count', '1',
      '--threads', '1', '--out', out]);
    const log = readLog(out);
    const train = log.filter((r) => r.type === 'train');
    expect(train.length).toBe(2);
    for (const rec of train) {
      expect(Number.isFinite(rec.loss_ce)).toBe(true);
      // the sign-agnostic loss runs in both kinds of step: a cross-entropy over 3 classes, so > 0
      expect(Number(rec.loss_axis)).toBeGreaterThan(0);
    }
    // step 1 is the cVAE warm-up (no discriminator), step 2 the full cVAE-GAN step
    expect(train[0]!.loss_d).toBe(0);
    expect(Number(train[1]!.loss_d)).toBeGreaterThan(0);
    const val = log.filter((r) => r.type === 'val');
    expect(val.length).toBeGreaterThan(0);
    for (const k of ['acc_encoded', 'moving_axis_acc_z0', 'static_vs_moving_acc_z0']) {
      const v = Number(val.at(-1)![k]);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
    // axis_loss against hand-computed values: class probabilities (0.1, 0.2, 0.3, 0.15, 0.25) at three pixels
    // labelled 3, 4 and 0: the axis of classes 1/3 has 0.2 + 0.15, that of 2/4 0.3 + 0.25, static 0.1.
    const al = python(['-c', `import sys,torch
sys.path.insert(0,'models')
from afb_models.predictor import axis_loss
p=torch.tensor([0.1,0.2,0.3,0.15,0.25]).log().view(1,5,1,1).expand(1,5,1,3)
print('al', float(axis_loss(p, torch.tensor([[[3,4,0]]]))))`]);
    expect(Number(/al (\S+)/.exec(al)![1])).toBeCloseTo(-(Math.log(0.35) + Math.log(0.55) + Math.log(0.1)) / 3, 5);
    // --init starts a new run (step 0, fresh optimisers) from those weights
    const out2 = join(dir, 'pred-init');
    python(['models/train_predictor.py', '--data', join(dir, 'train'), '--preset', 'cpu', '--batch', '2', '--steps', '0',
      '--threads', '1', '--init', join(out, 'ckpt.pt'), '--out', out2]);
    const same = python(['-c', `import sys,torch
a=torch.load(sys.argv[1]); b=torch.load(sys.argv[2])
d=max(float((a['model'][k].float()-b['model'][k].float()).abs().max()) for k in a['model'])
print('init', b['state']['step'], b['state']['init']['step'], d)`, join(out, 'ckpt.pt'), join(out2, 'ckpt.pt')]);
    expect(/init (\S+) (\S+) (\S+)/.exec(same)!.slice(1).map(Number)).toEqual([0, 2, 0]);
    const onnx = join(dir, 'pred.onnx');
    python(['models/export_predictor.py', '--ckpt', join(out, 'ckpt.pt'), '--out', onnx,
      '--parity-dir', join(dir, 'pred-parity'), '--threads', '1']);
    const r = await parity(onnx, join(dir, 'pred-parity'), ['blurry', 'z'], 'logits');
    expect(r.dims).toEqual([1, 5, 256, 256]);
    expect(r.diff).toBeLessThanOrEqual(1e-4);
    const side = JSON.parse(readFileSync(join(dir, 'pred.json'), 'utf8')) as { inputs: { name: string }[] };
    expect(side.inputs.map((i) => i.name)).toEqual(['blurry', 'z']);
  }, 600_000); // spawns PyTorch: generous limit for a shared 2-core machine

  it('converts reference-layout checkpoints (module. prefix, SyncBN names) and the ONNX matches PyTorch', async () => {
    expect(python(['models/tools/test_convert_reference.py'])).toMatch(/OK/);
    const fx = join(dir, 'ref');
    python(['models/tools/test_convert_reference.py', '--fixture', fx]);
    const onnx = join(fx, 'ref.onnx');
    python(['models/convert_reference.py', '--s1', join(fx, 'decomposer_s1.pth'), '--s2', join(fx, 'decomposer_s2.pth'),
      '--out', onnx, '--parity-dir', join(fx, 'parity'), '--threads', '1']);
    expect(existsSync(join(fx, 'ref.json'))).toBe(true);
    const r = await parity(onnx, join(fx, 'parity'), ['blurry', 'guidance'], 'frames');
    expect(r.diff).toBeLessThanOrEqual(1e-4);
  }, 600_000); // spawns PyTorch: generous limit for a shared 2-core machine
});
