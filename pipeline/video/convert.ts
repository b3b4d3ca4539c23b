// One input -> one 7x output: streaming decode -> guidance -> bounded fan-out to the worker pool
// -> reorder -> encode. The output appears only when complete (sinks write to a temporary name).
import { motionTaskFields, type DecomposeResult, type DecomposeTask } from '../frame/decompose-frame.js';
import { AfbError } from '../errors.js';
import { openFrameSink, type FrameSink } from '../io/frame-sink.js';
import type { Frame } from '../io/frame-source.js';
import { Logger, Progress } from '../log.js';
import { ReorderBuffer } from '../math/reorder.js';
import type { RgbImage } from '../math/types.js';
import { chooseTile, formatTile } from '../frame/tile-policy.js';
import { estimateClipExposure, MotionKeeper, neighbourRequests } from '../motion/clip-exposure.js';
import type { FrameMotion, MotionRequest, MotionSource } from '../motion/source.js';
import { prepareInput, type PreparedInput } from './prepare-input.js';
import type { StageTimes, VideoDeps, VideoJob, VideoSummary } from './job.js';
import { FRAMES_OUT_PER_IN, outputRate, rateText } from './rate.js';

/** A counter that callers can wait on until it drops below a limit. */
class Gate {
  private waiters: (() => void)[] = [];
  count = 0;
  async below(limit: number, failed: () => boolean): Promise<void> {
    while (this.count >= limit && !failed()) await new Promise<void>((r) => this.waiters.push(r));
  }
  wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}

/**
 * Convert one input (opened by prepareInput, or here). Throws (after removing the temporary
 * output) on any failure or cancel.
 */
