import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { DecomposePool, FrameFailedError, defaultWorkerFile } from '../pipeline/frame/pool.js';
import { BuiltinFlowEstimator } from '../pipeline/flow/builtin.js';
import { motionFromNeighbours } from '../pipeline/motion/video-motion.js';
import { quantizeFlow } from '../pipeline/math/guidance.js';
import { srgbToLinear } from '../pipeline/math/colour.js';
import { CancelledError } from '../pipeline/errors.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

function frameTask(index: number, w: number, h: number) {
  const rgb = Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 31 + index * 7) % 256);
  const guidance = Int8Array.from({ length: w * h * 2 }, (_, i) => ((i + index) % 3) - 1);
  return { index, width: w, height: h, rgb, guidance, tile: 0, consistency: false };
}

/** Two workers running test/fixtures/slow-worker.mjs: frame i busy-waits ms[i] and marks state[i]. */
function slowPool(state: SharedArrayBuffer, ms: number[]): Promise<DecomposePool> {
  return DecomposePool.create({
    modelPath: fixture('decomposer-linear.onnx'), provider: 'cpu', workers: 2, threads: 1,
    workerFile: fixture('slow-worker.mjs'), workerData: { state, ms },
  });
}

describe('DecomposePool', () => {
  it('decomposes frames in worker threads with exact outputs (linear test model)', async () => {
    expect(defaultWorkerFile()).toMatch(/decompose-worker\.js$/);
    const pool = await DecomposePool.create({ modelPath: fixture('decomposer-linear.onnx'), provider: 'cpu', workers: 2, threads: 1 });
    const w = 7, h = 5;
    // 10 frames submitted at once: more than the pool's capacity (2 running + 2 queued), so
    // concurrent callers must wait for slots rather than overfill piscina's queue.
    const tasks = Array.from({ length: 10 }, (_, i) => frameTask(i, w, h));
    const results = await Promise.all(tasks.map(async (t) => {
      await pool.ready();
      return pool.run(t);
    }));
    await pool.close();
    let exact = 0;
    let total = 0;
    for (const [n, r] of results.entries()) {
      const t = tasks[n]!;
      expect(r.index).toBe(n);
      expect(r.frames).toBeInstanceOf(Uint8Array);
      expect(r.frames.length).toBe(7 * w * h * 3);
      for (let j = 0; j < 7; j++)
        for (let p = 0; p < w * h; p++)
          for (let k = 0; k < 3; k++) {
            const v = t.rgb[p * 3 + k]! / 255 + (j - 3) * 0.05 * t.guidance[p * 2]! + (j - 3) * 0.02 * t.guidance[p * 2 + 1]!;
            // float32 in the model vs float64 here: a value at a .5 boundary may round either way.
            const diff = Math.abs(r.frames[(j * w * h + p) * 3 + k]! - Math.round(255 * Math.min(1, Math.max(0, v))));
            expect(diff).toBeLessThanOrEqual(1);
            exact += diff === 0 ? 1 : 0;
            total++;
          }
    }
    expect(exact / total).toBeGreaterThan(0.9); // 0.05*255 = 12.75: many values sit on .5
  });

  it('tiles a frame in the worker with the same result as untiled (pointwise model)', async () => {
    const pool = await DecomposePool.create({ modelPath: fixture('decomposer-linear.onnx'), provider: 'cpu', workers: 1, threads: 1 });
    const t = frameTask(0, 37, 29);
    const whole = await pool.run({ ...t, float: true });
    const tiled = await pool.run({ ...t, tile: 16, overlap: 4, float: true });
    await pool.close();
    let maxFloatDiff = 0;
    for (let i = 0; i < whole.framesFloat!.length; i++) maxFloatDiff = Math.max(maxFloatDiff, Math.abs(whole.framesFloat![i]! - tiled.framesFloat![i]!));
    expect(maxFloatDiff).toBeLessThan(1e-5);
    expect(whole.framesFloat!.length).toBe(whole.frames.length);
    for (let i = 0; i < 50; i++) expect(Math.round(whole.framesFloat![i]! * 255)).toBe(whole.frames[i]);
    let maxDiff = 0;
    for (let i = 0; i < whole.frames.length; i++) maxDiff = Math.max(maxDiff, Math.abs(whole.frames[i]! - tiled.frames[i]!));
    expect(maxDiff).toBeLessThanOrEqual(1); // 8-bit rounding of the blended floats
  });

  it('tiles with a rectangular tile straight into 8-bit frames (the low-memory path) like untiled', async () => {
    const pool = await DecomposePool.create({ modelPath: fixture('decomposer-linear.onnx'), provider: 'cpu', workers: 1, threads: 1 });
    const t = frameTask(0, 41, 27);
    const whole = await pool.run(t);
    const tiled = await pool.run({ ...t, tile: { width: 20, height: 12 }, overlap: 4 });
    await pool.close();
    expect(tiled.framesFloat).toBeUndefined();
    expect(tiled.frames.length).toBe(whole.frames.length);
    let maxDiff = 0;
    for (let i = 0; i < whole.frames.length; i++) maxDiff = Math.max(maxDiff, Math.abs(whole.frames[i]! - tiled.frames[i]!));
    expect(maxDiff).toBeLessThanOrEqual(1);
  });

  it('applies --consistency in the worker: the 7 frames average to the input in linear light', async () => {
    const pool = await DecomposePool.create({ modelPath: fixture('decomposer-linear.onnx'), provider: 'cpu', workers: 1, threads: 1 });
    const t = frameTask(3, 9, 7);
    const plain = await pool.run(t);
    const fixed = await pool.run({ ...t, consistency: true });
    await pool.close();
    const n = 9 * 7 * 3;
    const errOf = (frames: Uint8Array) => {
      let sum = 0;
      for (let i = 0; i < n; i++) {
        let mean = 0;
        for (let j = 0; j < 7; j++) mean += srgbToLinear(frames[j * n + i]! / 255) / 7;
        sum += Math.abs(mean - srgbToLinear(t.rgb[i]! / 255));
      }
      return sum / n;
    };
    expect(errOf(plain.frames)).toBeGreaterThan(0.005); // the clamped linear model drifts in linear light
    expect(errOf(fixed.frames)).toBeLessThan(0.002); // what is left is 8-bit rounding
    expect(fixed.consistencyChange).toBeGreaterThan(0);
  });

  it('computes guidance from video in the worker from the neighbour frame, as the main thread would', async () => {
    const w = 48, h = 32;
    // A textured frame and the same texture shifted 3 px right: motion prev -> cur is (+3, 0).
    const tex = (x: number, y: number) => Math.round(127 + 60 * Math.sin(x * 0.7) * Math.cos(y * 0.5) + 40 * Math.sin((x + 2 * y) * 0.3));
    const img = (dx: number) => Uint8Array.from({ length: w * h * 3 }, (_, i) => tex(Math.floor(i / 3) % w - dx, Math.floor(i / 3 / w)));
    const prev = img(0), cur = img(3);
    const expectedGuidance = quantizeFlow((await motionFromNeighbours(new BuiltinFlowEstimator(), { prev: { width: w, height: h, data: prev }, cur: { width: w, height: h, data: cur } }))!).data;
    expect(expectedGuidance.filter((v, i) => i % 2 === 0 && v === 1).length).toBeGreaterThan(w * h * 0.5); // mostly moving right
    const pool = await DecomposePool.create({ modelPath: fixture('decomposer-linear.onnx'), provider: 'cpu', workers: 1, threads: 1 });
    const inWorker = await pool.run({ index: 0, width: w, height: h, rgb: cur, prev, tile: 0, consistency: false });
    const given = await pool.run({ index: 1, width: w, height: h, rgb: cur, guidance: expectedGuidance, tile: 0, consistency: false });
    await pool.close();
    expect(Buffer.from(inWorker.frames).equals(Buffer.from(given.frames))).toBe(true);
    expect(inWorker.flowMs).toBeGreaterThan(0);
  });

  it('replaces a crashed worker and retries its frame once; a frame that always crashes fails by name', async () => {
    const counter = new SharedArrayBuffer(4);
    const pool = await DecomposePool.create({
      modelPath: fixture('decomposer-linear.onnx'),
      provider: 'cpu',
      workers: 2,
      threads: 1,
      workerFile: fixture('crashy-worker.mjs'),
      workerData: { counter, crashOnce: 2, crashAlways: 4 },
    });
    const ok = await Promise.all([0, 1, 2, 3].map((i) => pool.run(frameTask(i, 4, 4))));
    expect(ok.map((r) => r.frames[0])).toEqual([0, 1, 2, 3]);
    expect(new Int32Array(counter)[0]).toBeGreaterThanOrEqual(1);
    const err = await pool.run(frameTask(4, 4, 4)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FrameFailedError);
    expect((err as FrameFailedError).frameIndex).toBe(4);
    expect((err as Error).message).toMatch(/^Frame 4 failed after a retry/);
    const after = await pool.run(frameTask(5, 4, 4));
    expect(after.frames[0]).toBe(5);
    await pool.destroy();
  });

  it('cancel waits for every running frame before stopping workers, and drops the waiting ones', async () => {
    // Frame 0 is short and frame 1 long, both running on the 2 workers; 2..5 wait. piscina's own
    // close() would resolve when frame 0 ends and terminate the worker running frame 1.
    const state = new SharedArrayBuffer(4 * 6);
    const marks = new Int32Array(state);
    const pool = await slowPool(state, [300, 1200, 50, 50, 50, 50]); // frame 0 long enough for a slow poll under load
    const runs = [0, 1, 2, 3, 4, 5].map((i) => pool.run(frameTask(i, 2, 2)).then((r) => r.index, (e: unknown) => e));
    while (Atomics.load(marks, 0) === 0 || Atomics.load(marks, 1) === 0) await new Promise((r) => setTimeout(r, 5));
    await pool.cancel();
    expect(Atomics.load(marks, 1)).toBe(2); // the long frame ran to its end
    const outcomes = await Promise.all(runs);
    expect(outcomes[1]).toBe(1);
    const dropped = outcomes.filter((o) => o instanceof CancelledError);
    expect(dropped.length).toBeGreaterThanOrEqual(3); // frames 2..5: at most one started meanwhile
    for (let i = 2; i < 6; i++) expect(outcomes[i] === i || outcomes[i] instanceof CancelledError).toBe(true);
    await expect(pool.run(frameTask(6, 2, 2))).rejects.toBeInstanceOf(CancelledError);
  });

  it('close waits for the frames still waiting for a worker', async () => {
    const state = new SharedArrayBuffer(4 * 4);
    const pool = await slowPool(state, [30, 200, 30, 30]);
    const runs = [0, 1, 2, 3].map((i) => pool.run(frameTask(i, 2, 2)));
    await pool.close();
    expect(Array.from(new Int32Array(state))).toEqual([2, 2, 2, 2]);
    expect((await Promise.all(runs)).map((r) => r.index)).toEqual([0, 1, 2, 3]);
  });
});
