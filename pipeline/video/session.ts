// What `afb video` and `afb worker` share around convertVideo: checking the resolved options
// before any process starts, the per-input job record and the pipeline dependencies.
import { access } from 'node:fs/promises';
import { VIDEO_OPTIONS } from '../../configs/video-options.js';
import type { OptionValues } from '../../configs/option-schema.js';
import { InputError, InvalidOptionError } from '../errors.js';
import type { Logger } from '../log.js';
import type { DecomposePool } from '../frame/pool.js';
import { memoryBudgetBytes } from '../frame/tile-policy.js';
import type { VideoDeps, VideoJob } from './convert.js';
import { resolveModelPath } from './defaults.js';
import { createGuidanceProvider } from './guidance-provider.js';

/** The resolved options of `afb video` (and of a queued video job). */
export type VideoOptions = OptionValues<typeof VIDEO_OPTIONS>;

/** Model files an option set needs, checked to exist. */
export interface VideoModels {
  readonly modelPath: string;
  readonly predictorPath?: string;
}

/** A guidance file must exist before anything starts (the option record checked its form). */
async function checkGuidanceMode(mode: string): Promise<void> {
  if (mode === 'video' || mode === 'predict') return;
  await access(mode).catch((cause: unknown) => {
    throw new InputError(mode, 'Guidance file not found', { cause });
  });
}

/** Check the options that name files or need each other; typed errors before any process starts. */
export async function checkVideoOptions(o: VideoOptions): Promise<VideoModels> {
  const modelPath = resolveModelPath(o.model);
  await checkGuidanceMode(o.guidance);
  const predictorPath = o.guidance === 'predict' ? resolveModelPath(o.predictor, 'predictor') : undefined;
  if (o.flow === 'raft' && !o.flowModel) throw new InvalidOptionError('--flow-model', 'a RAFT .onnx file with --flow raft', o.flowModel);
  return { modelPath, ...(predictorPath ? { predictorPath } : {}) };
}

/** The conversion record of one input -> output pair. */
export function videoJobFor(input: string, output: string, o: VideoOptions): VideoJob {
  return {
    input, output, slowmo: o.slowmo, tile: o.tile, consistency: o.consistency,
    codec: o.codec, crf: o.crf, preset: o.preset, pixFmt: o.pixFmt,
    ...(o.fps ? { fps: o.fps } : {}),
    ...(o.start !== undefined ? { start: o.start } : {}),
    ...(o.duration !== undefined ? { duration: o.duration } : {}),
    ...(o.maxFrames !== undefined ? { maxFrames: o.maxFrames } : {}),
  };
}

/** The pipeline dependencies for a pool and an option set. */
export function videoDepsFor(
  o: VideoOptions,
  models: VideoModels,
  pool: DecomposePool,
  env: { readonly workers: number; readonly totalMemory: number; readonly log: Logger; readonly progress: boolean; readonly signal?: AbortSignal },
): VideoDeps {
  const { log } = env;
  return {
    pool,
    log,
    ...(env.signal ? { signal: env.signal } : {}),
    progress: env.progress,
    // The built-in flow runs in the workers: the main thread stays free to feed them.
    workerFlow: o.guidance === 'video' && o.flow === 'builtin',
    tileBudgetBytes: memoryBudgetBytes(o.memory, env.workers, env.totalMemory) / env.workers,
    createGuidance: (width, height) => createGuidanceProvider({
      mode: o.guidance, flow: o.flow, seed: o.seed, provider: o.provider, log,
      ...(o.flowModel ? { flowModel: o.flowModel } : {}),
      ...(models.predictorPath ? { predictorPath: models.predictorPath } : {}),
    }, width, height),
  };
}
