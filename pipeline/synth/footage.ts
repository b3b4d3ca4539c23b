// `afb synth INPUT...`: blur datasets from sharp high-frame-rate footage. Names the videos,
// assigns splits, guards resume with the manifest, runs inputs with bounded concurrency.
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, extname, resolve } from 'node:path';
import { createFlowEstimator, type FlowBackend } from '../flow/estimator.js';
import { OutputError } from '../errors.js';
import { ensureWritableDir } from '../io/atomic.js';
import { openFrameSource } from '../io/frame-source.js';
import { blurPath, hashConfig, readManifest, writeManifest, writeVideoList, type DatasetManifest, type DatasetSplit } from '../io/dataset-layout.js';
import { Progress, type Logger } from '../log.js';
import { removeDatasetIndex, removeDroppedVideos } from './dataset-index.js';
import { synthesizeFootageVideo, type FootageSettings, type FootageVideoResult } from './footage-video.js';
import type { SynthRunSummary } from './run-summary.js';

/** Version of the footage synthesiser: bump it whenever the same config would give different files. */
export const FOOTAGE_GENERATOR_VERSION = 2;

/** Resolved options of a footage run. */
export interface FootageRunOptions {
  readonly inputs: readonly string[];
  readonly root: string;
  readonly settings: FootageSettings;
  /** Split of every video, unless validFraction > 0. */
  readonly split: DatasetSplit;
  /** Fraction of the videos (evenly spread over the sorted names) listed as valid. */
  readonly validFraction: number;
  readonly flowBackend: FlowBackend;
  readonly flowModel?: string;
  readonly force: boolean;
  readonly workers: number;
  readonly log: Logger;
  readonly signal?: AbortSignal;
}

/** Folder names for the inputs: base names made safe, duplicates numbered. */
export function videoNames(inputs: readonly string[]): string[] {
  const used = new Map<string, number>();
  return inputs.map((input) => {
    const base = basename(input.replace(/[\\/]+$/, ''), extname(input)).replace(/[^A-Za-z0-9._-]+/g, '_') || 'video';
    const n = (used.get(base) ?? 0) + 1;
    used.set(base, n);
    return n === 1 ? base : `${base}-${n}`;
  });
}

