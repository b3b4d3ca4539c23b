// Blur synthesis from one sharp high-frame-rate input: windows of sub-frames averaged in linear
// light (blurry frame), evenly spaced ground-truth frames, guidance from the aggregate flow between
// consecutive ground truths, written in the reference layout (blurry PNG last).
import { existsSync } from 'node:fs';
import type { FlowEstimator } from '../flow/estimator.js';
import { writeFileAtomic } from '../io/atomic.js';
import { blurPath, bboxPath, guidancePath, motionPath, sharpPath, type DatasetLayout } from '../io/dataset-layout.js';
import type { ResizeSpec } from '../io/ffmpeg-args.js';
import { openFrameSource } from '../io/frame-source.js';
import { encodePng, readImage } from '../io/image.js';
import { BuiltinFlowEstimator } from '../flow/builtin.js';
import { sequenceMotion } from '../motion/video-motion.js';
import type { RgbImage } from '../math/types.js';
import { encodeNpy } from '../io/npy.js';
import { writeBboxPickle } from '../io/pickle/encode.js';
import type { Logger } from '../log.js';
import { gtIndices, LinearAccumulator } from '../math/blur.js';
import { boxDownscale8, downscaleFactor, upscaleFlow } from '../math/blur-guidance.js';
import type { TransferCurve } from '../math/colour.js';
import { movingBbox } from '../math/moving-bbox.js';
import { guidanceFromFlow } from '../math/procedural/scene.js';
import { subframeCodes8, subframeStream } from './subframe-stream.js';

/** Settings of footage synthesis (all of them shape the output). */
export interface FootageSettings {
  /** Sub-frames averaged per blurry frame (after interpolation). */
  readonly window: number;
  /** Sub-frames skipped between windows (duty cycle window / (window + gap)). */
  readonly gap: number;
  readonly curve: TransferCurve;
  readonly interpolate: number;
  readonly gts: number;
  readonly resize?: ResizeSpec;
  readonly guidanceRes: 'full' | 'half';
  readonly staticThreshold: number;
  readonly layout: DatasetLayout;
  readonly pngLevel: number;
  /** Ground truths are box-downscaled to about this width for flow estimation (the aggregate is upscaled). */
  readonly flowWidth: number;
  /** ['video']: also write motion_video/, the motion `afb video` estimates from the blurry frames (set only when asked, so older configs keep their hash). */
  readonly motionFiles?: readonly 'video'[];
}

/** What one input produced. */
export interface FootageVideoResult {
  readonly video: string;
  /** Complete windows in the input (= blurry frames of the video). */
  readonly samples: number;
  readonly written: number;
  readonly skipped: number;
  /** Input frames decoded. */
  readonly frames: number;
}

