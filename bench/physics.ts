// Benchmark of the physical decomposition (pipeline/math/motion/physics.ts) behind the defaults:
// PSNR over all 7 frames (pooled per sample, 8-bit, averaged) for Richardson-Lucy iterations and
// kernel sample spacings, on a procedural set of known exposure with the motion afb estimates from
// the blurry frames (both neighbours) or the scene's exact motion; and the time of one 960x544 frame
// on this thread for the same settings (ratios in one run: the machine is shared).
// Usage: node dist/bench/physics.js [--set data/valid-motion] [--samples 48] [--iterations 0,3,6,10] [--spacings 1,2,3]
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeNpy } from '../pipeline/io/npy.js';
import { blurPath, listVideos, motionPath, readManifest, sharpPath, type MotionKind } from '../pipeline/io/dataset-layout.js';
import { readImage } from '../pipeline/io/image.js';
import { psnrSequence, type MetricFrame } from '../pipeline/math/metrics.js';
import { decomposeWithMotion, PHYSICS_DEFAULTS } from '../pipeline/math/motion/physics.js';
import { intFlag, parseBenchFlags } from './lib/bench-args.js';
import { pixelMajorToFrames } from './lib/frames.js';

const list = (raw: string) => raw.split(',').map(Number);

async function main(): Promise<void> {
  const flags = parseBenchFlags('node dist/bench/physics.js', {
    set: { type: 'string', default: join('data', 'valid-motion'), help: 'a dataset written with afb synth --motion-files exact,video (scripts/train-cpu.sh motion makes data/valid-motion)' },
    samples: { type: 'string', default: '48', help: 'samples scored (evenly spaced)' },
    iterations: { type: 'string', default: '0,3,6,10', help: 'Richardson-Lucy iterations to try' },
    spacings: { type: 'string', default: '1,2,3', help: 'largest distances between kernel samples, pixels' },
    motion: { type: 'string', default: 'video,exact', help: 'motion kinds: video (estimated from the blurry frames), exact' },
  });
  const manifest = await readManifest(flags.set);
  const duty = manifest?.dutyCycles ?? {};
  const refs: { video: string; index: number }[] = [];
  for (const video of await listVideos(flags.set)) for (let i = 0; i < (manifest?.framesPerVideo[video] ?? 0); i++) refs.push({ video, index: i });
  const n = Math.min(refs.length, intFlag('samples', flags.samples));
  const chosen = Array.from({ length: n }, (_, k) => refs[Math.floor((k * refs.length) / n)]!);
  const settings = list(flags.spacings).flatMap((spacing) => list(flags.iterations).map((iterations) => ({ spacing, iterations })));
  const kinds = flags.motion.split(',') as MotionKind[];
  const sums = new Map<string, number>();
  let base = 0;
  for (const ref of chosen) {
    const blurry = await readImage(blurPath(flags.set, ref.video, ref.index));
    const truth: MetricFrame[] = [];
    for (let j = 0; j < 7; j++) truth.push({ ...(await readImage(sharpPath(flags.set, ref.video, ref.index, j))), channels: 3 } as MetricFrame);
    const b = { ...blurry, channels: 3 } as MetricFrame;
    base += psnrSequence(Array.from({ length: 7 }, () => b), truth);
    for (const kind of kinds) {
      const npy = decodeNpy(await readFile(motionPath(flags.set, ref.video, ref.index, kind)));
      const motion = { width: blurry.width, height: blurry.height, data: npy.data as Float32Array };
      for (const s of settings) {
        const out = decomposeWithMotion(blurry.data, motion, { ...s, exposure: duty[ref.video] ?? 1 });
        const key = `${kind}/${s.spacing}/${s.iterations}`;
        sums.set(key, (sums.get(key) ?? 0) + psnrSequence(pixelMajorToFrames(out, blurry.width, blurry.height), truth));
      }
    }
  }
  // time of one 960x544 frame: a textured frame moving 8-16 px per frame interval
  const w = 960, h = 544;
  const rgb = new Uint8Array(w * h * 3).map((_, i) => (i * 2654435761) >>> 24);
  const m = new Float32Array(w * h * 2);
  for (let p = 0; p < w * h; p++) { m[2 * p] = 8 + (8 * (p % w)) / w; m[2 * p + 1] = -4; }
  const seconds = new Map<string, number>();
  for (const s of settings) {
    const ts: number[] = [];
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      decomposeWithMotion(rgb, { width: w, height: h, data: m }, { ...s, exposure: 1 });
      ts.push((performance.now() - t0) / 1000);
    }
    seconds.set(`${s.spacing}/${s.iterations}`, ts.sort((a, c) => a - c)[1]!);
  }
  const defaults = `${PHYSICS_DEFAULTS.spacing}/${PHYSICS_DEFAULTS.iterations}`;
  console.log(`${flags.set}: ${n} samples, exposure from the manifest; repeat-blurry ${(base / n).toFixed(2)} dB; defaults spacing/iterations ${defaults}`);
  console.log(`\n| spacing (px) | iterations | ${kinds.map((k) => `PSNR, ${k} motion (dB) | gain`).join(' | ')} | seconds per 960x544 frame (1 thread) | time / defaults |`);
  console.log(`|---|---|${kinds.map(() => '---:|---:').join('|')}|---:|---:|`);
  for (const s of settings) {
    const cells = kinds.map((k) => { const v = sums.get(`${k}/${s.spacing}/${s.iterations}`)! / n; return `${v.toFixed(2)} | ${(v - base / n >= 0 ? '+' : '')}${(v - base / n).toFixed(2)}`; });
    const sec = seconds.get(`${s.spacing}/${s.iterations}`)!;
    console.log(`| ${s.spacing} | ${s.iterations} | ${cells.join(' | ')} | ${sec.toFixed(2)} | ${(sec / seconds.get(defaults)!).toFixed(2)} |`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:physics: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
