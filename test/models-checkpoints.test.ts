// The committed checkpoints of the live training runs (models/checkpoints/cpu-eps3, pred-v5,
// motion-light) are stored compactly (float16 weights, bfloat16 optimiser moments) and still resume:
// each training script continues from a copy for a few steps (`--resume --stop-after`) on a toy
// dataset. Also the compact form round-trips a checkpoint to float32 within float16 / bfloat16 rounding.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { Logger } from '../pipeline/log.js';
import { DEFAULT_PROCEDURAL_CONFIG } from '../pipeline/math/procedural/config.js';
import { runProcedural } from '../pipeline/synth/procedural.js';
import { runFootage } from '../pipeline/synth/footage.js';
import { makeTempDir, removeTempDir, REPO_ROOT } from './helpers/media.js';

const PY = '/usr/bin/python3';
let dir = '';

/** Run /usr/bin/python3 from the repository root; throws with its output on failure. */
function python(args: string[]): string {
  const r = spawnSync(PY, args, { cwd: REPO_ROOT, encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`${PY} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  return `${r.stdout}\n${r.stderr}`;
}

const lastRecord = (run: string): Record<string, unknown> => {
  const lines = readFileSync(join(run, 'log.jsonl'), 'utf8').trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
};

/** A copy of a committed run's checkpoint in a fresh run folder; returns the folder. */
function runFrom(name: string): string {
  const run = join(dir, name);
  mkdirSync(run);
  copyFileSync(join(REPO_ROOT, 'models', 'checkpoints', name, 'ckpt.pt'), join(run, 'ckpt.pt'));
  return run;
}

beforeAll(async () => {
  dir = await makeTempDir('checkpoints-');
  python(['models/tools/make_toy_dataset.py', join(dir, 'toy'), '--videos', '2', '--frames', '3', '--size', '64', '--seed', '1']);
  // a toy motion dataset as the motion run's data is made: procedural, exposure drawn per video, exact and estimated motion
  const photos = join(dir, 'photos');
  mkdirSync(photos);
  for (let k = 0; k < 2; k++) {
    const [w, h] = [128, 96];
    const px = Buffer.alloc(w * h * 3);
    for (let i = 0; i < w * h; i++) {
      const [x, y] = [i % w, Math.floor(i / w)];
      px.set([128 + 100 * Math.sin(x / (5 + k) + y / 9), 128 + 100 * Math.cos(y / (4 + k) - x / 11), ((x * (k + 1)) ^ y) & 255], 3 * i);
    }
    await sharp(px, { raw: { width: w, height: h, channels: 3 } }).png().toFile(join(photos, `p${k}.png`));
  }
  await runProcedural({
    root: join(dir, 'toy-motion'), photosDir: photos, count: 4, seed: 3, split: 'train', layout: 'genblur', pngLevel: 1, force: false, workers: 1,
    log: new Logger('silent'), motionFiles: ['exact', 'video'], config: { ...DEFAULT_PROCEDURAL_CONFIG, width: 64, height: 48, framesPerVideo: 2, subframes: 21, dutyCycle: [0.25, 1] },
  });
});
afterAll(() => removeTempDir(dir));

describe('committed checkpoints', () => {
  it('are compact and load back as float32 (weights, optimiser moments) through common.load_checkpoint', () => {
    const out = python(['-c', [
      'import json, sys, torch',
      "sys.path.insert(0, 'models')",
      'from afb_models import common',
      'from afb_models.compact import MARK',
      'res = {}',
      "for run in ('cpu-eps3', 'pred-v5', 'motion-light'):",
      "    path = f'models/checkpoints/{run}/ckpt.pt'",
      "    raw = torch.load(path, map_location='cpu')",
      '    ck = common.load_checkpoint(path)',
      "    opts = [k for k, v in ck.items() if isinstance(v, dict) and set(v) == {'state', 'param_groups'}]",
      "    moments = [t.dtype for k in opts for s in ck[k]['state'].values() for n, t in s.items() if n != 'step']",
      "    res[run] = {'marked': MARK in raw, 'raw_half': sum(t.dtype == torch.float16 for t in raw['model'].values()),",
      "                'float32_weights': all(t.dtype in (torch.float32, torch.int64) for t in ck['model'].values()),",
      "                'float32_moments': len(moments) > 0 and all(d == torch.float32 for d in moments), 'mark_removed': MARK not in ck}",
      'print(json.dumps(res))',
    ].join('\n')]);
    const res = JSON.parse(out.trim().split('\n')[0]!) as Record<string, Record<string, unknown>>;
    for (const run of ['cpu-eps3', 'pred-v5', 'motion-light']) {
      expect(res[run]).toMatchObject({ marked: true, float32_weights: true, float32_moments: true, mark_removed: true });
      expect(res[run]!['raw_half']).toBeGreaterThan(10);
    }
  });

  it('compact_checkpoint round-trips within float16 (weights) and bfloat16 (moments) rounding', () => {
    const out = python(['-c', [
      'import sys, torch',
      "sys.path.insert(0, 'models')",
      'from afb_models.compact import compact_checkpoint, expand_checkpoint',
      'torch.manual_seed(0)',
      'net = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4))',
      'opt = torch.optim.Adam(net.parameters(), lr=1e-3)',
      'net(torch.rand(2, 3, 8, 8)).square().mean().mul(1e-6).backward(); opt.step()',
      "ck = {'model': net.state_dict(), 'optimizer': opt.state_dict(), 'state': {'step': 1}}",
      'back = expand_checkpoint(compact_checkpoint(ck))',
      "w = max(float(((back['model'][k] - v).abs() / v.abs().clamp_min(1e-3)).max()) for k, v in ck['model'].items() if v.is_floating_point())",
      "s = [(back['optimizer']['state'][i]['exp_avg_sq'], v['exp_avg_sq']) for i, v in ck['optimizer']['state'].items()]",
      'm = max(float(((a - b).abs() / b.abs().clamp_min(1e-30)).max()) for a, b in s)',
      'tiny = min(float(b[b > 0].min()) for a, b in s)',
      'zeros = sum(int(((a == 0) & (b != 0)).sum()) for a, b in s)',
      "print(w, m, tiny, zeros, back['state'] == ck['state'])",
    ].join('\n')]);
    const [w, m, tiny, zeros, same] = out.trim().split('\n')[0]!.split(' ');
    expect(Number(w)).toBeLessThan(1e-3); // float16 keeps ~3 decimal digits
    expect(Number(m)).toBeLessThan(4e-3); // bfloat16 keeps ~2-3
    expect(Number(tiny)).toBeLessThan(6e-8); // second moments below float16's smallest subnormal ...
    expect(Number(zeros)).toBe(0); // ... survive as non-zero in bfloat16
    expect(same).toBe('True');
  });

  it('the decomposer run cpu-eps3 resumes from its committed checkpoint (--resume --stop-after 2)', () => {
    const run = runFrom('cpu-eps3');
    const out = python(['models/train_decomposer.py', '--data', join(dir, 'toy'), '--val', join(dir, 'toy'), '--preset', 'cpu', '--head', 'residual',
      '--loss', 'psnr', '--psnr-eps', '1e-3', '--crop', '32', '--batch', '2', '--steps', '4000', '--out', run, '--threads', '1',
      '--val-every', '100000', '--resume', '--stop-after', '2']);
    expect(out).toMatch(/resumed from .* at step 3831/);
    expect(lastRecord(run)).toMatchObject({ type: 'stop', step: 3833 });
  });

  it('the predictor run pred-v5 resumes from its committed checkpoint (--resume --stop-after 2)', () => {
    const run = runFrom('pred-v5');
    const out = python(['models/train_predictor.py', '--data', join(dir, 'toy'), '--val', join(dir, 'toy'), '--preset', 'cpu', '--batch', '2',
      '--steps', '700', '--lr', '5e-4', '--beta1', '0.9', '--gan-warmup', '600', '--lambda-kl', '0.3', '--out', run, '--threads', '1',
      '--val-every', '100000', '--resume', '--stop-after', '2']);
    expect(out).toMatch(/resumed at step 600/);
    expect(lastRecord(run)).toMatchObject({ type: 'stop', step: 602 });
  });

  it('the motion-aware run motion-light resumes from its committed checkpoint (--resume --stop-after 2), and a new run starts', () => {
    const motionArgs = (run: string) => ['models/train_motion.py', '--data', join(dir, 'toy-motion'), '--preset', 'light', '--crop', '32', '--batch', '2',
      '--out', run, '--threads', '1', '--physics-cache', join(dir, 'physics-cache'), '--val-every', '100000', '--ckpt-every', '100000'];
    const run = runFrom('motion-light');
    // the step the committed checkpoint was saved at (training goes on across sittings)
    const committed = Number(python(['-c', "import sys; sys.path.insert(0, 'models'); from afb_models import common; print(common.load_checkpoint('models/checkpoints/motion-light/ckpt.pt')['state']['step'])"]).trim());
    expect(committed).toBeGreaterThanOrEqual(19000); // the shipped network's step or later
    const out = python([...motionArgs(run), '--steps', String(committed + 10), '--resume', '--stop-after', '2']);
    expect(out).toMatch(new RegExp(`resumed from .* at step ${committed}\\b`));
    expect(lastRecord(run)).toMatchObject({ type: 'stop', step: committed + 2 });
    const fresh = join(dir, 'motion-fresh');
    python([...motionArgs(fresh), '--steps', '2']);
    expect(lastRecord(fresh)).toMatchObject({ step: 2 });
  });

  it('train_motion mixes procedural and footage roots: footage (no exact motion) loads its estimated motion; --data-weights sets each root\'s share', async () => {
    // footage from the toy's sharp frames: windows of 7, motion_video/ only
    const frames = join(dir, 'toy-frames');
    mkdirSync(frames);
    const sharpDir = join(dir, 'toy-motion', 'proc-train-00000', 'sharp');
    const names = readdirSync(sharpDir).filter((n) => n.endsWith('.png')).sort();
    names.forEach((n, k) => copyFileSync(join(sharpDir, n), join(frames, `f${String(k).padStart(3, '0')}.png`)));
    const footage = join(dir, 'toy-footage');
    const s = await runFootage({
      inputs: [frames], root: footage, split: 'train', validFraction: 0, flowBackend: 'builtin', force: false, workers: 1, log: new Logger('silent'),
      settings: { window: 7, gap: 0, curve: 'srgb', interpolate: 1, gts: 7, guidanceRes: 'full', staticThreshold: 0.5, layout: 'genblur', pngLevel: 1, flowWidth: 320, motionFiles: ['video'] },
    });
    expect(s.samples).toBe(Math.floor(names.length / 7));
    const out = python(['-c', [
      'import json, sys',
      "sys.path.insert(0, 'models')",
      'from afb_models import motion_data',
      'from afb_models.physics import PhysicsOptions',
      `roots = [${JSON.stringify(join(dir, 'toy-motion'))}, ${JSON.stringify(footage)}]`,
      `ss = motion_data.preload_motion(roots, None, {'video': 0.3, 'exact': 0.7}, PhysicsOptions(), ${JSON.stringify(join(dir, 'physics-cache'))}, log=None)`,
      'kinds = {r: sorted({s.kind for s in ss if s.root == r}) for r in roots}',
      'counts = {r: sum(s.root == r for s in ss) for r in roots}',
      'picks = {}',
      'for w in ([1, 0], [0, 1], [1, 3]):',
      '    sm = motion_data.MotionCropSampler(ss, 32, seed=1, root_weights=dict(zip(roots, w)))',
      '    picks[str(w)] = sum(sm.pick().root == roots[1] for _ in range(4000)) / 4000',
      'try:',
      `    motion_data.preload_motion([roots[1]], None, {'video': 0.0, 'exact': 1.0}, PhysicsOptions(), None, log=None)`,
      '    refused = ""',
      'except ValueError as e:',
      '    refused = str(e)',
      'print(json.dumps({"kinds": kinds, "counts": counts, "picks": picks, "refused": refused}))',
    ].join('\n')]);
    const res = JSON.parse(out.trim().split('\n')[0]!) as { kinds: Record<string, string[]>; counts: Record<string, number>; picks: Record<string, number>; refused: string };
    expect(res.refused).toMatch(/only \['video'\] motion, whose share is 0/); // exact motion only, asked of footage: refused, not silently replaced
    expect(res.kinds[join(dir, 'toy-motion')]).toEqual(['exact', 'video']);
    expect(res.kinds[footage]).toEqual(['video']);
    expect(res.counts[footage]).toBe(s.samples);
    expect(res.picks['[1, 0]']).toBe(0);
    expect(res.picks['[0, 1]']).toBe(1);
    expect(res.picks['[1, 3]']).toBeGreaterThan(0.72); // 3 / 4 of the draws, within sampling noise
    expect(res.picks['[1, 3]']).toBeLessThan(0.78);
    // and the command line takes the weights, one per root
    const run = join(dir, 'motion-mixed');
    python(['models/train_motion.py', '--data', join(dir, 'toy-motion'), footage, '--data-weights', '1', '1', '--preset', 'light', '--crop', '32', '--batch', '2',
      '--out', run, '--threads', '1', '--physics-cache', join(dir, 'physics-cache'), '--val-every', '100000', '--ckpt-every', '100000', '--steps', '2']);
    expect(lastRecord(run)).toMatchObject({ step: 2 });
    expect(() => python(['models/train_motion.py', '--data', footage, '--data-weights', '1', '2', '--out', join(dir, 'motion-bad'), '--steps', '1']))
      .toThrow(/--data-weights needs 1 non-negative numbers/);
  });
});
