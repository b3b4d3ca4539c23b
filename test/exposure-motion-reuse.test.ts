// --exposure auto computes the first frames' motion for its estimate; the decomposition of those
// frames reuses it (pipeline/motion/clip-exposure.ts, MotionKeeper) instead of computing it again,
// in `afb video` (on the main thread or in the workers) and in `afb eval`, with the same output.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DecomposePool } from '../pipeline/frame/pool.js';
import type { DecomposeTask } from '../pipeline/frame/decompose-frame.js';
import { runEvaluation, type EvalRunOptions } from '../pipeline/eval/runner.js';
import { blurPath, sharpPath } from '../pipeline/io/dataset-layout.js';
import { writePng } from '../pipeline/io/image.js';
import { Logger } from '../pipeline/log.js';
import type { RgbImage } from '../pipeline/math/types.js';
import { estimateClipExposure, frameMotionBytes, MotionKeeper, neighbourRequests } from '../pipeline/motion/clip-exposure.js';
import { createMotionSource, staticGuidance, type FrameMotion, type MotionRequest, type MotionSource } from '../pipeline/motion/source.js';
import { convertVideo, EXPOSURE_FRAMES } from '../pipeline/video/convert.js';
import type { VideoJob } from '../pipeline/video/job.js';
import { makeTempDir, removeTempDir, REPO_ROOT } from './helpers/media.js';

const SAMPLE = join(REPO_ROOT, 'samples', 'rocket-pan.mp4'); // 480x272, a camera pan: the estimate finds ~1
const log = new Logger('silent');
let dir = '';
let pool: DecomposePool;

beforeAll(async () => {
  dir = await makeTempDir('exposure-reuse-');
  // no model: the workers run the physics alone (method 'physics')
  pool = await DecomposePool.create({ provider: 'cpu', workers: 2, threads: 1 });
});
afterAll(async () => {
  await pool?.close();
  await removeTempDir(dir);
});

/** Which neighbours a motion was computed from: the same frame with other neighbours is other motion. */
const neighbourKey = (index: number, prev: unknown, next: unknown) => `${index}:${prev ? 'p' : '-'}${next ? 'n' : '-'}`;

