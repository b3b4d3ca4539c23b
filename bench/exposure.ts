// Benchmark of `--exposure auto`: procedural clips made from the VALIDATION photos with a known
// exposure fraction e (afb synth --duty-cycle e), and the estimate `afb video` makes from each
// clip's first frames (the same function, pipeline/motion/clip-exposure.ts, on the same number of
// frames, with the same motion from video). Reports every clip's estimate and the error per e.
// Usage: node dist/bench/exposure.js [--exposures 0.25,0.5,1] [--videos 6] [--size 640x360] [--photos data/photos/valid]
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { blurPath } from '../pipeline/io/dataset-layout.js';
import { readImage } from '../pipeline/io/image.js';
import { Logger } from '../pipeline/log.js';
import { DEFAULT_PROCEDURAL_CONFIG } from '../pipeline/math/procedural/config.js';
import { estimateClipExposure, neighbourRequests } from '../pipeline/motion/clip-exposure.js';
import { createMotionSource } from '../pipeline/motion/source.js';
import { runProcedural } from '../pipeline/synth/procedural.js';
import { EXPOSURE_FRAMES } from '../pipeline/video/convert.js';
import { intFlag, parseBenchFlags } from './lib/bench-args.js';

async function main(): Promise<void> {
  const flags = parseBenchFlags('node dist/bench/exposure.js', {
    exposures: { type: 'string', default: '0.25,0.5,1', help: 'true exposure fractions of the clips' },
    videos: { type: 'string', default: '6', help: 'clips per exposure' },
    size: { type: 'string', default: '640x360', help: 'clip frame size' },
    seed: { type: 'string', default: '7', help: 'dataset seed (the same scenes for every exposure)' },
    photos: { type: 'string', default: join('data', 'photos', 'valid'), help: 'photo pool (scripts/build-photo-pool.sh; validation photos: never trained on)' },
    work: { type: 'string', default: join('runs', 'bench-exposure'), help: 'folder for the generated clips (kept: re-runs reuse them)' },
  });
  const exposures = flags.exposures.split(',').map(Number);
  const videos = intFlag('videos', flags.videos);
  const [width, height] = flags.size.split('x').map(Number) as [number, number];
  const log = new Logger('warn');
  const rows: string[] = [];
  const summary: string[] = [];
  for (const e of exposures) {
    const root = join(flags.work, `e${e}`);
    // the same scenes (seed) at every exposure: only the shutter differs
    await runProcedural({
      root, photosDir: flags.photos, count: videos * EXPOSURE_FRAMES, seed: intFlag('seed', flags.seed, 0), split: 'valid',
      config: { ...DEFAULT_PROCEDURAL_CONFIG, width, height, framesPerVideo: EXPOSURE_FRAMES, dutyCycle: [e, e] },
      layout: 'genblur', pngLevel: 1, force: false, workers: 2, log,
    });
    const names = (await readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    const errors: number[] = [];
    for (const video of names) {
      const frames = await Promise.all(Array.from({ length: EXPOSURE_FRAMES }, (_, i) => readImage(blurPath(root, video, i))));
      const source = await createMotionSource({ mode: 'video', log });
      const t0 = performance.now();
      const est = await estimateClipExposure(source, neighbourRequests(frames));
      const ms = performance.now() - t0;
      await source.release();
      if (est !== undefined) errors.push(Math.abs(est - e));
      rows.push(`| ${e} | ${video} | ${est === undefined ? 'none (too little fast motion: 1 is used)' : est.toFixed(3)} | ${est === undefined ? '—' : (est - e).toFixed(3)} | ${(ms / 1000).toFixed(1)} |`);
      console.log(rows[rows.length - 1]);
    }
    const within = errors.filter((x) => x <= 0.1).length;
    const mean = errors.reduce((a, b) => a + b, 0) / Math.max(1, errors.length);
    summary.push(`| ${e} | ${names.length} | ${errors.length} | ${within} | ${mean.toFixed(3)} | ${errors.length ? Math.max(...errors).toFixed(3) : '—'} |`);
  }
  console.log(`\n${width}x${height}, ${EXPOSURE_FRAMES} frames per clip, motion from video (built-in flow, both neighbours)`);
  console.log('\n| true e | clip | estimate | error | seconds |\n|---|---|---|---|---|');
  for (const r of rows) console.log(r);
  console.log('\n| true e | clips | estimated | within 0.1 | mean abs error | max abs error |\n|---|---|---|---|---|---|');
  for (const r of summary) console.log(r);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:exposure: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
