// Benchmark behind the learned method's memory model (LEARNED_WORKER_MEMORY in
// pipeline/frame/tile-policy.ts): peak RSS of one process decomposing a frame with --method learned
// and the shipped motion-aware model, for several tile sizes, each in a fresh child process (so
// peaks do not carry over). The slope over the tile's pixels is the model's bytes per tile pixel;
// what is left at tile 0, less the bare process, is the per-frame part.
// Usage: node dist/bench/tile-memory.js [--size 1920x1080] [--tiles 352x296,512x432,704x588,1024x768] [--frames 3]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { decomposeFrame } from '../pipeline/frame/decompose-frame.js';
import { MotionDecomposer } from '../pipeline/runtime/motion-decomposer.js';
import { resolveModelPath } from '../pipeline/video/defaults.js';
import { intFlag, parseBenchFlags } from './lib/bench-args.js';
import { parseSize } from '../configs/synth-options.js';

const flags = parseBenchFlags('node dist/bench/tile-memory.js', {
  size: { type: 'string', default: '1920x1080', help: 'frame size WxH' },
  tiles: { type: 'string', default: '352x296,512x432,704x588,1024x768', help: 'comma list of tile shapes WxH' },
  frames: { type: 'string', default: '3', help: 'frames decomposed per tile size' },
  child: { type: 'string', help: '(internal) run one tile size in this process: WxH' },
});

/** One tile size: a textured frame, two thirds of it moving 12.6 px per frame interval. */
async function child(tileShape: string): Promise<void> {
  const [w, h] = parseSize(flags.size, '--size');
  const [tw, th] = parseSize(tileShape, '--tiles');
  const frames = intFlag('frames', flags.frames);
  const rgb = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) rgb[(y * w + x) * 3 + c] = (128 + 100 * Math.sin(x / (7 + c) + y / 13)) | 0;
  const motion = new Float32Array(w * h * 2);
  for (let p = 0; p < w * h; p++) if (p % w >= w / 3) { motion[2 * p] = 12; motion[2 * p + 1] = -4; }
  const model = await MotionDecomposer.create(resolveModelPath(undefined, 'motion'), { threads: 1 });
  const bare = process.memoryUsage().rss;
  const t0 = performance.now();
  for (let i = 0; i < frames; i++) {
    await decomposeFrame({ motion: model }, { index: i, width: w, height: h, rgb, motion, method: 'learned', exposure: 1, tile: { width: tw, height: th }, consistency: false });
  }
  const seconds = (performance.now() - t0) / 1000 / frames;
  await model.release();
  process.stdout.write(JSON.stringify({ tile: tileShape, tilePixels: tw * th, bareMB: bare / 2 ** 20, peakMB: process.resourceUsage().maxRSS / 1024, seconds }) + '\n');
}

function main(): void {
  const [w, h] = parseSize(flags.size, '--size');
  const results = flags.tiles.split(',').map((t) => {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', t, '--size', flags.size, '--frames', flags.frames], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`child for ${t} failed:\n${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as { tile: string; tilePixels: number; bareMB: number; peakMB: number; seconds: number };
  });
  console.log(`learned method, ${w}x${h} frames, ${flags.frames} per tile size, one process each, 1 thread\n`);
  console.log('| tile | tile pixels | bare process (MB) | peak RSS (MB) | s per frame |');
  console.log('|---|---:|---:|---:|---:|');
  for (const r of results) console.log(`| ${r.tile} | ${r.tilePixels} | ${r.bareMB.toFixed(0)} | ${r.peakMB.toFixed(0)} | ${r.seconds.toFixed(2)} |`);
  // least-squares line of peak RSS over tile pixels
  const n = results.length;
  const mx = results.reduce((s, r) => s + r.tilePixels, 0) / n;
  const my = results.reduce((s, r) => s + r.peakMB * 2 ** 20, 0) / n;
  const slope = results.reduce((s, r) => s + (r.tilePixels - mx) * (r.peakMB * 2 ** 20 - my), 0) / results.reduce((s, r) => s + (r.tilePixels - mx) ** 2, 0);
  const intercept = my - slope * mx;
  const bare = results.reduce((s, r) => s + r.bareMB, 0) / n * 2 ** 20;
  console.log(`\nslope ${slope.toFixed(0)} bytes per tile pixel; at tile 0: ${(intercept / 2 ** 20).toFixed(0)} MB, ` +
    `${((intercept - bare) / (w * h)).toFixed(0)} bytes per frame pixel over the bare process (${(bare / 2 ** 20).toFixed(0)} MB with the model loaded)`);
}

if (flags.child) await child(flags.child);
else main();
