// Benchmark behind the physics' motion trust (pipeline/math/motion/motion-field.ts motionTrust):
// where the motion from the previous frame and the motion to the next one disagree, how much of the
// Richardson-Lucy deblurring to keep. PSNR over all 7 frames (8-bit, pooled per sample, averaged)
// of the physics with the trust off and for a grid of tolerances T = relative |F| + pixels, on real
// clips that the benchmark never uses (the tuning set: `scripts/fetch-clips.sh --set train` made
// into windows exactly as bench:quality makes its real-clip windows) and, when they are there, on
// bench:quality's own sets (reported, not tuned on). Motion from video (both neighbours, built-in
// flow), as `afb video` and `afb eval --guidance video` compute it; exposure from the set's manifest
// (1 for these contiguous windows).
// Usage: node dist/bench/flow-trust.js [--grid 0.25:1,0.5:1,0.5:2,1:1,1:2] [--also DIR,DIR] [--work runs/bench-flow-trust]
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadSample, selectSamples } from '../pipeline/eval/dataset.js';
import { BuiltinFlowEstimator } from '../pipeline/flow/builtin.js';
import { readManifest } from '../pipeline/io/dataset-layout.js';
import { toLinearLut } from '../pipeline/math/colour.js';
import { capPsnr, psnrSequence, type MetricFrame } from '../pipeline/math/metrics.js';
import { motionTrust, TRUST_PIXELS, TRUST_RELATIVE } from '../pipeline/math/motion/motion-field.js';
import { deblurWithMotion, keepTrustedDeblurring, renderDeblurred } from '../pipeline/math/motion/physics.js';
import { motionFromNeighbours } from '../pipeline/motion/video-motion.js';
import { parseBenchFlags } from './lib/bench-args.js';
import { afb, ROOT, rel, run } from './lib/commands.js';
import { pixelMajorToFrames } from './lib/frames.js';
import { CLIP_SET } from './lib/sets.js';

const TUNING_CLIPS = ['diver.mov', 'motion.mov', 'dog.mp4', 'vtest.avi'];

async function tuningSet(work: string): Promise<string> {
  const clipsDir = join(ROOT, 'data', 'clips-train');
  if (!TUNING_CLIPS.every((c) => existsSync(join(clipsDir, c)))) await run('bash', [join(ROOT, 'scripts', 'fetch-clips.sh'), '--set', 'train', '--out', clipsDir]);
  const dir = join(work, 'clips-train');
  if (!existsSync(join(dir, 'manifest.json'))) {
    await afb(['synth', ...TUNING_CLIPS.map((c) => rel(join(clipsDir, c))), '-o', rel(dir), '--split', 'valid',
      '--resize', CLIP_SET.size, '--interpolate', String(CLIP_SET.interpolate), '--window', String(CLIP_SET.window), '--force']);
  }
  return dir;
}

interface Setting { readonly name: string; readonly relative?: number; readonly pixels?: number }