/** Split of each name: sorted names, video k is valid when floor((k+1) f) > floor(k f) (evenly spread). */
export function assignSplits(names: readonly string[], split: DatasetSplit, validFraction: number): DatasetSplit[] {
  if (!(validFraction > 0)) return names.map(() => split);
  const order = names.map((n, i) => [n, i] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const out: DatasetSplit[] = names.map(() => 'train');
  order.forEach(([, i], k) => { if (Math.floor((k + 1) * validFraction) > Math.floor(k * validFraction)) out[i] = 'valid'; });
  return out;
}

/** Blurry frames a clip of `frames` input frames yields: sub-frames (frames-1) K + 1, windows of `window` every window + gap. */
export function expectedSamples(frames: number, interpolate: number, window: number, gap: number): number {
  const subframes = frames <= 0 ? 0 : (frames - 1) * interpolate + 1;
  return subframes >= window ? Math.floor((subframes - window) / (window + gap)) + 1 : 0;
}

/** What a run did. */
export interface FootageRunSummary extends SynthRunSummary {
  readonly videos: readonly FootageVideoResult[];
}

/** A checked footage run: absolute inputs, their video names, and the manifest to write. */
export interface FootagePlan {
  readonly inputs: string[];
  readonly names: string[];
  readonly configHash: string;
  /** Samples still to write (the inputs were probed). */
  readonly expected: number;
  /** No dataset was there before this run. */
  readonly fresh: boolean;
  /** The manifest for the blurry frames per video found so far, complete or not. */
  manifest(framesPerVideo: Record<string, number>, complete: boolean): DatasetManifest;
}

/**
 * Name the videos, assign splits, check the manifest (resume, or refuse a changed config), probe
 * the inputs (a bad one fails before anything is written), drop the videos a forced run no longer
 * lists, write the split lists and an incomplete manifest. Shared by the local run and `afb synth --queue`.
 */
export async function prepareFootage(o: Omit<FootageRunOptions, 'workers' | 'log' | 'signal'>): Promise<FootagePlan> {
  const inputs = o.inputs.map((p) => resolve(p));
  const inputSizes: number[] = [];
  for (const p of inputs) inputSizes.push((await stat(p).catch(() => ({ size: -1 }))).size);
  const names = videoNames(o.inputs);
  const splitOf = assignSplits(names, o.split, o.validFraction);
  const settings = { generator: 'footage', generatorVersion: FOOTAGE_GENERATOR_VERSION, ...o.settings, flowBackend: o.flowBackend, flowModel: o.flowModel ?? null };
  // Each input by its file name and size, not its absolute path: the same clips in another folder or
  // another clone are the same dataset (resume works, the hash in a report can be reproduced).
  const config = { ...settings, inputs: inputs.map((p, i) => ({ file: basename(p), bytes: inputSizes[i], video: names[i], split: splitOf[i] })) };
  const configHash = hashConfig(config);
  await ensureWritableDir(o.root);
  const previous = await readManifest(o.root);
  // datasets written before this rule hashed the absolute paths: same inputs, same place, same dataset
  const legacyHash = hashConfig({ ...settings, inputs: inputs.map((p, i) => ({ path: p, bytes: inputSizes[i], video: names[i], split: splitOf[i] })) });
  if (previous && previous.configHash !== configHash && previous.configHash !== legacyHash && !o.force) {
    throw new OutputError(o.root, `The dataset was made with a different config (hash ${previous.configHash}, now ${configHash}); use --force to regenerate it, or another output folder`);
  }
  const splits: Record<DatasetSplit, string[]> = { train: names.filter((_, i) => splitOf[i] === 'train'), valid: names.filter((_, i) => splitOf[i] === 'valid') };
  const duty = o.settings.window / (o.settings.window + o.settings.gap);
  const dutyCycles = Object.fromEntries(names.map((n) => [n, duty]));
  const manifest = (framesPerVideo: Record<string, number>, complete: boolean): DatasetManifest => ({
    format: 'afb-dataset', version: 1, generator: 'footage', layout: o.settings.layout, config, configHash,
    counts: { videos: names.length, samples: Object.values(framesPerVideo).reduce((a, b) => a + b, 0), train: splits.train.length, valid: splits.valid.length },
    splits, framesPerVideo, dutyCycles, complete, updatedAt: new Date().toISOString(),
  });
  // probe the inputs (no decoding) for the expected number of samples: progress with an ETA
  let expected = 0;
  for (let k = 0; k < inputs.length; k++) {
    const src = await openFrameSource(inputs[k]!, { resize: o.settings.resize });
    await src.close();
    const n = expectedSamples(src.info.frameCount, o.settings.interpolate, o.settings.window, o.settings.gap);
    for (let w = 0; w < n; w++) if (o.force || !existsSync(blurPath(o.root, names[k]!, w))) expected++;
  }
  if (o.force) await removeDroppedVideos(o.root, previous, names);
  await writeVideoList(o.root, 'train', splits.train);
  await writeVideoList(o.root, 'valid', splits.valid);
  await writeManifest(o.root, manifest({}, false));
  return { inputs, names, configHash, expected, fresh: previous === undefined, manifest };
}

/** Synthesise (or resume) a dataset from footage. */
export async function runFootage(o: FootageRunOptions): Promise<FootageRunSummary> {
  const flow = await createFlowEstimator({ backend: o.flowBackend, modelPath: o.flowModel, log: o.log });
  let plan: FootagePlan;
  try {
    plan = await prepareFootage(o);
  } catch (error) {
    await flow.release();
    throw error;
  }
  const { inputs, names, configHash, manifest: manifestOf } = plan;
  const framesPerVideo: Record<string, number> = {};
  const manifest = (complete: boolean) => manifestOf(framesPerVideo, complete);
  o.log.info(`synth: ${names.length} input(s), window ${o.settings.window} + gap ${o.settings.gap}, interpolate x${o.settings.interpolate}, flow ${flow.description}, config ${configHash}`);
  const progress = new Progress(o.log, 'synth', plan.expected, 'samples');
  const start = Date.now();
  const results: FootageVideoResult[] = new Array(names.length);
  try {
    let next = 0;
    // inputs are independent: up to `workers` decode/accumulate concurrently (each has its own ffmpeg)
    const lane = async () => {
      while (next < inputs.length) {
        const k = next++;
        const r = await synthesizeFootageVideo(inputs[k]!, o.root, names[k]!, o.settings, { flow, log: o.log, force: o.force, signal: o.signal, onSample: () => progress.tick() });
        results[k] = r;
        framesPerVideo[names[k]!] = r.samples;
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(o.workers, inputs.length)) }, lane));
  } catch (error) {
    // A new dataset with no sample done: leave no lists or manifest behind (a resumable one keeps them).
    if (plan.fresh && progress.count === 0) await removeDatasetIndex(o.root).catch(() => undefined);
    throw error;
  } finally {
    await flow.release();
  }
  progress.finish();
  await writeManifest(o.root, manifest(true));
  const seconds = (Date.now() - start) / 1000;
  const written = results.reduce((a, r) => a + r.written, 0);
  return {
    root: o.root, videos: results, samples: results.reduce((a, r) => a + r.samples, 0), written,
    skipped: results.reduce((a, r) => a + r.skipped, 0), seconds, samplesPerSecond: written / Math.max(seconds, 1e-9), configHash,
  };
}