export async function convertVideo(job: VideoJob, deps: VideoDeps, prepared?: PreparedInput): Promise<VideoSummary> {
  const t0 = performance.now();
  const { pool, log, signal } = deps;
  const { frames: source0, motion: motionSource } = prepared ?? await prepareInput(job, deps);
  const info = source0.info;
  const { width, height } = info;
  const outFps = outputRate(info.fps, job.slowmo);
  const { tile, overBudget } = chooseTile(job.tile, width, height, deps.tileBudgetBytes, job.method, job.ensemble);
  if (overBudget) {
    log.warn(`${job.input}: ${width}x${height} frames need more than the --memory budget allows per worker (${(deps.tileBudgetBytes / 2 ** 20).toFixed(0)} MiB); ` +
      `using ${formatTile(tile)} tiles anyway: raise --memory or use fewer --workers`);
  }
  const video = info.video;
  const audio = video?.hasAudio && !job.slowmo
    ? { path: info.path, start: info.start, duration: info.frameCount * (info.fps.den / info.fps.num), ...(video.audioCodec ? { codec: video.audioCodec } : {}) }
    : undefined;
  if (video?.hasAudio && job.slowmo) log.warn(`${job.input}: --slowmo output has no audio (it would be 7x too short)`);
  const stages: StageTimes = { decode: 0, flow: 0, physics: 0, inference: 0, encode: 0 };
  let sink: FrameSink | undefined;
  const progress = new Progress(deps.progress ? log : new Logger('silent'), `video ${job.input}`, info.frameCount * FRAMES_OUT_PER_IN);
  let failure: unknown;
  const failed = () => failure !== undefined;
  const backlog = new Gate(); // blurry frames submitted and not yet written
  const inflight = new Set<Promise<void>>();
  let consistencySum = 0;
  let firstWritten: number | undefined;
  let lastWritten = 0;
  let submitted = 0;
  try {
    const source = motionSource;
    const inWorker = source.workerNeighbours;
    sink = await openFrameSink(job.output, {
      width, height, depth: 8, fps: outFps, codec: job.codec, crf: job.crf, preset: job.preset, pixFmt: job.pixFmt,
      ...(audio ? { audio } : {}), ...(signal ? { signal } : {}), log,
    });
    const out = sink;
    const reorder = new ReorderBuffer<DecomposeResult>();
    let writing = Promise.resolve();
    const writeResult = async (r: DecomposeResult) => {
      if (failure) return; // the job is being torn down: the sink is (being) aborted
      const plane = width * height * 3;
      const t = performance.now();
      for (let j = 0; j < FRAMES_OUT_PER_IN; j++) {
        await out.write({ width, height, data: r.frames.subarray(j * plane, (j + 1) * plane) });
      }
      stages.encode += performance.now() - t;
      firstWritten ??= performance.now();
      lastWritten = performance.now();
      progress.tick(FRAMES_OUT_PER_IN);
      deps.onFrames?.(out.framesWritten, Math.max(out.framesWritten, info.frameCount * FRAMES_OUT_PER_IN));
      backlog.count--;
      backlog.wake();
    };
    const fail = (e: unknown) => {
      failure ??= e;
      backlog.wake();
    };
    signal?.addEventListener('abort', () => fail(signal.reason), { once: true });
    // the guidance method has no use for the exposure: no estimate, no waiting
    let exposure = job.exposure !== 'auto' ? job.exposure : job.method === 'guidance' ? 1 : undefined;
    /** Decompose frame `index`; `known`: its motion, already computed (by the exposure estimate). */
    const submit = async (index: number, cur: RgbImage, prev: RgbImage | undefined, next: RgbImage | undefined, known?: FrameMotion) => {
      const tf = performance.now();
      // With worker flow the neighbours travel with the task (unless the motion is known: the
      // worker then uses the motion given); otherwise the motion is computed here.
      let frameMotion: Pick<DecomposeTask, 'guidance' | 'motion' | 'disagreement' | 'prev' | 'next'>;
      if (known) {
        frameMotion = { guidance: known.guidance.data, ...motionTaskFields(known.motion) };
      } else if (inWorker) {
        frameMotion = { ...(prev ? { prev: prev.data } : {}), ...(next ? { next: next.data } : {}) };
      } else {
        const [m] = await source.frameMotion({ index, cur, ...(prev ? { prev } : {}), ...(next ? { next } : {}) });
        frameMotion = { guidance: m!.guidance.data, ...motionTaskFields(m!.motion) };
      }
      stages.flow += performance.now() - tf;
      await backlog.below(pool.capacity + pool.workers, failed);
      await pool.ready();
      if (failure) throw failure;
      backlog.count++;
      submitted++;
      const p = pool.run({
        index, width, height, rgb: cur.data, ...frameMotion, tile, consistency: job.consistency,
        method: job.method, exposure: exposure ?? 1, ...(job.ensemble && job.ensemble > 1 ? { ensemble: job.ensemble } : {}), ...(inWorker ? { neighbours: inWorker } : {}),
      }).then(
        (result) => {
          stages.inference += result.inferMs;
          stages.flow += result.flowMs;
          stages.physics += result.physicsMs;
          consistencySum += result.consistencyChange;
          for (const r of reorder.push(index, result)) writing = writing.then(() => writeResult(r)).catch(fail);
        },
        fail,
      );
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
    };
    // Frame i is submitted once frame i+1 arrived: its motion may need the next frame. With
    // --exposure auto the first frames wait until the exposure is estimated from them.
    let prev: RgbImage | undefined;
    let cur: RgbImage | undefined;
    let count = 0;
    const early: RgbImage[] = [];
    /** Estimate the exposure from the frames in `early`, then submit them (all, at the end of the
     * clip; else all but the last, which waits for its successor). The motion the estimate computed
     * for the frames submitted here (the same neighbours, the same flow) is kept for them within
     * EXPOSURE_MOTION_BUDGET_BYTES, so it is not computed twice; the last frame's, when its
     * successor is still to come, is not theirs to reuse (the estimate saw no next frame). */
    const estimate = async (atEnd: boolean) => {
      const te = performance.now();
      const n = atEnd ? early.length : early.length - 1;
      const kept = new MotionKeeper<number>();
      exposure = await exposureFromFirstFrames(source, early, log, job.input, (r, m) => {
        if (r.index < n) kept.offer(r.index, m);
      });
      stages.flow += performance.now() - te;
      for (let i = 0; i < n; i++) await submit(i, early[i]!, early[i - 1], early[i + 1], kept.take(i));
    };
    const iterator = source0[Symbol.asyncIterator]();
    for (;;) {
      const td = performance.now();
      const step = await iterator.next();
      stages.decode += performance.now() - td;
      if (step.done) break;
      const frame: Frame = step.value;
      const copy: RgbImage = { width, height, data: frame.data.slice() };
      frame.release();
      if (exposure === undefined) {
        early.push(copy);
        if (early.length === EXPOSURE_FRAMES) {
          await estimate(false);
          prev = early[early.length - 2];
          cur = early[early.length - 1];
          count = early.length;
          early.length = 0;
        }
        continue;
      }
      if (cur) await submit(count - 1, cur, prev, copy);
      if (failure) throw failure;
      prev = cur;
      cur = copy;
      count++;
    }
    if (exposure === undefined) {
      count = early.length;
      await estimate(true); // a clip shorter than EXPOSURE_FRAMES: every frame was in `early`
    } else if (cur) {
      await submit(count - 1, cur, prev, undefined);
    }
    if (count === 0) throw new AfbError(`No frames were decoded from ${job.input}`);
    // (Flow on the main thread warns by itself; the workers' flow cannot.)
    if (count === 1 && inWorker) log.warn(`${job.input}: a single-frame input has no neighbour to take motion from: using static guidance`);
    while (inflight.size > 0) await Promise.all([...inflight]);
    await writing;
    if (failure) throw failure;
    if (out.framesWritten !== count * FRAMES_OUT_PER_IN) {
      throw new AfbError(`Wrote ${out.framesWritten} frames for ${count} input frames (expected ${count * FRAMES_OUT_PER_IN}): ${job.output}`);
    }
    const te = performance.now();
    await out.finish();
    stages.encode += performance.now() - te;
    progress.finish();
    const seconds = (performance.now() - t0) / 1000;
    return {
      input: job.input,
      output: job.output,
      width,
      height,
      inputFrames: count,
      outputFrames: out.framesWritten,
      inputFps: rateText(info.fps),
      outputFps: rateText(outFps),
      seconds,
      outputFramesPerSecond: out.framesWritten / seconds,
      // The first round of `workers` frames finishes together: frames after it over the time after it.
      steadyInputFramesPerSecond: count > pool.workers && firstWritten !== undefined && lastWritten > firstWritten
        ? (1000 * (count - pool.workers)) / (lastWritten - firstWritten)
        : count / seconds,
      stages,
      tile: formatTile(tile),
      guidance: motionSource.description + (motionSource.workerNeighbours ? ', computed in the workers' : ''),
      method: job.method,
      exposure: exposure ?? 1,
      ...(job.consistency ? { consistencyChange: (255 * consistencySum) / Math.max(1, submitted) } : {}),
    };
  } catch (error) {
    failure ??= error;
    backlog.wake();
    await sink?.abort();
    // Let this file's frames still in the (shared) pool finish before the next file uses it.
    await Promise.allSettled([...inflight]);
    throw error;
  } finally {
    await motionSource.release().catch(() => undefined);
    await source0.close().catch(() => undefined);
  }
}

/** Frames decoded before the exposure is estimated (--exposure auto). */
export const EXPOSURE_FRAMES = 12;

/** The clip's exposure from its first frames and their motion (1 when it cannot be measured); each
 * frame's motion (request index = position in `frames`) is handed to `onMotion`. */
async function exposureFromFirstFrames(
  source: MotionSource, frames: readonly RgbImage[], log: Logger, input: string, onMotion: (request: MotionRequest, motion: FrameMotion) => void,
): Promise<number> {
  const e = await estimateClipExposure(source, neighbourRequests(frames), onMotion);
  if (e === undefined) {
    log.info(`${input}: exposure: too little fast motion in the first ${frames.length} frames to estimate it; using 1 (give --exposure to set it)`);
    return 1;
  }
  log.info(`${input}: exposure: estimated ${e.toFixed(2)} of the frame interval from the first ${frames.length} frames`);
  return e;
}