/** Counts each frame's motion computations: on the main thread (this source) and in the workers (tasks sent with neighbours and no motion). */
class Counter {
  readonly counts = new Map<string, number>();
  add(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
  /** The keys computed more than once. */
  twice(): string[] {
    return [...this.counts].filter(([, n]) => n > 1).map(([k]) => k);
  }
}

/** The video motion source (built-in flow), counting its frameMotion calls; `inWorker` false: it claims no worker flow, so convert computes the motion on the main thread. */
function countingSource(inner: MotionSource, counter: Counter, inWorker: boolean): MotionSource {
  return {
    description: inner.description,
    knowsMotion: inner.knowsMotion,
    ...(inWorker && inner.workerNeighbours ? { workerNeighbours: inner.workerNeighbours } : {}),
    frameMotion(r: MotionRequest, samples?: number, seed?: number) {
      counter.add(neighbourKey(r.index, r.prev, r.next));
      return inner.frameMotion(r, samples, seed);
    },
    release: () => inner.release(),
  };
}

/** The shared pool, recording the flow each task leaves to its worker. */
function countingPool(counter: Counter): DecomposePool {
  return {
    capacity: pool.capacity,
    workers: pool.workers,
    ready: () => pool.ready(),
    run: (task: DecomposeTask) => {
      if (!task.motion && !task.guidance && (task.prev || task.next)) counter.add(neighbourKey(task.index, task.prev, task.next));
      return pool.run(task);
    },
  } as unknown as DecomposePool;
}

/** Convert the first `frames` frames of the sample with the physics to a PNG folder; its files and the summary. */
async function convert(name: string, frames: number, exposure: number | 'auto', inWorker: boolean) {
  const counter = new Counter();
  const output = join(dir, name);
  const job: VideoJob = {
    input: SAMPLE, output, slowmo: false, maxFrames: frames, tile: 0, consistency: false, method: 'physics', exposure,
    codec: 'h264', crf: 18, preset: 'veryfast', pixFmt: 'yuv420p',
  };
  const summary = await convertVideo(job, {
    pool: countingPool(counter), log, progress: false, tileBudgetBytes: Infinity,
    createMotion: async () => countingSource(await createMotionSource({ mode: 'video', log }), counter, inWorker),
  });
  const names = (await readdir(output)).filter((f) => f.endsWith('.png')).sort();
  const files = await Promise.all(names.map((f) => readFile(join(output, f))));
  return { summary, counter, names, files };
}

describe('afb video --exposure auto reuses the estimate\'s motion', () => {
  // 14 frames: the estimate's 12, of which the 12th is decomposed with its successor (other motion), then 2 more
  for (const [frames, inWorker] of [[EXPOSURE_FRAMES + 2, true], [EXPOSURE_FRAMES + 2, false], [5, true]] as const) {
    it(`${frames} frames, flow ${inWorker ? 'in the workers' : 'on the main thread'}: each frame's motion computed once, output as with the exposure given`, async () => {
      const auto = await convert(`auto-${frames}-${inWorker}`, frames, 'auto', inWorker);
      expect(auto.summary.inputFrames).toBe(frames);
      if (frames > EXPOSURE_FRAMES) expect(auto.summary.exposure).toBeGreaterThan(0.5); // measured, not the fallback 1
      // every frame's motion once; the estimate's last frame also once more with its successor (not the same motion)
      expect(auto.counter.twice()).toEqual([]);
      const each = Array.from({ length: frames }, (_, i) => neighbourKey(i, i > 0, i < frames - 1));
      const estimateOnly = frames > EXPOSURE_FRAMES ? [neighbourKey(EXPOSURE_FRAMES - 1, true, false)] : [];
      expect([...auto.counter.counts.keys()].sort()).toEqual([...each, ...estimateOnly].sort());
      // the same exposure given: no estimate, every frame's motion computed where it always was
      const given = await convert(`given-${frames}-${inWorker}`, frames, auto.summary.exposure, inWorker);
      expect(given.summary.exposure).toBe(auto.summary.exposure);
      expect([...given.counter.counts.keys()].sort()).toEqual([...each].sort());
      expect(auto.names).toEqual(given.names);
      expect(auto.names).toHaveLength(7 * frames);
      auto.files.forEach((f, n) => expect(f.equals(given.files[n]!), auto.names[n]).toBe(true));
    });
  }
});

describe('estimateClipExposure and MotionKeeper', () => {
  it('hands each request\'s motion to onMotion, the one the source gives', async () => {
    const frames: RgbImage[] = Array.from({ length: 3 }, (_, k) => ({ width: 8, height: 6, data: Uint8Array.from({ length: 8 * 6 * 3 }, (_, i) => (i * 7 + k * 3) % 256) }));
    const given = frames.map(() => ({ guidance: staticGuidance(8, 6), motion: { width: 8, height: 6, data: new Float32Array(8 * 6 * 2) } }));
    const source: MotionSource = { description: 'fixed', knowsMotion: true, frameMotion: async (r) => [given[r.index]!], release: async () => {} };
    const seen: [number, FrameMotion][] = [];
    const e = await estimateClipExposure(source, neighbourRequests(frames), (r, m) => seen.push([r.index, m]));
    expect(e).toBeUndefined(); // no motion: nothing to measure
    expect(seen.map(([i]) => i)).toEqual([0, 1, 2]);
    seen.forEach(([i, m]) => expect(m).toBe(given[i]));
  });

  it('keeps motions while their total stays within the budget, hands each back once', () => {
    const motion = (): FrameMotion => ({ guidance: staticGuidance(4, 4), motion: { width: 4, height: 4, data: new Float32Array(32) } });
    expect(frameMotionBytes(motion())).toBe(4 * 4 * 10); // 2 floats + 2 guidance bytes a pixel
    const keeper = new MotionKeeper<number>(2 * 160 + 100);
    expect([0, 1, 2].map((i) => keeper.offer(i, motion()))).toEqual([true, true, false]); // the third would pass the budget
    expect(keeper.heldBytes).toBe(320);
    expect(keeper.take(2)).toBeUndefined(); // not kept: the caller computes it again
    expect(keeper.take(0)).toBeDefined();
    expect(keeper.take(0)).toBeUndefined(); // once
    expect(keeper.heldBytes).toBe(160);
    expect(keeper.offer(3, motion())).toBe(true); // room again
  });
});

describe('afb eval --exposure auto reuses the estimate\'s motion', () => {
  const W = 48;
  const H = 32;
  /** A textured frame shifted right by `shift` px: motion the flow can find. */
  const frame = (shift: number): Uint8Array => Uint8Array.from({ length: W * H * 3 }, (_, i) => {
    const p = Math.floor(i / 3);
    const x = (p % W) - shift;
    const y = Math.floor(p / W);
    return 40 + Math.round(80 * (1 + Math.sin(x * 0.7 + (i % 3)) * Math.cos(y * 0.5)));
  });

  it('computes each sample\'s motion once; the report is the one with the estimated exposure given', async () => {
    const root = join(dir, 'eval-set');
    const n = 5;
    const blurry = Array.from({ length: n }, (_, i) => frame(2 * i));
    for (let i = 0; i < n; i++) {
      await writePng(blurPath(root, 'v', i), { width: W, height: H, data: blurry[i]! });
      for (let j = 0; j < 7; j++) await writePng(sharpPath(root, 'v', i, j), { width: W, height: H, data: frame(2 * i + (j - 3) * 0.25) });
    }
    const options = (source: MotionSource, exposure: EvalRunOptions['exposure']): EvalRunOptions => ({
      dataset: root, split: 'all', guidance: 'video', samples: 1, model: join(REPO_ROOT, 'test', 'fixtures', 'decomposer-linear.onnx'),
      frames: [0, 1, 2, 3, 4, 5, 6], crop: false, maxSamples: 0, seed: 0, consistency: false, provider: 'cpu', workers: 1, threads: 1, log, source, exposure,
    });
    const counter = new Counter();
    const source = countingSource(await createMotionSource({ mode: 'video', log }), counter, false);
    const auto = await runEvaluation(options(source, 'auto'));
    expect(auto.samples).toBe(n - 1); // the first frame has no previous one
    expect(counter.twice()).toEqual([]);
    expect(counter.counts.size).toBe(n - 1);
    // the estimate as the runner makes it (every sample of the video, its neighbours), given
    const images = blurry.map((data) => ({ width: W, height: H, data }));
    const requests = neighbourRequests(images).slice(1);
    const e = (await estimateClipExposure(source, requests)) ?? 1;
    const given = await runEvaluation(options(source, e));
    await source.release();
    expect(auto.methods).toEqual(given.methods);
  });
});
