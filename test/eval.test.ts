import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writePng } from '../pipeline/io/image.js';
import { writeNpy } from '../pipeline/io/npy.js';
import { blurPath, guidancePath, sharpPath, writeVideoList } from '../pipeline/io/dataset-layout.js';
import { runEvaluation, type EvalRunOptions } from '../pipeline/eval/runner.js';
import { createMotionSource } from '../pipeline/motion/source.js';
import { formatEvalMarkdown } from '../pipeline/eval/report.js';
import { Logger } from '../pipeline/log.js';
import { makeTempDir, removeTempDir } from './helpers/media.js';
import { vi } from 'vitest';
import { readFile } from 'node:fs/promises';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
// Every dataset and report of this file lives under one temporary folder, removed at the end.
let work: string;
beforeAll(async () => {
  work = await makeTempDir('eval-');
});
afterAll(() => removeTempDir(work));
const tempDir = () => mkdtemp(join(work, 'case-'));

const W = 16;
const H = 12;

/** Blurry frame: integers in [40, 215] so that offsets up to +-18 never clip. */
function blurryFrame(seed: number): Uint8Array {
  return Uint8Array.from({ length: W * H * 3 }, (_, i) => 40 + ((i * 37 + seed * 101 + ((i * i) % 17)) % 176));
}

/**
 * Writes a GenBlur-layout dataset: each video has `frames` exposures; sharp frame j = blurry + (j-3)*step
 * + middle (step and middle per video, middle default 0), guidance (x, y) = (0, 1) everywhere unless `staticGuidance`.
 */
async function writeDataset(root: string, videos: Record<string, { step: number; frames: number; still?: boolean; middle?: number }>, guidance: [number, number] = [0, 1]) {
  for (const [video, spec] of Object.entries(videos)) {
    for (let i = 0; i < spec.frames; i++) {
      const blurry = blurryFrame(spec.still ? 0 : i);
      await writePng(blurPath(root, video, i), { width: W, height: H, data: blurry });
      for (let j = 0; j < 7; j++) {
        const sharp = Uint8Array.from(blurry, (v) => v + (j - 3) * spec.step + (spec.middle ?? 0));
        await writePng(sharpPath(root, video, i, j), { width: W, height: H, data: sharp });
      }
      const g = Int8Array.from({ length: W * H * 2 }, (_, k) => guidance[k % 2]!);
      await writeNpy(guidancePath(root, video, i), g, [H, W, 2]);
    }
  }
}

/** PSNR written out independently of pipeline/math/metrics.ts: per-frame squared errors e_j (constant per pixel). */
function psnrOfOffsets(errors: number[]): number {
  const mse = errors.reduce((a, e) => a + e * e, 0) / errors.length;
  return 10 * Math.log10((255 * 255) / mse);
}

function options(dataset: string, extra: Partial<EvalRunOptions> = {}): EvalRunOptions {
  return {
    dataset,
    split: 'valid',
    guidance: 'gt',
    samples: 1,
    model: fixture('decomposer-linear.onnx'),
    frames: [0, 1, 2, 3, 4, 5, 6],
    crop: false,
    maxSamples: 0,
    seed: 0,
    consistency: false,
    provider: 'cpu',
    workers: 1,
    threads: 1,
    log: new Logger('silent'),
    ...extra,
  };
}

