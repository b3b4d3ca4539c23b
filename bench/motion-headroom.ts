// Where the motion limits: on a dataset (default the real-clip windows of bench:quality), the
// physics and the true-middle-frame reference of `afb eval` (the ground-truth sharp middle frame
// rendered along the motion: a perfect deblur, then the same placement) with
//   straight  the motion afb uses (the mean of the flows from the previous and to the next blurry
//             frame) and the straight path t_j e F, as `afb video` and `afb eval` do;
//   curved    the same frame rendered along the parabola through both neighbours' flows:
//             d(tau) = tau v + tau^2 a / 2, v = (F_next + F_prev) / 2, a = F_next - F_prev;
//   deblurred the flow taken between the three frames after each is deblurred with that motion
//             (physics and reference both use it);
//   sharp     the flow taken between the true middle frames of this window and its two neighbours
//             (no blur at all: what a flow estimator that sees through blur could give at best, with
//             the same estimator; physics and reference both use it).
// Beside them, the physics with kernel samples 3 px apart along the streak (the default until
// 2026-12-04; now 1 px): a streak sampled that sparsely is a comb, not a box.
// Only samples with both neighbours count (the curved path needs both), so every row scores the
// same samples. PSNR pooled over the 7 frames of a sample (8-bit, capped at 100 dB), averaged.
// Usage: node dist/bench/motion-headroom.js [--set runs/bench-quality/clips-valid] [--exposure 1] [--samples 0]
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadSample, selectSamples } from '../pipeline/eval/dataset.js';
import { sharpPath } from '../pipeline/io/dataset-layout.js';
import { readImage } from '../pipeline/io/image.js';
import { createFlowEstimator } from '../pipeline/flow/estimator.js';
import { negateFlowInPlace } from '../pipeline/math/guidance-transforms.js';
import { decodeToLinear, encodeLinearTo8, encodeLinearToSrgbFloat } from '../pipeline/math/colour.js';
import { psnrSequence, type MetricFrame } from '../pipeline/math/metrics.js';
import { meanMotion, type MotionField } from '../pipeline/math/motion/motion-field.js';
import { decomposeWithMotion, deblurWithMotion } from '../pipeline/math/motion/physics.js';
import type { RgbImage } from '../pipeline/math/types.js';
import { intFlag, parseBenchFlags } from './lib/bench-args.js';
import { curved, straight } from './lib/curved-path.js';
import { pixelMajorToFrames } from './lib/frames.js';

const FRAMES = 7;
const MIDDLE = (FRAMES - 1) / 2;

/** Pixel-major linear-light frames (FRAMES * 3 channels) as 8-bit sRGB metric frames. */
function toFrames(linear: Float32Array, width: number, height: number): MetricFrame[] {
  return pixelMajorToFrames(encodeLinearToSrgbFloat(linear), width, height);
}

/** A frame deblurred with a motion, as an 8-bit image (for the flow estimator). */
function deblurred(img: RgbImage, motion: MotionField, exposure: number): RgbImage {
  const d = deblurWithMotion(img.data, motion, { exposure });
  return { width: img.width, height: img.height, data: encodeLinearTo8(d.latent) };
}

