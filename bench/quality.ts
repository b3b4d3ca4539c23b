// Reproducible quality benchmark: builds a procedural benchmark set from the VALIDATION photos only,
// runs `afb eval` for the shipped model with ground-truth guidance, guidance from video and the
// predictor (P1/P3/P5), and writes docs/RESULTS.md. Run: npm run bench:quality [-- --help].
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { cpus, totalmem, platform, release } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MODEL_FILES, DEFAULT_MOTION_MODEL_FILES, DEFAULT_PREDICTOR_FILES, parseEnsemble } from '../configs/model-options.js';
import { writeFileAtomic } from '../pipeline/io/atomic.js';
import { formatEvalMarkdown, type EvalReport } from '../pipeline/eval/report.js';
import { intFlag, parseBenchFlags } from './lib/bench-args.js';
import { afb, ROOT, rel, run } from './lib/commands.js';
import { BENCH_SET, CLIP_SET } from './lib/sets.js';

interface Run {
  readonly id: string;
  readonly set: string;
  readonly title: string;
  readonly args: string[];
  report?: EvalReport;
  seconds?: number;
}

/** The first shipped model file that exists under models/ (else the first name, reported missing later). */
function shipped(files: readonly string[]): string {
  const paths = files.map((f) => join(ROOT, 'models', f));
  return paths.find((p) => existsSync(p)) ?? paths[0]!;
}

async function sha256(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex').slice(0, 16);
}

function machine(): string {
  const c = cpus();
  return `${c[0]?.model.trim() ?? 'unknown CPU'}, ${c.length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${platform()} ${release()}, Node ${process.version}`;
}

/** One table over all runs: each run's own rows (its baselines come from the same samples and frames). */
function summaryTable(runs: readonly Run[]): string[] {
  const lines = [
    '## Summary',
    '',
    '| Set | Run | Method | Frames | PSNR (dB) | SSIM | PSNR, either direction | SSIM, either direction | Samples |',
    '| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const run of runs) {
    const r = run.report!;
    const frames = r.frames.length === 7 ? 'all' : r.frames.join(',');
    for (const m of r.methods) {
      const o = m.overall;
      lines.push(`| ${run.set} | ${run.id} | ${m.label} | ${frames} | ${o.psnr.toFixed(2)} | ${o.ssim.toFixed(4)} | ${o.psnrAgnostic.toFixed(2)} | ${o.ssimAgnostic.toFixed(4)} | ${o.n} |`);
    }
  }
  return lines;
}

