// Benchmark of `afb synth`: footage synthesis at 960x540 from a 240 fps input (window 49, no
// interpolation) as a ratio to merely decoding the same frames into Node, and procedural
// samples/s at 256x256. Runs alternate decode and synth and report medians (shared, noisy machine).
// Usage: node dist/bench/synth.js [--frames 245] [--repeats 2] [--procedural 48] [--photos data/photos/train]
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { buildTestClipArgs } from './lib/ffmpeg-dev-args.js';
import { runFfmpeg } from '../pipeline/io/ffmpeg-process.js';
import { openFrameSource } from '../pipeline/io/frame-source.js';
import { Logger } from '../pipeline/log.js';
import { DEFAULT_PROCEDURAL_CONFIG } from '../pipeline/math/procedural/config.js';
import { runFootage } from '../pipeline/synth/footage.js';
import { DEFAULT_FLOW_WIDTH } from '../configs/synth-options.js';
import { runProcedural } from '../pipeline/synth/procedural.js';
import { intFlag, median, parseBenchFlags } from './lib/bench-args.js';

const WIDTH = 960;
const HEIGHT = 540;
const WINDOW = 49;

async function main(): Promise<void> {
  const flags = parseBenchFlags('node dist/bench/synth.js', {
    frames: { type: 'string', default: String(5 * WINDOW), help: 'frames of the generated 240 fps 960x540 clip' },
    repeats: { type: 'string', default: '2', help: 'alternating runs of decode and synthesis (medians reported)' },
    procedural: { type: 'string', default: '48', help: 'procedural samples to render' },
    photos: { type: 'string', default: join('data', 'photos', 'train'), help: 'photo pool of the procedural run (scripts/build-photo-pool.sh)' },
  });
  const frames = intFlag('frames', flags.frames);
  const repeats = intFlag('repeats', flags.repeats);
  const procCount = intFlag('procedural', flags.procedural);
  const dir = join(process.cwd(), 'bench', '.work.tmp', 'synth');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const clip = join(dir, 'testsrc2-240fps.mp4');
  const log = new Logger('warn');
  try {
    // testsrc2 at 240 fps: moving content every frame; H.264 as phone slow-motion footage is
    await runFfmpeg('ffmpeg', buildTestClipArgs({ output: clip, width: WIDTH, height: HEIGHT, fps: { num: 240, den: 1 }, frames }));
    const decode: number[] = [];
    const synth: number[] = [];
    let samples = 0;
    for (let r = 0; r < repeats; r++) {
      let t0 = performance.now();
      let n = 0;
      for await (const f of await openFrameSource(clip)) { n++; f.release(); }
      decode.push(n / ((performance.now() - t0) / 1000));
      const root = join(dir, `out-${r}`);
      t0 = performance.now();
      const s = await runFootage({
        inputs: [clip], root, split: 'train', validFraction: 0, flowBackend: 'builtin', force: true, workers: 1, log,
        settings: { window: WINDOW, gap: 0, curve: 'srgb', interpolate: 1, gts: 7, guidanceRes: 'full', staticThreshold: 0.5, layout: 'genblur', pngLevel: 3, flowWidth: DEFAULT_FLOW_WIDTH },
      });
      const sec = (performance.now() - t0) / 1000;
      samples = s.written;
      synth.push((s.written * WINDOW) / sec);
      await rm(root, { recursive: true, force: true });
    }
    const d = median(decode);
    const y = median(synth);
    console.log(`footage ${WIDTH}x${HEIGHT} @240 fps, window ${WINDOW}: decode ${d.toFixed(1)} frames/s; synth ${y.toFixed(1)} frames/s = ${(y / WINDOW).toFixed(2)} samples/s (${samples} samples); ratio ${(100 * y / d).toFixed(0)} % (target >= 70 %)`);

    const proot = join(dir, 'procedural');
    const c0 = process.cpuUsage();
    const ps = await runProcedural({
      root: proot, photosDir: flags.photos, count: procCount, seed: 1, split: 'train',
      config: { ...DEFAULT_PROCEDURAL_CONFIG, subframeStep: 1.5 }, layout: 'genblur', pngLevel: 3, force: true, workers: 1, log,
    });
    const cu = process.cpuUsage(c0);
    const cpu = (cu.user + cu.system) / 1e6;
    console.log(`procedural 256x256: ${ps.samplesPerSecond.toFixed(2)} samples/s wall, ${(ps.written / cpu).toFixed(2)} samples per CPU-second (${ps.written} samples, one thread + libvips)`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
