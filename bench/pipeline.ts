// Benchmark of `afb video`: for each method (learned = physics + the motion-aware network, the
// default; guidance = the paper's network, models/afb-cpu.onnx; physics alone), in the same run:
// output frames/s and per-stage time (decode, flow, physics, inference, encode) at 960x540 and
// 1920x1080, and each method's time per frame as a ratio to the guidance method's; pipeline
// throughput as a ratio to bare work in the workers (same thread budget, bare before and after,
// averaged); peak RSS of the CLI over a longer generated 1080p input (default method); and the
// ratio of the guidance network in onnxruntime to PyTorch at 960x544 with the same threads.
// Usage: node dist/bench/pipeline.js [--methods learned,guidance,physics] [--ensemble N] [--model FILE.onnx (guidance)]
//        [--motion-model FILE.onnx] [--frames 8] [--sizes 960x540,1920x1080] [--long-seconds 1]
//        [--workers N] [--threads T] [--no-torch] [--tile auto|off] [--long-fps RATE (default 30)]
//        (--tile auto: the tiles the CLI picks by default for each size; off: whole frames)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { availableParallelism, totalmem } from 'node:os';
import { join } from 'node:path';
import { formatRational, parseRational } from '../pipeline/io/ffmpeg-args.js';
import { buildTestClipArgs } from './lib/ffmpeg-dev-args.js';
import { runFfmpeg } from '../pipeline/io/ffmpeg-process.js';
import { openFrameSource } from '../pipeline/io/frame-source.js';
import { Logger } from '../pipeline/log.js';
import { DecomposePool } from '../pipeline/frame/pool.js';
import { chooseTile, formatTile, memoryBudgetBytes } from '../pipeline/frame/tile-policy.js';
import { convertVideo } from '../pipeline/video/convert.js';
import type { TileShape } from '../pipeline/math/tiling.js';
import { resolveModelPath } from '../pipeline/video/defaults.js';
import { createMotionSource } from '../pipeline/motion/source.js';
import { METHODS, parseEnsemble, type DecomposeMethod } from '../configs/model-options.js';
import { planThreads } from '../configs/global-options.js';
import { intFlag, parseBenchFlags } from './lib/bench-args.js';

const flags = parseBenchFlags('node dist/bench/pipeline.js', {
  methods: { type: 'string', default: 'learned,guidance,physics', help: 'methods to run, in this order' },
  model: { type: 'string', help: 'guidance-conditioned model (default: the shipped models/afb-cpu.onnx)' },
  'motion-model': { type: 'string', help: 'motion-aware model (default: the shipped models/afb-motion.onnx)' },
  frames: { type: 'string', default: '8', help: 'frames per size' },
  sizes: { type: 'string', default: '960x540,1920x1080', help: 'comma list of WxH sizes' },
  workers: { type: 'string', help: 'worker threads (default: cores / --threads)' },
  threads: { type: 'string', default: '1', help: 'onnxruntime intra-op threads per worker' },
  tile: { type: 'string', default: 'auto', help: 'auto (the tiles the CLI picks for each size) or off (whole frames)' },
  'long-seconds': { type: 'string', default: '1', help: 'seconds of the generated 1080p input of the memory run (0: skip it)' },
  'long-fps': { type: 'string', default: '30', help: 'frame rate of that input (e.g. 1/10)' },
  'no-torch': { type: 'boolean', help: 'skip the PyTorch comparison' },
  ensemble: { type: 'string', default: '1', help: 'also run the learned method with this --ensemble (2, 4 or 8), a row after learned' },
});

/** Bare work in the workers: `frames` frames through the pool with a given motion (12 px per
 * frame interval everywhere: no static shortcut), all submitted at once; frames/s. */
async function bareInference(pool: DecomposePool, method: DecomposeMethod, rgb: Uint8Array[], width: number, height: number, tile: number | TileShape, ensemble: number): Promise<number> {
  const motion = new Float32Array(width * height * 2).fill(12 / Math.SQRT2);
  const t0 = performance.now();
  await Promise.all(rgb.map(async (data, index) => {
    await pool.ready();
    return pool.run({ index, width, height, rgb: data, method, motion, exposure: 1, tile, consistency: false, ...(ensemble > 1 ? { ensemble } : {}) });
  }));
  return rgb.length / ((performance.now() - t0) / 1000);
}

/** Run the CLI on `input` and sample its RSS from /proc every 250 ms; returns MB samples. */
async function cliRss(args: string[]): Promise<{ samples: number[]; seconds: number; code: number | null }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['bin/afb.js', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
  const samples: number[] = [];
  const timer = setInterval(() => {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      if (kb > 0) samples.push(kb / 1024);
    } catch {
      /* process already gone */
    }
  }, 250);
  const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
  clearInterval(timer);
  return { samples, seconds: (performance.now() - t0) / 1000, code };
}

