// `afb synth --procedural`: plan the videos of a procedural dataset, check the manifest (resume or
// refuse a changed config), render the missing samples in parallel, write lists and manifest.
import { OutputError } from '../errors.js';
import {
  hashConfig, readManifest, writeManifest, writeVideoList,
  type DatasetLayout, type DatasetManifest, type DatasetSplit, type MotionKind,
} from '../io/dataset-layout.js';
import { ensureWritableDir } from '../io/atomic.js';
import { Progress, type Logger } from '../log.js';
import { deriveSeed } from '../math/prng.js';
import { validateProceduralConfig, type ProceduralConfig } from '../math/procedural/config.js';
import { drawDutyCycle } from '../math/procedural/scene-plan.js';
import { listPoolPhotos } from './photo-pool.js';
import { isSampleComplete, renderProceduralVideo, type ProceduralVideoResult, type ProceduralVideoTask } from './procedural-video.js';
import { removeDatasetIndex, removeDroppedVideos } from './dataset-index.js';
import { runTasks } from './task-runner.js';
import type { SynthRunSummary } from './run-summary.js';

/** Everything a procedural run needs (resolved options). */
export interface ProceduralRunOptions {
  readonly root: string;
  readonly photosDir: string;
  readonly count: number;
  readonly seed: number;
  readonly split: DatasetSplit;
  readonly config: ProceduralConfig;
  readonly layout: DatasetLayout;
  readonly pngLevel: number;
  /** Motion files to write besides the reference layout (exact scene motion, motion estimated from video). */
  readonly motionFiles?: readonly MotionKind[];
  readonly force: boolean;
  readonly workers: number;
  readonly log: Logger;
  readonly signal?: AbortSignal;
  /** Override of the compiled worker file (tests). */
  readonly workerFile?: string;
}

/** What a run did. */
export interface ProceduralRunSummary extends SynthRunSummary {
  readonly videos: number;
  readonly mode: 'workers' | 'in-process';
}

/** Version of the procedural renderer: bump it whenever the same config would render different pixels. */
export const PROCEDURAL_GENERATOR_VERSION = 1;

/** Name of procedural video v of a split. */
export function proceduralVideoName(split: DatasetSplit, v: number): string {
  return `proc-${split}-${String(v).padStart(5, '0')}`;
}

/** A checked, planned procedural run: the tasks still to render and the manifest to write. */
export interface ProceduralPlan {
  readonly tasks: ProceduralVideoTask[];
  readonly nVideos: number;
  readonly skipped: number;
  readonly configHash: string;
  readonly photos: number;
  /** No dataset was there before this run. */
  readonly fresh: boolean;
  /** The manifest, complete or not (written by whoever finishes the run). */
  manifest(complete: boolean): DatasetManifest;
}

/**
 * Check the config and the manifest (resume, or refuse a changed config), plan the videos, write
 * the split lists and an incomplete manifest. Shared by the local run and `afb synth --queue`.
 */