async function score(root: string, settings: readonly Setting[]): Promise<Map<string, Map<string, number[]>>> {
  const set = await selectSamples(root, { split: 'valid', needPrevious: true, needBbox: false, maxSamples: 0 });
  const duty = (await readManifest(root))?.dutyCycles ?? {};
  const flow = new BuiltinFlowEstimator();
  const lut = toLinearLut('srgb', 8);
  const scores = new Map<string, Map<string, number[]>>(); // setting -> video -> PSNRs
  const add = (s: string, video: string, v: number) => {
    const byVideo = scores.get(s) ?? new Map<string, number[]>();
    scores.set(s, byVideo);
    byVideo.set(video, [...(byVideo.get(video) ?? []), v]);
  };
  for (const ref of set.samples) {
    const s = await loadSample(set, ref, { guidance: false, previous: true, next: true, crop: false });
    const { width: w, height: h } = s.blurry;
    const motion = (await motionFromNeighbours(flow, { cur: s.blurry, ...(s.previous ? { prev: s.previous } : {}), ...(s.next ? { next: s.next } : {}) }))!;
    const truth = s.sharp.map((f) => ({ ...f, channels: 3 }) as MetricFrame);
    const exposure = duty[ref.video] ?? 1;
    const psnr = (px: Float32Array) => capPsnr(psnrSequence(pixelMajorToFrames(px, w, h), truth));
    add('repeat blurry', ref.video, capPsnr(psnrSequence(Array.from({ length: 7 }, () => ({ ...s.blurry, channels: 3 }) as MetricFrame), truth)));
    add('warped blurry', ref.video, psnr(renderDeblurred(deblurWithMotion(s.blurry.data, motion, { exposure, iterations: 0 }))));
    const d = deblurWithMotion(s.blurry.data, motion, { exposure, flowTrust: false });
    const blur = Float32Array.from(s.blurry.data, (v) => lut[v]!);
    for (const setting of settings) {
      const trust = setting.relative === undefined ? undefined : motionTrust(motion, setting.relative, setting.pixels);
      const latent = d.latent.slice();
      if (trust) keepTrustedDeblurring(latent, blur, trust, d.motion.moving);
      add(setting.name, ref.video, psnr(renderDeblurred({ ...d, latent })));
    }
  }
  return scores;
}

function table(title: string, scores: Map<string, Map<string, number[]>>): string {
  const videos = [...(scores.values().next().value?.keys() ?? [])];
  const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const rows = [...scores].map(([name, byVideo]) => {
    const all = [...byVideo.values()].flat();
    return `| ${name} | ${mean(all).toFixed(3)} | ${videos.map((v) => mean(byVideo.get(v)!).toFixed(2)).join(' | ')} |`;
  });
  const n = [...(scores.values().next().value?.values() ?? [])].reduce((a, xs) => a + xs.length, 0);
  return [`### ${title} (${n} samples)`, '', `| physics | all | ${videos.join(' | ')} |`, `|---|---:|${videos.map(() => '---:').join('|')}|`, ...rows, ''].join('\n');
}

async function main(): Promise<void> {
  const flags = parseBenchFlags('node dist/bench/flow-trust.js', {
    grid: { type: 'string', default: '0.25:1,0.5:1,0.5:2,1:1,1:2', help: 'tolerances relative:pixels, T = relative |F| + pixels' },
    also: { type: 'string', default: 'runs/bench-quality/clips-valid,runs/bench-quality/procedural-valid', help: "other sets to report (bench:quality's; skipped when missing)" },
    work: { type: 'string', default: join('runs', 'bench-flow-trust'), help: 'where the tuning set is built' },
  });
  const settings: Setting[] = [{ name: 'trust off (every pixel deblurred)' }, ...flags.grid.split(',').map((g) => {
    const [relative, pixels] = g.split(':').map(Number);
    if (!(relative! >= 0 && pixels! > 0)) throw new RangeError(`--grid entries are relative:pixels with relative >= 0 and pixels > 0, received ${g}`);
    const isDefault = relative === TRUST_RELATIVE && pixels === TRUST_PIXELS;
    return { name: `T = ${relative} abs(F) + ${pixels} px${isDefault ? ' (default)' : ''}`, relative: relative!, pixels: pixels! };
  })];
  const out: string[] = [table('Tuning set: real clips the benchmark never uses', await score(await tuningSet(join(ROOT, flags.work)), settings))];
  for (const dir of flags.also.split(',').filter(Boolean)) {
    if (existsSync(join(ROOT, dir, 'manifest.json'))) out.push(table(`${dir} (reported, not tuned on)`, await score(join(ROOT, dir), settings)));
    else process.stderr.write(`bench:flow-trust: ${dir} is missing (npm run bench:quality builds it); skipped\n`);
  }
  console.log(out.join('\n'));
}

await main();