/** Seconds per forward pass of the same network in PyTorch (random weights of the model's preset). */
function torchSecondsPerFrame(modelPath: string, threads: number, width: number, height: number): number | undefined {
  const sidecar = modelPath.replace(/\.onnx$/, '.json');
  if (!existsSync(sidecar) || !existsSync('/usr/bin/python3')) return undefined;
  const meta = JSON.parse(readFileSync(sidecar, 'utf8')) as { preset?: string; head?: string; channels?: { first: number; max: number; res_blocks: number } };
  const ch = meta.channels ? `(${meta.channels.first}, ${meta.channels.max}, ${meta.channels.res_blocks})` : 'None';
  const script = `
import sys, time, torch
sys.path.insert(0, 'models')
from afb_models.decomposer import TwoStage
torch.set_num_threads(${threads})
m = TwoStage(preset=${JSON.stringify(meta.preset ?? 'cpu')}, head=${JSON.stringify(meta.head ?? 'residual')}, channels=${ch}).eval()
b = torch.rand(1, 3, ${height}, ${width}); g = torch.ones(1, 2, ${height}, ${width})
with torch.no_grad():
    m(b, g)
    ts = []
    for _ in range(3):
        t = time.perf_counter(); m(b, g); ts.append(time.perf_counter() - t)
print(sorted(ts)[1])
`;
  const r = spawnSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8' });
  if (r.status !== 0) {
    console.log(`PyTorch timing failed: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    return undefined;
  }
  return Number(r.stdout.trim().split('\n').pop());
}

async function main(): Promise<void> {
  const modelPath = resolveModelPath(flags.model);
  const motionModelPath = resolveModelPath(flags['motion-model'], 'motion');
  const methods = flags.methods.split(',') as DecomposeMethod[];
  for (const m of methods) if (!(METHODS as readonly string[]).includes(m)) throw new RangeError(`--methods: unknown method ${m}`);
  const ensemble = parseEnsemble(flags.ensemble, '--ensemble');
  // each row: a method, and the learned one again with --ensemble when asked
  const variants = methods.flatMap((method) => [{ method, ensemble: 1 }, ...(method === 'learned' && ensemble > 1 ? [{ method, ensemble }] : [])]);
  const frames = intFlag('frames', flags.frames);
  const cores = availableParallelism();
  const { workers, threads } = planThreads(cores, flags.workers === undefined ? undefined : intFlag('workers', flags.workers), intFlag('threads', flags.threads));
  const sizes = flags.sizes.split(',').map((s) => s.split('x').map(Number) as [number, number]);
  if (sizes.some(([w, h]) => !(w! > 0 && h! > 0))) throw new RangeError(`--sizes must be a comma list like 960x540,1920x1080, received ${flags.sizes}`);
  const tileMode = flags.tile;
  if (tileMode !== 'auto' && tileMode !== 'off') throw new RangeError(`--tile must be auto or off, received ${tileMode}`);
  const longSeconds = intFlag('long-seconds', flags['long-seconds'], 0);
  const dir = join(process.cwd(), 'bench', '.work.tmp');
  await mkdir(dir, { recursive: true });
  const log = new Logger('warn');
  console.log(`models: guidance ${modelPath}, learned ${motionModelPath}; ${workers} workers x ${threads} threads on ${cores} cores; ${frames} frames per size; methods ${methods.join(', ')}`);
  // one pool holding both networks: the methods run on the same workers, one after the other
  const pool = await DecomposePool.create({ modelPath, motionModelPath, provider: 'cpu', workers, threads });
  const rows: string[] = [];
  const perFrame = new Map<string, number>();
  try {
    for (const [width, height] of sizes) {
      const clip = join(dir, `bench-${width}x${height}.mp4`);
      // testsrc2 moves, so the built-in flow finds motion and not every pixel is static.
      await runFfmpeg('ffmpeg', buildTestClipArgs({ output: clip, width, height, fps: { num: 30, den: 1 }, frames }));
      const rgb: Uint8Array[] = [];
      for await (const f of await openFrameSource(clip)) rgb.push(f.data.slice() as Uint8Array);
      // The tile the CLI picks by default (--tile auto, --memory default), or whole frames with --tile off.
      for (const { method, ensemble: n } of variants) {
        const name = n > 1 ? `${method} --ensemble ${n}` : method;
        const tile = tileMode === 'off' ? 0 : chooseTile('auto', width, height, memoryBudgetBytes(undefined, workers, totalmem()) / workers, method, n).tile;
        await bareInference(pool, method, rgb.slice(0, workers), width, height, tile, n); // warm-up: arenas, caches
        const bareBefore = await bareInference(pool, method, rgb, width, height, tile, n);
        console.log(`${width}x${height} ${name}: bare ${bareBefore.toFixed(3)} frames/s; running the pipeline...`);
        const summary = await convertVideo(
          { input: clip, output: join(dir, `out-${width}x${height}.mp4`), slowmo: false, tile: typeof tile === 'number' ? tile : 'auto', consistency: false, method, exposure: 1, ensemble: n, codec: 'h264', crf: -1, preset: 'veryfast', pixFmt: 'yuv420p' },
          { pool, log, progress: false, tileBudgetBytes: memoryBudgetBytes(undefined, workers, totalmem()) / workers, createMotion: () => createMotionSource({ mode: 'video', log }) },
        );
        const bareAfter = await bareInference(pool, method, rgb, width, height, tile, n);
        const bare = (bareBefore + bareAfter) / 2;
        const inFps = summary.inputFrames / summary.seconds;
        const st = summary.stages;
        const per = (ms: number) => `${(ms / summary.inputFrames).toFixed(0)} ms`;
        const steady = summary.steadyInputFramesPerSecond;
        perFrame.set(`${width}x${height}/${name}`, 1 / steady);
        const vsGuidance = perFrame.get(`${width}x${height}/guidance`);
        rows.push(`| ${width}x${height} | ${name} | ${formatTile(tile)} | ${summary.outputFramesPerSecond.toFixed(2)} | ${inFps.toFixed(3)} | ${bare.toFixed(3)} (${bareBefore.toFixed(3)} / ${bareAfter.toFixed(3)}) | ${(steady / bare).toFixed(2)} | ${per(st.decode)} | ${per(st.flow)} | ${per(st.physics)} | ${per(st.inference)} | ${per(st.encode)} | ${vsGuidance ? (1 / steady / vsGuidance).toFixed(2) : '—'} |`);
        console.log(rows[rows.length - 1]);
      }
    }
  } finally {
    await pool.close();
  }
  // time per frame relative to the guidance method, once every method of a size has run
  const ratioRows = rows.map((r) => {
    const [, size, method] = r.split('|').map((c) => c.trim());
    const g = perFrame.get(`${size}/guidance`);
    const m = perFrame.get(`${size}/${method}`);
    return g && m ? r.replace(/\| [^|]* \|$/, `| ${(m / g).toFixed(2)} |`) : r;
  });
  console.log('\n| size | method | tile | output frames/s | input frames/s | bare frames/s in the workers (before / after) | steady-state ratio | decode/frame | flow/frame (workers) | physics/frame (worker) | inference/frame (worker) | encode/frame | time per frame / guidance method |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of ratioRows) console.log(r);

  // Peak RSS of the CLI over a longer 1080p input.
  if (longSeconds > 0) {
    const long = join(dir, 'long-1080p.mp4');
    // --long-fps: the frame rate of the generated input (a 600 s input at 30 fps is 18,000 frames,
    // days of CPU inference here; at 0.1 fps it is 60 frames: memory depends on frames, not seconds)
    const longFps = parseRational(flags['long-fps']);
    if (!longFps || !(longFps.num > 0)) throw new RangeError(`--long-fps must be a rate like 30 or 1/10, received ${flags['long-fps']}`);
    const longFrames = Math.max(2, Math.round((longSeconds * longFps.num) / longFps.den));
    await runFfmpeg('ffmpeg', buildTestClipArgs({ output: long, width: 1920, height: 1080, fps: longFps, frames: longFrames }));
    const rss = await cliRss(['--workers', String(workers), '--threads', String(threads), '--log-level', 'warn', 'video', long, '-o', join(dir, 'long-out.mp4'), '--model', motionModelPath]);
    const third = Math.max(1, Math.floor(rss.samples.length / 3));
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    console.log(`\npeak RSS over ${longFrames} frames of 1080p (${longSeconds} s at ${formatRational(longFps)} fps, ${rss.seconds.toFixed(0)} s wall, exit ${rss.code}): `
      + `${Math.max(...rss.samples).toFixed(0)} MB; mean RSS by thirds ${avg(rss.samples.slice(0, third)).toFixed(0)} / ${avg(rss.samples.slice(third, 2 * third)).toFixed(0)} / ${avg(rss.samples.slice(2 * third)).toFixed(0)} MB`);
  }

  if (!flags['no-torch']) {
    const budget = workers * threads;
    const torch = torchSecondsPerFrame(modelPath, budget, 960, 544);
    if (torch !== undefined) {
      // ORT with one session and the whole thread budget, at the same size, for a like-for-like ratio.
      const { Decomposer } = await import('../pipeline/runtime/decomposer.js');
      const m = await Decomposer.create(modelPath, { threads: budget, spinning: true });
      const b = new Float32Array(3 * 960 * 544).fill(0.5);
      const g = new Float32Array(2 * 960 * 544).fill(1);
      await m.runPadded(b, g, 960, 544);
      const ts: number[] = [];
      for (let i = 0; i < 3; i++) {
        const t = performance.now();
        await m.runPadded(b, g, 960, 544);
        ts.push((performance.now() - t) / 1000);
      }
      await m.release();
      const ort = ts.sort((a, c) => a - c)[1]!;
      console.log(`\n960x544, ${budget} threads: onnxruntime ${ort.toFixed(2)} s/frame, PyTorch ${torch.toFixed(2)} s/frame: onnxruntime is ${(torch / ort).toFixed(2)}x faster`);
    }
  }
  await rm(dir, { recursive: true, force: true });
}

await main();
