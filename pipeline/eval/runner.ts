// `afb eval` orchestration: select and load samples, run the model (worker pool) with each guidance
// source, score every method against the ground truth, and average into a report.
import { basename, resolve } from 'node:path';
import { InputError } from '../errors.js';
import type { Logger } from '../log.js';
import { Progress } from '../log.js';
import { scoreSequence, bestOf, PSNR_CAP_DB, type MetricFrame, type SequenceScores } from '../math/metrics.js';
import type { GuidanceMap, RgbImage } from '../math/types.js';
import { DecomposePool } from '../frame/pool.js';
import { FRAMES_PER_BLUR } from '../runtime/decomposer.js';
import { motionTaskFields, type DecomposeTask } from '../frame/decompose-frame.js';
import { estimateClipExposure, MotionKeeper } from '../motion/clip-exposure.js';
import type { FrameMotion, MotionRequest, MotionSource } from '../motion/source.js';
import type { Provider } from '../runtime/session.js';
import { bestOfCounts, ScoreAccumulator } from './aggregate.js';
import { loadSample, selectSamples, type EvalSample, type EvalSplit } from './dataset.js';
import { guidancePath } from '../io/dataset-layout.js';
import { LPIPS_NOTE, type EvalReport, type MethodReport } from './report.js';

/** The sharp frame at the middle of the exposure (t = 0). */
const MIDDLE_FRAME = (FRAMES_PER_BLUR - 1) / 2;

/** Where the guidance of the evaluated method comes from. */
export type GuidanceMode = 'gt' | 'video' | 'predict';

/** Fully resolved settings of one evaluation run. */
export interface EvalRunOptions {
  readonly dataset: string;
  readonly split: EvalSplit;
  readonly videoList?: string;
  readonly guidance: GuidanceMode;
  /** Guidance samples per image (best of N); > 1 only with predict. */
  readonly samples: number;
  /** Guidance-conditioned decomposition model; undefined scores the repeat-blurry baseline only (no model needed). */
  readonly model: string | undefined;
  /** Motion-aware model (method learned) for --guidance video; undefined leaves that row out. */
  readonly motionModel?: string;
  /** --guidance video: the exposure fraction, 'auto' (estimated per video from its frames, as
   * `afb video` does) or 'dataset' (the manifest's duty cycle of each video). */
  readonly exposure?: number | 'auto' | 'dataset';
  /** Self-ensemble size of the learned row (1, 2, 4, 8; default 1). */
  readonly ensemble?: number;
  readonly predictor?: string;
  /** Indices of the sharp frames to score (0..6). */
  readonly frames: readonly number[];
  readonly crop: boolean;
  readonly maxSamples: number;
  readonly seed: number;
  readonly consistency: boolean;
  readonly provider: Provider;
  readonly workers: number;
  readonly threads: number;
  readonly log: Logger;
  /** Motion for 'video' / 'predict' (built by the caller: keeps this module free of flow/predictor details). */
  readonly source?: MotionSource;
  /** Worker entry file (tests). */
  readonly workerFile?: string;
}

