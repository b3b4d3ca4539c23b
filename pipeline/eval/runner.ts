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
import type { Provider } from '../runtime/session.js';
import { bestOfCounts, ScoreAccumulator } from './aggregate.js';
import { loadSample, selectSamples, type EvalSample, type EvalSplit } from './dataset.js';
import { guidancePath } from '../io/dataset-layout.js';
import { LPIPS_NOTE, type EvalReport, type MethodReport } from './report.js';

/** Where the guidance of the evaluated method comes from. */
export type GuidanceMode = 'gt' | 'video' | 'predict';

/** Produces guidance maps for a sample (video: one map from the previous frame; predict: N maps). */
export interface GuidanceProvider {
  /** N guidance maps for one sample at the (cropped) image size. */
  guidance(sample: EvalSample, count: number, seed: number): Promise<GuidanceMap[]>;
  release(): Promise<void>;
  /** What produces the guidance (e.g. the flow backend), for the report's notes. */
  readonly description?: string;
}

/** Fully resolved settings of one evaluation run. */
export interface EvalRunOptions {
  readonly dataset: string;
  readonly split: EvalSplit;
  readonly videoList?: string;
  readonly guidance: GuidanceMode;
  /** Guidance samples per image (best of N); > 1 only with predict. */
  readonly samples: number;
  /** Decomposition model; undefined scores the repeat-blurry baseline only (no model needed). */
  readonly model: string | undefined;
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
  /** Guidance for 'video' / 'predict' (built by the caller: keeps this module free of flow/predictor details). */
  readonly source?: GuidanceProvider;
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
  const methods: { id: string; label: string; acc: ScoreAccumulator }[] = [
    { id: 'blurry', label: 'Repeat blurry frame', acc: new ScoreAccumulator() },
    { id: 'gt', label: 'Model, ground-truth guidance', acc: new ScoreAccumulator() },
  ];
  if (o.guidance === 'video') methods.push({ id: 'video', label: 'Model, guidance from video', acc: new ScoreAccumulator() });
  for (const k of counts) methods.push({ id: `predict-p${k}`, label: `Model, predicted guidance P${k}`, acc: new ScoreAccumulator() });
  const method = (id: string) => methods.find((m) => m.id === id)!.acc;

  const pool = o.model === undefined ? undefined : await DecomposePool.create({
    modelPath: o.model,
    provider: o.provider,
    workers: o.workers,
    threads: o.threads,
    workerFile: o.workerFile,
    warn: (m) => o.log.warn(m),
  });
  const progress = new Progress(o.log, 'eval', set.samples.length, 'samples');
  let missingGt = 0;
  try {
    // Submissions go through one gate: pool.ready() then pool.run() without another submission in
    // between, so the pool's in-flight bound holds however many runs a sample starts.
    let gate: Promise<unknown> = Promise.resolve();
    const runModel = (sample: EvalSample, guidance: GuidanceMap, n: number): Promise<MetricFrame[]> => {
      const { width, height } = sample.blurry;
      const task = { index: n, width, height, rgb: sample.blurry.data, guidance: guidance.data, tile: 0, consistency: o.consistency };
      const started = gate.then(() => pool!.ready()).then(() => ({ result: pool!.run(task) }));
      gate = started.catch(() => undefined);
      return started.then(async ({ result }) => splitFrames((await result).frames, width, height));
    };
    // Load a sample and start all its model runs (the pool works while the previous sample is scored).
    const prepare = async (n: number) => {
      const ref = set.samples[n]!;
      const sample = await loadSample(set, ref, { guidance: true, previous: o.guidance === 'video', crop: o.crop });
      if (!sample.guidance) {
        if (o.guidance === 'gt' && pool) throw new InputError(guidancePath(set.root, ref.video, ref.index, set.layout), 'Ground-truth guidance missing');
        missingGt++;
      }
      const maps = o.source ? await o.source.guidance(sample, o.guidance === 'predict' ? o.samples : 1, sampleSeed(o.seed, ref.video, ref.index)) : [];
      const runs = await Promise.all([sample.guidance, ...maps].map((g) => (g && pool ? runModel(sample, g, n) : undefined)));
      return { sample, gt: runs[0], others: runs.slice(1) as MetricFrame[][] };
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
      if (o.guidance === 'video') method('video').add(sample.video, score(others[0]!));
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
  if (o.guidance === 'video') {
    notes.push(`Guidance from video: motion from the previous blurry frame to the current one (${o.source?.description ?? 'flow'}); the first frame of each video is skipped.`);
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
    predictor: o.guidance === 'predict' && o.predictor ? basename(o.predictor) : undefined,
    seed: o.seed,
    methods: reports,
    lpips: { computed: false, reason: LPIPS_NOTE },
    psnrCapDb: PSNR_CAP_DB,
    notes,
    elapsedSeconds: Math.round((performance.now() - start) / 100) / 10,
  };
}