/** Synthesise one input into `root/video`. Completed samples are skipped unless `force`. */
export async function synthesizeFootageVideo(
  input: string, root: string, video: string, s: FootageSettings,
  deps: { flow: FlowEstimator; log: Logger; force: boolean; signal?: AbortSignal; onSample?: () => void },
): Promise<FootageVideoResult> {
  const period = s.window + s.gap;
  const gts = gtIndices(s.window, s.gts);
  const done = new Map<number, boolean>();
  const complete = (w: number) => {
    let c = done.get(w);
    if (c === undefined) { c = !deps.force && existsSync(blurPath(root, video, w)); done.set(w, c); }
    return c;
  };
  const needed = (i: number) => i % period < s.window && !complete(Math.floor(i / period));
  let total = 0;
  const source = await openFrameSource(input, { resize: s.resize, signal: deps.signal, log: deps.log });
  let acc: LinearAccumulator | undefined;
  let truths: Uint8Array[] = [];
  // two sets of output buffers: one being encoded/written while the next window fills the other
  const sets: { truths: Uint8Array[]; blur: Uint8Array }[] = [];
  let written = 0;
  let pending: Promise<void> = Promise.resolve();
  let pendingSet = -1;
  for await (const sub of subframeStream(source, { interpolate: s.interpolate, curve: s.curve, needed, flow: deps.flow, onEnd: (n) => { total = n; } })) {
    const w = Math.floor(sub.index / period);
    const local = sub.index - w * period;
    const { width: W, height: H } = sub;
    if (local === 0 || !acc) {
      acc ??= new LinearAccumulator(W * H * 3, s.curve, sub.codes instanceof Uint16Array ? 16 : 8);
      acc.reset();
      truths = [];
      while (sets.length < 2) sets.push({ truths: gts.map(() => new Uint8Array(W * H * 3)), blur: new Uint8Array(W * H * 3) });
      // after skipped (complete) windows the in-flight sample may hold this window's set: wait for it
      if (pendingSet === w % 2) await pending;
    }
    const set = sets[w % 2]!;
    if (sub.codes) acc.addEncoded(sub.codes);
    else acc.addLinear(sub.linear!);
    if (gts.includes(local)) truths.push(subframeCodes8(sub, s.curve, set.truths[truths.length]));
    if (local !== s.window - 1) continue;
    if (acc.count !== s.window || truths.length !== s.gts) throw new RangeError(`Window ${w} of ${input} received ${acc.count} sub-frames, expected ${s.window}`);
    // aggregate of the flows between consecutive ground-truth frames (the reference's training guidance)
    // flows at about flowWidth (coarse flow is enough for 4-direction guidance), summed there, upscaled once
    const k = downscaleFactor(W, s.flowWidth);
    const small = truths.map((t) => boxDownscale8({ width: W, height: H, data: t }, k));
    const sw = small[0]!.width;
    const sh = small[0]!.height;
    const sum = new Float32Array(sw * sh * 2);
    for (let j = 0; j + 1 < small.length; j++) {
      const f = await deps.flow.estimate(small[j]!, small[j + 1]!);
      for (let i = 0; i < sum.length; i++) sum[i] += f.data[i]!;
    }
    const flow = k === 1 ? sum : upscaleFlow({ width: sw, height: sh, data: sum }, k, W, H).data;
    const g = guidanceFromFlow({ width: W, height: H, data: flow }, s.guidanceRes, s.staticThreshold);
    const blur = acc.meanEncoded8(set.blur);
    const frames = truths;
    const bbox = s.layout === 'baistpp' ? movingBbox({ width: W, height: H, data: flow }, s.staticThreshold) : undefined;
    await pending; // one sample's files in flight while the next window accumulates (buffer set w % 2)
    pendingSet = w % 2;
    pending = (async () => {
      await Promise.all([
        ...frames.map(async (f, j) => writeFileAtomic(sharpPath(root, video, w, j), await encodePng({ width: W, height: H, data: f }, s.pngLevel))),
        writeFileAtomic(guidancePath(root, video, w, s.layout), encodeNpy(g.data, [g.height, g.width, 2])),
        bbox ? writeBboxPickle(bboxPath(root, video, w), bbox) : Promise.resolve(),
      ]);
      await writeFileAtomic(blurPath(root, video, w), await encodePng({ width: W, height: H, data: blur }, s.pngLevel));
      written++;
      deps.onSample?.();
    })();
    pending.catch(() => undefined); // awaited below; never an unhandled rejection meanwhile
  }
  await pending;
  const samples = total >= s.window ? Math.floor((total - s.window) / period) + 1 : 0;
  if (s.motionFiles?.includes('video')) await writeVideoMotion(root, video, samples, deps.force, deps.signal);
  let skipped = 0;
  for (let w = 0; w < samples; w++) if (done.get(w) === true) skipped++;
  return { video, samples, written, skipped, frames: total === 0 ? 0 : (total - 1) / s.interpolate + 1 };
}

/**
 * motion_video/ of every sample that lacks it (all with `force`): the motion of each blurry frame from
 * its neighbours, estimated as `afb video` does. Runs once the video's blurry frames are all written,
 * so an interrupted run completes it on resume.
 */
async function writeVideoMotion(root: string, video: string, samples: number, force: boolean, signal?: AbortSignal): Promise<void> {
  const todo = Array.from({ length: samples }, (_, w) => w).filter((w) => force || !existsSync(motionPath(root, video, w, 'video')));
  if (todo.length === 0) return;
  const estimator = new BuiltinFlowEstimator();
  const cache = new Map<number, RgbImage>();
  const frame = async (w: number) => {
    if (w < 0 || w >= samples) return undefined;
    let image = cache.get(w);
    if (!image) {
      image = await readImage(blurPath(root, video, w));
      cache.set(w, image);
      cache.delete(w - 3); // the walk moves forward: three frames are the most it reads again
    }
    return image;
  };
  await sequenceMotion(estimator, todo, frame, async (w, m) => {
    signal?.throwIfAborted();
    const { width: W, height: H } = (await frame(w))!;
    await writeFileAtomic(motionPath(root, video, w, 'video'), encodeNpy(m ? m.data : new Float32Array(W * H * 2), [H, W, 2]));
  });
}