async function main(): Promise<void> {
  const flags = parseBenchFlags('node dist/bench/motion-headroom.js', {
    set: { type: 'string', default: join('runs', 'bench-quality', 'clips-valid'), help: 'a dataset (npm run bench:quality builds the real-clip windows here)' },
    exposure: { type: 'string', default: '1', help: 'exposure fraction (the real-clip windows: 1)' },
    samples: { type: 'string', default: '0', help: 'evenly spaced subset of at most this many samples (0: all)' },
  });
  const exposure = Number(flags.exposure);
  if (!(exposure > 0 && exposure <= 1)) throw new RangeError(`--exposure must be in (0, 1], received ${flags.exposure}`);
  if (!existsSync(flags.set)) throw new Error(`${flags.set} not found: \`npm run bench:quality\` builds the real-clip windows and the procedural set under runs/bench-quality (or give --set DATASET)`);
  const set = await selectSamples(flags.set, { split: 'valid', needPrevious: true, needBbox: false, maxSamples: intFlag('samples', flags.samples, 0) });
  const estimator = await createFlowEstimator({ backend: 'builtin' });
  const rows = ['repeat blurry', 'physics, straight', 'physics, kernel samples 3 px apart', 'reference, straight', 'reference, curved', 'physics, flow between deblurred frames', 'reference, flow between deblurred frames', 'physics, flow between true middle frames', 'reference, flow between true middle frames'];
  const sums = new Map<string, number>();
  const counts = new Map<string, number>();
  const add = (video: string, row: string, v: number) => {
    for (const key of [`${video}\t${row}`, `all\t${row}`]) {
      sums.set(key, (sums.get(key) ?? 0) + Math.min(100, v));
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  };
  const t0 = performance.now();
  for (const ref of set.samples) {
    const s = await loadSample(set, ref, { guidance: false, previous: true, next: true, crop: false });
    if (!s.previous || !s.next) continue;
    const { width: w, height: h } = s.blurry;
    const truth = s.sharp.map((f) => ({ ...f, channels: 3 }) as MetricFrame);
    const score = (frames: MetricFrame[]) => psnrSequence(frames, truth);
    const fromPrev = negateFlowInPlace(await estimator.estimate(s.blurry, s.previous));
    const toNext = await estimator.estimate(s.blurry, s.next);
    const v = meanMotion(fromPrev, toNext);
    const latent = decodeToLinear(s.sharp[MIDDLE]!.data);
    const blurry = { ...s.blurry, channels: 3 } as MetricFrame;
    add(ref.video, rows[0]!, score(Array.from({ length: FRAMES }, () => blurry)));
    add(ref.video, rows[1]!, score(pixelMajorToFrames(decomposeWithMotion(s.blurry.data, v, { exposure }), w, h)));
    add(ref.video, rows[2]!, score(pixelMajorToFrames(decomposeWithMotion(s.blurry.data, v, { exposure, spacing: 3 }), w, h)));
    add(ref.video, rows[3]!, score(toFrames(straight(latent, v, exposure), w, h)));
    add(ref.video, rows[4]!, score(toFrames(curved(latent, fromPrev, toNext, exposure), w, h)));
    // the neighbours deblurred with this frame's motion (an approximation: theirs is close to it)
    const [dp, dc, dn] = [s.previous, s.blurry, s.next].map((img) => deblurred(img, v, exposure)) as [RgbImage, RgbImage, RgbImage];
    const v2 = meanMotion(negateFlowInPlace(await estimator.estimate(dc, dp)), await estimator.estimate(dc, dn));
    add(ref.video, rows[5]!, score(pixelMajorToFrames(decomposeWithMotion(s.blurry.data, v2, { exposure }), w, h)));
    add(ref.video, rows[6]!, score(toFrames(straight(latent, v2, exposure), w, h)));
    const [sp, sn] = await Promise.all([ref.index - 1, ref.index + 1].map((i) => readImage(sharpPath(set.root, ref.video, i, MIDDLE))));
    const sc = s.sharp[MIDDLE]!;
    const v3 = meanMotion(negateFlowInPlace(await estimator.estimate(sc, sp!)), await estimator.estimate(sc, sn!));
    add(ref.video, rows[7]!, score(pixelMajorToFrames(decomposeWithMotion(s.blurry.data, v3, { exposure }), w, h)));
    add(ref.video, rows[8]!, score(toFrames(straight(latent, v3, exposure), w, h)));
  }
  await estimator.release();
  const videos = [...new Set([...sums.keys()].map((k) => k.split('\t')[0]!))].filter((v) => v !== 'all').sort();
  const mean = (video: string, row: string) => sums.get(`${video}\t${row}`)! / counts.get(`${video}\t${row}`)!;
  console.log(`${flags.set}: ${counts.get(`all\t${rows[0]}`) ?? 0} samples with both neighbours, exposure ${exposure}, built-in flow; ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  console.log(`\n| row | all | ${videos.join(' | ')} |\n|---|---:|${videos.map(() => '---:').join('|')}|`);
  for (const row of rows) console.log(`| ${row} | ${mean('all', row).toFixed(2)} | ${videos.map((v) => mean(v, row).toFixed(2)).join(' | ')} |`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:motion-headroom: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