describe('afb eval on a tiny GenBlur-layout dataset', () => {
  let root: string;
  beforeAll(async () => {
    root = join(await tempDir(), 'tiny');
    await writeDataset(root, { va: { step: 6, frames: 2 }, vb: { step: 6, frames: 1 }, tr: { step: 2, frames: 1 } });
    await writeVideoList(root, 'valid', ['va', 'vb']);
    await writeVideoList(root, 'train', ['tr']);
  });

  it('scores the repeat-blurry baseline and the model with ground-truth guidance (hand-derived PSNR)', async () => {
    const report = await runEvaluation(options(root));
    expect(report.samples).toBe(3);
    expect(report.videos).toBe(2);
    const blurry = report.methods.find((m) => m.id === 'blurry')!;
    const gt = report.methods.find((m) => m.id === 'gt')!;
    // baseline: frame j is off by (j-3)*6 everywhere
    expect(blurry.overall.psnr).toBeCloseTo(psnrOfOffsets([-18, -12, -6, 0, 6, 12, 18]), 6);
    expect(blurry.overall.psnrAgnostic).toBeCloseTo(blurry.overall.psnr, 9);
    // linear test model with guidance y=1: round(b + (j-3)*5.1) vs b + (j-3)*6 -> errors 3, 2, 1, 0, -1, -2, -3
    expect(gt.overall.psnr).toBeCloseTo(psnrOfOffsets([3, 2, 1, 0, -1, -2, -3]), 6);
    expect(gt.overall.psnrAgnostic).toBeCloseTo(gt.overall.psnr, 9); // reversed errors are 11k: worse
    expect(gt.overall.ssim).toBeGreaterThan(blurry.overall.ssim);
    expect(blurry.overall.ssim).toBeLessThan(1);
    expect(Object.keys(gt.perVideo)).toEqual(['va', 'vb']);
    expect(gt.perVideo['va']!.n).toBe(2);
    expect(report.lpips.computed).toBe(false);
    const md = formatEvalMarkdown(report);
    expect(md).toContain('LPIPS: not computed');
    expect(md).toMatch(/\| Repeat blurry frame \| 26\.55 \|/);
    expect(md).toMatch(/\| Model, ground-truth guidance \| 42\.11 \|/);
    expect(md).toContain('| va | 2 |');
  });

  it('--baseline-only scores the repeat-blurry row without a model', async () => {
    const report = await runEvaluation(options(root, { model: undefined }));
    expect(report.methods.map((m) => m.id)).toEqual(['blurry']);
    expect(report.methods[0]!.overall.psnr).toBeCloseTo(psnrOfOffsets([-18, -12, -6, 0, 6, 12, 18]), 6);
    expect(report.model).toBe('none (baseline only)');
    await expect(runEvaluation(options(root, { model: undefined, guidance: 'video', source: await createMotionSource({ mode: 'video', log: new Logger('silent') }) }))).rejects.toThrow(/--baseline-only/);
  });

  it('selects the split and scores only frames 0,3,6', async () => {
    const train = await runEvaluation(options(root, { split: 'train', frames: [0, 3, 6] }));
    expect(train.samples).toBe(1);
    expect(Object.keys(train.methods[0]!.perVideo)).toEqual(['tr']);
    expect(train.methods[0]!.overall.psnr).toBeCloseTo(psnrOfOffsets([-6, 0, 6]), 6);
    // linear model: round(b + (j-3)*5.1) vs b + (j-3)*2 -> errors 9, 0, -9 at frames 0, 3, 6
    expect(train.methods[1]!.overall.psnr).toBeCloseTo(psnrOfOffsets([9, 0, -9]), 6);
    const all = await runEvaluation(options(root, { split: 'all', maxSamples: 2 }));
    expect(all.samples).toBe(2);
    expect(all.split).toBe('all');
  });

  it('caps an exact prediction at 100 dB (pass-through model, sharp frames equal to the blurry one)', async () => {
    const still = join(await tempDir(), 'still');
    await writeDataset(still, { s: { step: 0, frames: 2 } }, [0, 0]);
    const report = await runEvaluation(options(still, { split: 'all' }));
    for (const m of report.methods) {
      expect(m.overall.psnr).toBe(100);
      expect(m.overall.identical).toBe(2);
      expect(m.overall.ssim).toBeCloseTo(1, 9);
    }
    expect(formatEvalMarkdown(report)).toContain('Identical predictions (PSNR counted as 100 dB)');
  });

  it('guidance from video skips the first frame; a still video gets static guidance', async () => {
    const still = join(await tempDir(), 'still-video');
    await writeDataset(still, { s: { step: 6, frames: 3, still: true } });
    const source = await createMotionSource({ mode: 'video', log: new Logger('silent') });
    const report = await runEvaluation(options(still, { split: 'all', guidance: 'video', source }));
    await source.release();
    expect(report.samples).toBe(2);
    const video = report.methods.find((m) => m.id === 'video')!;
    const blurry = report.methods.find((m) => m.id === 'blurry')!;
    // no motion -> guidance (0,0) -> the linear model passes the blurry frame through
    expect(video.overall.psnr).toBeCloseTo(blurry.overall.psnr, 9);
    expect(report.notes.join(' ')).toContain('first frame of each video is skipped');
    // the motion-aware rows: with no motion, every method returns the blurry frame
    for (const id of ['warped', 'physics']) expect(report.methods.find((m) => m.id === id)!.overall.psnr).toBeCloseTo(blurry.overall.psnr, 9);
  });

  it('the true-middle-frame reference renders the ground-truth middle frame, not the blurry one', async () => {
    // a still video (no motion: every motion-aware row returns its input unchanged) whose sharp
    // frames are offset from the blurry frame: sharp j = blurry + 3 (j - 3) + 5
    const still = join(await tempDir(), 'still-offset');
    await writeDataset(still, { s: { step: 3, frames: 3, still: true, middle: 5 } });
    const source = await createMotionSource({ mode: 'video', log: new Logger('silent') });
    const report = await runEvaluation(options(still, { split: 'all', guidance: 'video', source }));
    await source.release();
    const psnr = (id: string) => report.methods.find((m) => m.id === id)!.overall.psnr;
    const offsets = [0, 1, 2, 3, 4, 5, 6].map((j) => 3 * (j - 3));
    // the true middle frame (blurry + 5) repeated: errors 3 (j - 3)
    expect(psnr('oracle')).toBeCloseTo(psnrOfOffsets(offsets), 6);
    // the blurry frame moved along no motion (itself): errors 3 (j - 3) + 5
    expect(psnr('warped')).toBeCloseTo(psnrOfOffsets(offsets.map((e) => e + 5)), 6);
    expect(report.methods.map((m) => m.id)).toContain('oracle');
    expect(report.notes.join(' ')).toContain('reference, not a method');
  });

  it('predicted guidance reports P1 <= P3 <= P5 (best of N per metric) and repeats with the same seed', async () => {
    const source = await createMotionSource({ mode: 'predict', predictorPath: fixture('predictor-tiny.onnx'), log: new Logger('silent') });
    const run = () => runEvaluation(options(root, { guidance: 'predict', samples: 5, source, predictor: fixture('predictor-tiny.onnx') }));
    const a = await run();
    const b = await run();
    await source.release();
    const ids = a.methods.map((m) => m.id);
    expect(ids).toEqual(['blurry', 'gt', 'predict-p1', 'predict-p3', 'predict-p5']);
    const p = (id: string) => a.methods.find((m) => m.id === id)!.overall;
    expect(p('predict-p3').psnr).toBeGreaterThanOrEqual(p('predict-p1').psnr);
    expect(p('predict-p5').psnr).toBeGreaterThanOrEqual(p('predict-p3').psnr);
    expect(p('predict-p5').ssim).toBeGreaterThanOrEqual(p('predict-p1').ssim);
    expect(b.methods).toEqual(a.methods);
  });

  it('rejects --samples > 1 without predict, and a missing split list', async () => {
    await expect(runEvaluation(options(root, { samples: 3 }))).rejects.toThrow(/--samples 3 needs --guidance predict/);
    const bare = join(await tempDir(), 'bare');
    await writeDataset(bare, { x: { step: 1, frames: 1 } });
    await expect(runEvaluation(options(bare))).rejects.toThrow(/No valid videos listed.*--split all/);
    await writeFile(join(bare, 'list.yaml'), '- x\n');
    const listed = await runEvaluation(options(bare, { videoList: join(bare, 'list.yaml') }));
    expect(listed.samples).toBe(1);
  });

  it('runs as `afb eval` from the command line: --json on stdout, markdown to --out', async () => {
    const out = join(await tempDir(), 'report.md');
    let stdout = '';
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout += String(chunk);
      return true;
    });
    // The CLI runs compiled (it reads package.json relative to dist/), as bin/afb.js does.
    const { runCli } = (await import(new URL('../dist/pipeline/cli/main.js', import.meta.url).href)) as { runCli: (argv: string[]) => Promise<number> };
    let code: number;
    try {
      code = await runCli(['node', 'afb', '--json', '--workers', '1', '--log-level', 'silent', 'eval', root,
        '--model', fixture('decomposer-linear.onnx'), '--frames', '0,3,6', '--out', out]);
    } finally {
      spy.mockRestore();
    }
    expect(code).toBe(0);
    const json = JSON.parse(stdout) as { frames: number[]; methods: { id: string; overall: { psnr: number } }[]; lpips: { computed: boolean } };
    expect(json.frames).toEqual([0, 3, 6]);
    expect(json.lpips.computed).toBe(false);
    expect(json.methods[0]!.overall.psnr).toBeCloseTo(psnrOfOffsets([-18, 0, 18]), 6);
    expect(await readFile(out, 'utf8')).toContain('| Repeat blurry frame |');
    let stderr = '';
    const errSpy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr += String(chunk);
      return true;
    });
    try {
      expect(await runCli(['node', 'afb', '--log-level', 'silent', 'eval', root, '--frames', '0,7'])).toBe(2);
    } finally {
      errSpy.mockRestore();
    }
    expect(stderr).toContain('for --frames but received "0,7"');
  });
});