/** A per-sample seed: the run seed mixed with the video name and frame index (FNV-1a), so samples differ but runs repeat. */
export function sampleSeed(seed: number, video: string, index: number): number {
  let h = 0x811c9dc5 ^ seed;
  for (const ch of `${video}/${index}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return h >>> 0;
}

function asFrame(image: RgbImage): MetricFrame {
  return { width: image.width, height: image.height, channels: 3, data: image.data as Uint8Array };
}

/** Split 7 back-to-back interleaved 8-bit frames into metric frames (views, no copy). */
function splitFrames(data: Uint8Array, width: number, height: number): MetricFrame[] {
  const n = width * height * 3;
  return Array.from({ length: FRAMES_PER_BLUR }, (_, j) => ({ width, height, channels: 3, data: data.subarray(j * n, (j + 1) * n) }));
}

/** Run the evaluation and return the report (nothing is printed or written here). */
export async function runEvaluation(o: EvalRunOptions): Promise<EvalReport> {
  const start = performance.now();
  if (o.samples > 1 && o.guidance !== 'predict') {
    throw new RangeError(`--samples ${o.samples} needs --guidance predict (gt and video guidance are deterministic)`);
  }
  if (o.guidance !== 'gt' && !o.source) throw new RangeError(`--guidance ${o.guidance} needs a guidance source`);
  if (!o.model && o.guidance !== 'gt') throw new RangeError(`--baseline-only scores no model, so --guidance ${o.guidance} has nothing to do`);
  const set = await selectSamples(o.dataset, {
    split: o.split,
    videoList: o.videoList,
    needPrevious: o.guidance === 'video',
    needBbox: o.crop,
    maxSamples: o.maxSamples,
  });
  if (set.samples.length === 0) throw new InputError(o.dataset, 'No samples to evaluate (check --split, --crop annotations and the frames)');
  if (set.layout === 'baistpp' && !o.crop) o.log.warn('B-Aist++ dataset evaluated without --crop: the reference protocol scores bbox crops (160x192)');
  o.log.info(`eval: ${set.samples.length} samples from ${set.videos.length} videos (${set.layout} layout), guidance ${o.guidance}`);

  const counts = o.guidance === 'predict' ? bestOfCounts(o.samples) : [];
  const video = o.guidance === 'video';
  const methods: { id: string; label: string; acc: ScoreAccumulator }[] = [
    { id: 'blurry', label: 'Repeat blurry frame', acc: new ScoreAccumulator() },
  ];
  if (video) {
    methods.push(
      { id: 'warped', label: 'Blurry frame moved along the motion', acc: new ScoreAccumulator() },
      { id: 'physics', label: 'Physics (deblurred with the motion, no network)', acc: new ScoreAccumulator() },
    );
    if (o.motionModel) {
      const label = `Learned (physics + motion-aware network${(o.ensemble ?? 1) > 1 ? `, self-ensemble of ${o.ensemble}` : ''})`;
      methods.push({ id: 'learned', label, acc: new ScoreAccumulator() });
    }
    methods.push({ id: 'video', label: 'Guidance-only model, guidance from video', acc: new ScoreAccumulator() });
    // Not a method (it reads the answer): how far rendering along the estimated motion can go at
    // best, the true middle frame moved along the motion as `warped` moves the blurry one.
    methods.push({ id: 'oracle', label: 'True middle frame moved along the motion (reference: uses the ground truth)', acc: new ScoreAccumulator() });
  }
  methods.push({ id: 'gt', label: 'Model, ground-truth guidance', acc: new ScoreAccumulator() });
  for (const k of counts) methods.push({ id: `predict-p${k}`, label: `Model, predicted guidance P${k}`, acc: new ScoreAccumulator() });
  const method = (id: string) => methods.find((m) => m.id === id)!.acc;

  const pool = o.model === undefined ? undefined : await DecomposePool.create({
    modelPath: o.model,
    ...(video && o.motionModel ? { motionModelPath: o.motionModel } : {}),
    provider: o.provider,
    workers: o.workers,
    threads: o.threads,
    workerFile: o.workerFile,
    warn: (m) => o.log.warn(m),
  });
  const progress = new Progress(o.log, 'eval', set.samples.length, 'samples');
  let missingGt = 0;
  const exposures = new Map<string, Promise<number>>();
  // --exposure auto: the motion each video's estimate computed for its samples, kept for their
  // decomposition (within EXPOSURE_MOTION_BUDGET_BYTES; past it a sample's motion is computed again)
  const estimated = new MotionKeeper<string>();
  const motionKey = (video: string, index: number) => JSON.stringify([video, index]);
  try {
    // Submissions go through one gate: pool.ready() then pool.run() without another submission in
    // between, so the pool's in-flight bound holds however many runs a sample starts.
    let gate: Promise<unknown> = Promise.resolve();
    const runTask = (sample: EvalSample, extra: Partial<DecomposeTask>, n: number): Promise<MetricFrame[]> => {
      const { width, height } = sample.blurry;
      const task: DecomposeTask = { index: n, width, height, rgb: sample.blurry.data, tile: 0, consistency: o.consistency, ...extra };
      const started = gate.then(() => pool!.ready()).then(() => ({ result: pool!.run(task) }));
      gate = started.catch(() => undefined);
      return started.then(async ({ result }) => splitFrames((await result).frames, width, height));
    };
    const runModel = (sample: EvalSample, guidance: GuidanceMap, n: number) => runTask(sample, { method: 'guidance', guidance: guidance.data }, n);
    const requestOf = (sample: EvalSample): MotionRequest => ({ index: sample.index, cur: sample.blurry, ...(sample.previous ? { prev: sample.previous } : {}), ...(sample.next ? { next: sample.next } : {}) });
    const motionOf = (sample: EvalSample) => o.source!.frameMotion(requestOf(sample));
    const load = (ref: (typeof set.samples)[number]) => loadSample(set, ref, { guidance: true, previous: video, next: video, crop: o.crop });
    // --exposure auto: each video's exposure from all its selected samples, as `afb video` estimates a clip's
    const exposureOf = (name: string): Promise<number> => {
      let e = exposures.get(name);
      if (!e) {
        e = videoExposure(name);
        exposures.set(name, e);
      }
      return e;
    };
    const videoExposure = async (name: string): Promise<number> => {
      if (typeof o.exposure === 'number') return o.exposure;
      if (o.exposure === 'dataset') return set.dutyCycles?.[name] ?? 1;
      const requests = async function* () {
        // the blurry frames alone: the sharp frames and guidance are read when the sample is scored
        for (const ref of set.samples.filter((r) => r.video === name)) {
          yield requestOf(await loadSample(set, ref, { guidance: false, previous: true, next: true, crop: o.crop, sharp: false }));
        }
      };
      return (await estimateClipExposure(o.source!, requests(), (r, m) => {
        estimated.offer(motionKey(name, r.index), m);
      })) ?? 1;
    };
    const runMotionMethods = async (sample: EvalSample, motion: FrameMotion, n: number): Promise<MetricFrame[][]> => {
      const exposure = await exposureOf(sample.video);
      const m = motion.motion ? { ...motionTaskFields(motion.motion), exposure } : {};
      return Promise.all([
        runTask(sample, { method: 'physics', iterations: 0, ...m }, n),
        runTask(sample, { method: 'physics', ...m }, n),
        ...(o.motionModel ? [runTask(sample, { method: 'learned', ensemble: o.ensemble ?? 1, ...m }, n)] : []),
        runModel(sample, motion.guidance, n),
        // the renderer of `warped` (no deblurring) with the true sharp middle frame as the latent
        runTask(sample, { method: 'physics', iterations: 0, rgb: sample.sharp[MIDDLE_FRAME]!.data, ...m }, n),
      ]);
    };
    // Load a sample and start all its model runs (the pool works while the previous sample is scored).
    const prepare = async (n: number) => {
      const ref = set.samples[n]!;
      const sample = await load(ref);
      if (!sample.guidance) {
        if (o.guidance === 'gt' && pool) throw new InputError(guidancePath(set.root, ref.video, ref.index, set.layout), 'Ground-truth guidance missing');
        missingGt++;
      }
      const gt = sample.guidance && pool ? runModel(sample, sample.guidance, n) : undefined;
      if (video) {
        // the exposure first: with --exposure auto its estimate computed this sample's motion
        await exposureOf(sample.video);
        const motion = estimated.take(motionKey(sample.video, sample.index)) ?? (await motionOf(sample))[0]!;
        const others = runMotionMethods(sample, motion, n);
        return { sample, gt: await gt, others: await others };
      }
      const motions = o.source ? await o.source.frameMotion({ index: ref.index, cur: sample.blurry }, o.samples, sampleSeed(o.seed, ref.video, ref.index)) : [];
      const others = await Promise.all(motions.map((m) => runModel(sample, m.guidance, n)));
      return { sample, gt: await gt, others };
    };
    // Two samples ahead: scoring is synchronous, so the one after next must already be loading and
    // submitted while this one is scored, or the workers would idle.
    const ahead: Promise<Awaited<ReturnType<typeof prepare>>>[] = [];
    const launch = (n: number) => {
      if (n >= set.samples.length) return;
      const p = prepare(n);
      p.catch(() => undefined); // a failure is rethrown when awaited; avoid an unhandled rejection meanwhile
      ahead.push(p);
    };
    launch(0);
    launch(1);
    for (let n = 0; n < set.samples.length; n++) {
      const { sample, gt, others } = await ahead.shift()!;
      launch(n + 2);
      const pick = (frames: readonly MetricFrame[]) => o.frames.map((j) => frames[j]!);
      const truth = pick(sample.sharp.map(asFrame));
      const score = (frames: readonly MetricFrame[]): SequenceScores => scoreSequence(pick(frames), truth);
      const blurry = asFrame(sample.blurry);
      method('blurry').add(sample.video, score(Array.from({ length: FRAMES_PER_BLUR }, () => blurry)));
      if (gt) method('gt').add(sample.video, score(gt));
      if (video) {
        const ids = ['warped', 'physics', ...(o.motionModel ? ['learned'] : []), 'video', 'oracle'];
        ids.forEach((id, k) => method(id).add(sample.video, score(others[k]!)));
      }
      if (o.guidance === 'predict') {
        const scores = others.map(score);
        for (const k of counts) method(`predict-p${k}`).add(sample.video, bestOf(scores.slice(0, k)));
      }
      progress.tick();
    }
    await pool?.close();
  } catch (error) {
    await pool?.destroy().catch(() => undefined);
    throw error;
  } finally {
    progress.finish();
  }

  const notes: string[] = [];
  if (missingGt > 0) notes.push(`Ground-truth guidance was missing for ${missingGt} samples: the ground-truth-guidance row covers the others.`);
  if (video) {
    notes.push(`Motion from video: ${o.source?.description ?? 'flow'}; the first frame of each video is skipped (it has no previous frame). ` +
      'The guidance-only model gets that motion quantised to 4 directions; warped, physics and learned use the motion itself. ' +
      'The "true middle frame" row is a reference, not a method: it renders the ground-truth middle frame along the same motion (the headroom of rendering along that motion).');
    const es = await Promise.all([...exposures.entries()].map(async ([v, e]) => `${v} ${(await e).toFixed(2)}`));
    const how = typeof o.exposure === 'number' ? 'given' : o.exposure === 'dataset' ? "from the dataset's manifest" : 'estimated per video from its frames (--exposure auto)';
    notes.push(`Exposure (${how}): ${es.join(', ')}.`);
  }
  const reports: MethodReport[] = methods
    .filter((m) => m.acc.count > 0 || m.id !== 'gt')
    .map((m) => ({ id: m.id, label: m.label, overall: m.acc.summary(), perVideo: Object.fromEntries(m.acc.perVideo()) }));
  return {
    dataset: basename(resolve(o.dataset)),
    layout: set.layout,
    split: o.videoList ? `list ${basename(o.videoList)}` : o.split,
    videos: set.videos.length,
    samples: set.samples.length,
    frames: [...o.frames],
    crop: o.crop,
    guidance: o.guidance,
    samplesPerImage: o.samples,
    model: o.model === undefined ? 'none (baseline only)' : basename(o.model),
    ...(video && o.model !== undefined && o.motionModel ? { motionModel: basename(o.motionModel) } : {}),
    predictor: o.guidance === 'predict' && o.predictor ? basename(o.predictor) : undefined,
    seed: o.seed,
    methods: reports,
    lpips: { computed: false, reason: LPIPS_NOTE },
    psnrCapDb: PSNR_CAP_DB,
    notes,
    elapsedSeconds: Math.round((performance.now() - start) / 100) / 10,
  };
}