export async function prepareProcedural(o: Omit<ProceduralRunOptions, 'workers' | 'log' | 'signal' | 'workerFile'>): Promise<ProceduralPlan> {
  validateProceduralConfig(o.config);
  const motionFiles = o.motionFiles ?? [];
  const photos = await listPoolPhotos(o.photosDir);
  // everything that changes pixels or names; not the count (growing a dataset keeps its samples)
  const config = {
    generator: 'procedural', generatorVersion: PROCEDURAL_GENERATOR_VERSION, seed: o.seed, split: o.split, layout: o.layout, ...o.config,
    ...(motionFiles.length > 0 ? { motionFiles: [...motionFiles].sort() } : {}),
    photos: photos.map((p) => `${p.name}:${p.width}x${p.height}`),
  };
  const configHash = hashConfig(config);
  await ensureWritableDir(o.root);
  const previous = await readManifest(o.root);
  if (previous && previous.configHash !== configHash && !o.force) {
    throw new OutputError(o.root, `The dataset was made with a different config (hash ${previous.configHash}, now ${configHash}); use --force to regenerate it, or another output folder`);
  }
  const fpv = o.config.framesPerVideo;
  const nVideos = Math.ceil(o.count / fpv);
  const videos = Array.from({ length: nVideos }, (_, v) => proceduralVideoName(o.split, v));
  if (o.force) await removeDroppedVideos(o.root, previous, videos);
  const framesPerVideo: Record<string, number> = {};
  const dutyCycles: Record<string, number> = {};
  const tasks: ProceduralVideoTask[] = [];
  let skipped = 0;
  videos.forEach((video, v) => {
    const len = Math.min(fpv, o.count - v * fpv);
    framesPerVideo[video] = len;
    dutyCycles[video] = drawDutyCycle(deriveSeed(o.seed, v), o.config);
    let exposures: number[] = [];
    for (let i = 0; i < len; i++) {
      if (!o.force && isSampleComplete(o.root, video, i)) skipped++;
      else exposures.push(i);
    }
    // motion from video reads each frame's neighbours: an incomplete video is rendered whole again
    // (the same bytes: rendering is deterministic)
    if (motionFiles.includes('video') && exposures.length > 0 && exposures.length < len) {
      skipped -= len - exposures.length;
      exposures = Array.from({ length: len }, (_, i) => i);
    }
    if (exposures.length > 0) {
      tasks.push({ root: o.root, video, seed: deriveSeed(o.seed, v), config: o.config, photos, exposures, layout: o.layout, pngLevel: o.pngLevel, motionFiles });
    }
  });
  const splits: Record<DatasetSplit, string[]> = { train: o.split === 'train' ? videos : [], valid: o.split === 'valid' ? videos : [] };
  const manifest = (complete: boolean): DatasetManifest => ({
    format: 'afb-dataset', version: 1, generator: 'procedural', layout: o.layout, config, configHash,
    counts: { videos: nVideos, samples: o.count, train: splits.train.length, valid: splits.valid.length },
    splits, framesPerVideo, dutyCycles, complete, updatedAt: new Date().toISOString(),
  });
  await writeVideoList(o.root, 'train', splits.train);
  await writeVideoList(o.root, 'valid', splits.valid);
  await writeManifest(o.root, manifest(false));
  return { tasks, nVideos, skipped, configHash, photos: photos.length, manifest, fresh: previous === undefined };
}

/** Generate (or resume) a procedural dataset. */
export async function runProcedural(o: ProceduralRunOptions): Promise<ProceduralRunSummary> {
  const { tasks, nVideos, skipped, configHash, photos, manifest, fresh } = await prepareProcedural(o);
  const todo = o.count - skipped;
  o.log.info(`synth: ${o.count} samples in ${nVideos} videos (${skipped} already complete, ${todo} to render) from ${photos} photos, ${o.config.width}x${o.config.height}, config ${configHash}`);
  const progress = new Progress(o.log, 'synth', todo, 'samples');
  const start = Date.now();
  let written = 0;
  let mode: 'workers' | 'in-process';
  try {
    ({ mode } = await runTasks<ProceduralVideoTask, ProceduralVideoResult>(tasks, {
      workers: o.workers,
      runLocal: renderProceduralVideo,
      onDone: (r) => { written += r.written; progress.tick(r.written); },
      signal: o.signal,
      workerFile: o.workerFile,
    }));
  } catch (error) {
    // A new dataset with no sample done: leave no lists or manifest behind (a resumable one keeps them).
    if (fresh && written === 0) await removeDatasetIndex(o.root).catch(() => undefined);
    throw error;
  }
  progress.finish();
  await writeManifest(o.root, manifest(true));
  const seconds = (Date.now() - start) / 1000;
  return { root: o.root, videos: nVideos, samples: o.count, written, skipped, seconds, samplesPerSecond: written / Math.max(seconds, 1e-9), configHash, mode };
}