/** The motion-aware comparison: each method of the 'video' runs (all 7 frames) as PSNR and gain over repeat-blurry, per set. */
function motionTable(runs: readonly Run[]): string[] {
  const video = runs.filter((r) => r.id === 'video' && r.report);
  if (video.length === 0) return [];
  const ids = ['blurry', 'warped', 'physics', 'learned', 'video', 'gt', 'oracle'];
  const lines = [
    '## Motion from video, all 7 frames',
    '',
    `| Method | ${video.map((r) => `${r.set} PSNR (dB) | gain`).join(' | ')} |`,
    `| --- | ${video.map(() => '---: | ---:').join(' | ')} |`,
  ];
  for (const id of ids) {
    const cells = video.map((r) => {
      const m = r.report!.methods.find((x) => x.id === id);
      const base = r.report!.methods.find((x) => x.id === 'blurry')!.overall.psnr;
      return m ? `${m.overall.psnr.toFixed(2)} | ${id === 'blurry' ? '—' : `${m.overall.psnr - base >= 0 ? '+' : ''}${(m.overall.psnr - base).toFixed(2)}`}` : '— | —';
    });
    const label = video[0]!.report!.methods.find((x) => x.id === id)?.label ?? id;
    lines.push(`| ${label} | ${cells.join(' | ')} |`);
    // the same learned method with the self-ensemble (its own run: same samples, same motion)
    const ensembles = runs.filter((r) => r.id === 'video-ensemble' && r.report);
    if (id === 'learned' && ensembles.length === video.length) {
      const cells = ensembles.map((r) => {
        const m = r.report!.methods.find((x) => x.id === 'learned')!;
        const base = r.report!.methods.find((x) => x.id === 'blurry')!.overall.psnr;
        return `${m.overall.psnr.toFixed(2)} | ${m.overall.psnr - base >= 0 ? '+' : ''}${(m.overall.psnr - base).toFixed(2)}`;
      });
      lines.push(`| ${ensembles[0]!.report!.methods.find((x) => x.id === 'learned')!.label} | ${cells.join(' | ')} |`);
    }
  }
  // per video: no real-clip video below repeat-blurry?
  for (const r of video) {
    const per = (id: string) => r.report!.methods.find((x) => x.id === id)?.perVideo ?? {};
    const blurry = per('blurry');
    const worst = (id: string) => Math.min(...Object.entries(per(id)).map(([v, sc]) => sc.psnr - blurry[v]!.psnr));
    lines.push('', `${r.set}: worst video against repeat-blurry: physics ${worst('physics').toFixed(2)} dB` + (per('learned') && Object.keys(per('learned')).length ? `, learned ${worst('learned').toFixed(2)} dB` : '') + '.');
    // the headroom of rendering along the estimated motion: the true middle frame rendered that way
    const psnr = (id: string) => r.report!.methods.find((x) => x.id === id)?.overall.psnr;
    const [physics, learned, oracle] = [psnr('physics'), psnr('learned'), psnr('oracle')];
    if (physics !== undefined && oracle !== undefined) {
      const signed = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(2)}`;
      lines.push('', `${r.set}: over the physics, the true middle frame moved along the same motion (a reference that reads the answer) is ${signed(oracle - physics)} dB` +
        (learned !== undefined ? `, learned ${signed(learned - physics)} dB` : '') + '.');
    }
  }
  return [...lines, ''];
}

async function main(): Promise<void> {
  const values = parseBenchFlags('npm run bench:quality --', {
    model: { type: 'string', default: shipped(DEFAULT_MODEL_FILES), help: 'guidance-conditioned decomposition model' },
    'motion-model': { type: 'string', default: shipped(DEFAULT_MOTION_MODEL_FILES), help: 'motion-aware model (the learned rows)' },
    'skip-predict': { type: 'boolean', help: 'leave out the predictor runs (P1/P3/P5)' },
    predictor: { type: 'string', default: shipped(DEFAULT_PREDICTOR_FILES), help: 'guidance predictor' },
    work: { type: 'string', default: join(ROOT, 'runs', 'bench-quality'), help: 'folder for the generated benchmark sets' },
    out: { type: 'string', default: join(ROOT, 'docs', 'RESULTS.md'), help: 'markdown report to write' },
    count: { type: 'string', default: String(BENCH_SET.count), help: 'procedural samples in the benchmark set' },
    workers: { type: 'string', default: '2', help: 'afb --workers' },
    ensemble: { type: 'string', default: '4', help: 'also score the learned method with this --ensemble (2, 4 or 8; 1: leave the run out)' },
  });
  intFlag('count', values.count);
  intFlag('workers', values.workers);
  const ensemble = parseEnsemble(values.ensemble, '--ensemble');
  const photos = join(ROOT, BENCH_SET.photos);
  if (!existsSync(photos) || (await readdir(photos)).length === 0) {
    throw new Error(`${rel(photos)} is missing or empty: run scripts/build-photo-pool.sh first (validation photos only are used)`);
  }
  // Without a model only the baseline can be measured: still worth a table (how hard the set is).
  const hasModel = existsSync(values.model);
  if (!hasModel) process.stderr.write(`bench:quality: ${rel(values.model)} not found: scoring the repeat-blurry baseline only\n`);
  const set = join(values.work, 'procedural-valid');
  const synthArgs = [
    '--workers', values.workers, 'synth', '--procedural', '--photos', rel(photos), '--split', 'valid', '--seed', String(BENCH_SET.seed),
    '--count', values.count, '--size', BENCH_SET.size, '--frames-per-video', String(BENCH_SET.framesPerVideo), '-o', rel(set),
    '--force', // a changed generator re-renders the set instead of refusing it
  ];
  process.stderr.write(`bench:quality: building the benchmark set (${values.count} samples)\n`);
  const t0 = performance.now();
  await afb(synthArgs);
  const synthSeconds = (performance.now() - t0) / 1000;

  const clipsDir = join(ROOT, CLIP_SET.dir);
  if (!CLIP_SET.clips.every((c) => existsSync(join(clipsDir, c)))) {
    process.stderr.write('bench:quality: fetching the real clips (scripts/fetch-clips.sh)\n');
    await run('bash', [join(ROOT, 'scripts', 'fetch-clips.sh'), '--out', clipsDir]);
  }
  const clipSet = join(values.work, 'clips-valid');
  const clipArgs = [
    '--workers', values.workers, 'synth', ...CLIP_SET.clips.map((c) => rel(join(clipsDir, c))), '-o', rel(clipSet), '--split', 'valid',
    '--resize', CLIP_SET.size, '--interpolate', String(CLIP_SET.interpolate), '--window', String(CLIP_SET.window), '--force',
  ];
  process.stderr.write('bench:quality: building the real-clip windows\n');
  const t1 = performance.now();
  await afb(clipArgs);
  const clipSeconds = (performance.now() - t1) / 1000;

  // One intra-op thread per worker: fixed summation order, so re-runs give the same numbers.
  const hasPredictor = hasModel && existsSync(values.predictor);
  const runs: Run[] = [];
  for (const [name, dir] of [['procedural', set], ['real clips', clipSet]] as const) {
    const common = ['--json', '--workers', values.workers, '--threads', '1', 'eval', rel(dir), '--split', 'valid'];
    const withModel = [...common, '--model', rel(values.model)];
    if (!hasModel) {
      runs.push({ id: 'baseline', set: name, title: `${name}: baseline only (no model found)`, args: [...common, '--baseline-only'] });
      continue;
    }
    runs.push(
      { id: 'gt', set: name, title: `${name}: ground-truth guidance (all 7 frames)`, args: [...withModel, '--guidance', 'gt'] },
      {
        id: 'video', set: name, title: `${name}: motion from video (all 7 frames): warped blurry, physics, learned, guidance-only model`,
        args: [...withModel, '--guidance', 'video', '--motion-model', rel(values['motion-model'])],
      },
      {
        id: 'video-prev', set: name, title: `${name}: motion from the previous frame only (the reference's choice), all 7 frames`,
        args: [...withModel, '--guidance', 'video', '--neighbours', 'previous', '--motion-model', 'none'],
      },
      ...(ensemble > 1 ? [{
        id: 'video-ensemble', set: name, title: `${name}: motion from video, the learned method with --ensemble ${ensemble} (all 7 frames)`,
        args: [...withModel, '--guidance', 'video', '--motion-model', rel(values['motion-model']), '--ensemble', String(ensemble)],
      }] : []),
      { id: 'video-036', set: name, title: `${name}: guidance from video (frames 0,3,6, as the reference scores it)`, args: [...withModel, '--guidance', 'video', '--frames', '0,3,6', '--motion-model', rel(values['motion-model'])] },
    );
    if (hasPredictor && !values['skip-predict']) {
      runs.push({ id: 'predict', set: name, title: `${name}: predicted guidance, best of 1/3/5 samples`, args: [...withModel, '--guidance', 'predict', '--samples', '5', '--seed', '0', '--predictor', rel(values.predictor)] });
    }
  }
  for (const run of runs) {
    process.stderr.write(`bench:quality: afb ${run.args.join(' ')}\n`);
    const t = performance.now();
    run.report = JSON.parse(await afb(run.args)) as EvalReport;
    run.seconds = (performance.now() - t) / 1000;
  }

  const manifest = JSON.parse(await readFile(join(set, 'manifest.json'), 'utf8')) as { configHash: string };
  const clipManifest = JSON.parse(await readFile(join(clipSet, 'manifest.json'), 'utf8')) as { configHash: string };
  const lines = [
    '# Quality results',
    '',
    `Produced by \`npm run bench:quality\` (bench/quality.ts) on ${new Date().toISOString().slice(0, 10)}.`,
    `Machine: ${machine()}.`,
    '',
    `Benchmark set: ${values.count} procedural samples (${BENCH_SET.size}, ${BENCH_SET.framesPerVideo} exposures per video, seed ${BENCH_SET.seed}) ` +
      `rendered from the **validation photos only** (\`${BENCH_SET.photos}\`, never used for training); dataset config hash \`${manifest.configHash}\`.`,
    `Real-clip windows: ${CLIP_SET.clips.join(' and ')} (normal-rate real footage from Debian packages, fetched by \`scripts/fetch-clips.sh\`, never trained on), ` +
      `resized to ${CLIP_SET.size}, up-sampled ${CLIP_SET.interpolate}x by flow interpolation and averaged over ${CLIP_SET.window} sub-frames ` +
      `(${CLIP_SET.window / CLIP_SET.interpolate} source frame intervals) per blurry frame; dataset config hash \`${clipManifest.configHash}\`. ` +
      'Their sharp frames include interpolated in-betweens, so they are an approximation of true high-speed ground truth (interpolation artefacts count against every method alike).',
    (hasModel
      ? `Guidance-only model: \`${rel(values.model)}\` (sha256 ${await sha256(values.model)}). Motion-aware model (the learned rows): \`${rel(values['motion-model'])}\` (sha256 ${await sha256(values['motion-model'])}).`
      : `**Model: \`${rel(values.model)}\` does not exist yet, so only the repeat-blurry baseline is reported; rerun \`npm run bench:quality\` once the model is exported.**`) +
      (hasPredictor ? ` Predictor: \`${rel(values.predictor)}\` (sha256 ${await sha256(values.predictor)}).` : ` Predictor: \`${rel(values.predictor)}\` not found, so the P1/P3/P5 rows are missing.`),
    '',
    'Metrics follow the reference protocol (docs/eval.md): PSNR pooled over the frames of a sample, SSIM with an 11x11 Gaussian window; ' +
      'each run also scores the repeat-the-blurry-frame baseline and the model with ground-truth guidance on the same samples. ' +
      'LPIPS is not computed: it needs pretrained AlexNet weights, which cannot be obtained offline.',
    '',
  ];
  lines.push(...motionTable(runs), ...summaryTable(runs), '');
  for (const run of runs) {
    lines.push(formatEvalMarkdown(run.report!, { title: run.title, headingLevel: 2 }));
    lines.push(`Evaluation time: ${run.seconds!.toFixed(0)} s.`, '');
  }
  lines.push(
    '## Reproduce',
    '',
    '```sh',
    'scripts/build-photo-pool.sh            # the photo pool (train/valid split fixed by data/photos/photo-pool.txt)',
    'scripts/fetch-clips.sh                 # the real clips (data/clips)',
    'npm run build',
    `node bin/afb.js ${synthArgs.join(' ')}`,
    `node bin/afb.js ${clipArgs.join(' ')}`,
    ...runs.map((r) => `node bin/afb.js ${r.args.join(' ')}`),
    '```',
    '',
    `Or all of it: \`npm run bench:quality\`. Building the sets took ${synthSeconds.toFixed(0)} s (procedural) and ${clipSeconds.toFixed(0)} s (real clips). The numbers repeat exactly on the same machine ` +
      '(fixed seeds, one onnxruntime thread per worker); the date and timings do not.',
    '',
  );
  await writeFileAtomic(values.out, lines.join('\n'));
  process.stderr.write(`bench:quality: wrote ${rel(values.out)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:quality: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
