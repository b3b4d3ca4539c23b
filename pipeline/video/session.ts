// What `afb video` and `afb worker` share around convertVideo: checking the resolved options
// before any process starts, the per-input job record and the pipeline dependencies.
import { VIDEO_OPTIONS } from '../../configs/video-options.js';
import type { OptionValues } from '../../configs/option-schema.js';
import { InvalidOptionError } from '../errors.js';
import { checkFile } from '../io/check-file.js';
import type { Logger } from '../log.js';
import type { DecomposePool } from '../frame/pool.js';
import { memoryBudgetBytes } from '../frame/tile-policy.js';
import type { VideoDeps, VideoJob } from './job.js';
import { checkEnsembleMethod, type DecomposeMethod } from '../../configs/model-options.js';
import { createMotionSource } from '../motion/source.js';
import { resolveAutoMethod, resolveMethodModel, resolveModelPath } from './defaults.js';

/** The resolved options of `afb video` (and of a queued video job). */
export type VideoOptions = OptionValues<typeof VIDEO_OPTIONS>;

/** The method an option set runs and the model files it needs. */
export interface VideoModels {
  readonly method: DecomposeMethod;
  /** The method's network (none for physics). */
  readonly modelPath?: string;
  readonly predictorPath?: string;
  /** Every file the options name (models, guidance file): all read, none may be an output. */
  readonly files: readonly string[];
}

/** The pool's networks for a method: the guidance-conditioned or the motion-aware one (physics: none). */
export function poolModels(models: Pick<VideoModels, 'method' | 'modelPath'>): { modelPath?: string; motionModelPath?: string } {
  if (!models.modelPath) return {};
  return models.method === 'learned' ? { motionModelPath: models.modelPath } : { modelPath: models.modelPath };
}

/** Check the options that name files or need each other; typed errors before any process starts. */
export async function checkVideoOptions(o: VideoOptions): Promise<VideoModels> {
  const guidanceFile = o.guidance !== 'video' && o.guidance !== 'predict' ? o.guidance : undefined;
  if (guidanceFile) await checkFile(guidanceFile, 'Guidance file');
  // The motion is known only from video; a guidance file or the predictor give directions only.
  const method = await resolveAutoMethod(o.method, o.model, o.guidance === 'video');
  if (method !== 'guidance' && o.guidance !== 'video') {
    throw new InvalidOptionError('--method', `guidance with --guidance ${o.guidance} (learned and physics need the motion from video)`, method);
  }
  checkEnsembleMethod(o.ensemble, method);
  const modelPath = resolveMethodModel(method, o.model);
  const predictorPath = o.guidance === 'predict' ? resolveModelPath(o.predictor, 'predictor') : undefined;
  if (modelPath) await checkFile(modelPath, 'Model file');
  if (predictorPath) await checkFile(predictorPath, 'Predictor model file');
  const raftModel = o.guidance === 'video' && o.flow === 'raft' ? o.flowModel : undefined;
  if (o.guidance === 'video' && o.flow === 'raft') {
    if (!raftModel) throw new InvalidOptionError('--flow-model', 'a RAFT .onnx file with --flow raft', o.flowModel);
    await checkFile(raftModel, 'RAFT model file');
  }
  const files = [modelPath, guidanceFile, predictorPath, raftModel].filter((p): p is string => p !== undefined);
  return { method, ...(modelPath ? { modelPath } : {}), ...(predictorPath ? { predictorPath } : {}), files };
}

/** The conversion record of one input -> output pair. */
export function videoJobFor(input: string, output: string, o: VideoOptions, method: DecomposeMethod): VideoJob {
  return {
    input, output, slowmo: o.slowmo, tile: o.tile, consistency: o.consistency, method, exposure: o.exposure, ensemble: o.ensemble,
    codec: o.codec, crf: o.crf, preset: o.preset, pixFmt: o.pixFmt,
    ...(o.fps ? { fps: o.fps } : {}),
    ...(o.start !== undefined ? { start: o.start } : {}),
    ...(o.duration !== undefined ? { duration: o.duration } : {}),
    ...(o.maxFrames !== undefined ? { maxFrames: o.maxFrames } : {}),
  };
}

/** Where a run happens: its worker count, memory, logger, progress display and cancel signal. */
export interface VideoEnv {
  readonly workers: number;
  readonly totalMemory: number;
  readonly log: Logger;
  readonly progress: boolean;
  readonly signal?: AbortSignal;
}

/** The pipeline dependencies for a pool and an option set. */
export function videoDepsFor(o: VideoOptions, models: VideoModels, pool: DecomposePool, env: VideoEnv): VideoDeps {
  return { ...videoInputDepsFor(o, models, env), pool };
}

/** The dependencies that need no pool: enough to open and check an input (prepareInput) before the pool starts. */
export function videoInputDepsFor(o: VideoOptions, models: VideoModels, env: VideoEnv): Omit<VideoDeps, 'pool'> {
  const { log } = env;
  return {
    log,
    ...(env.signal ? { signal: env.signal } : {}),
    progress: env.progress,
    tileBudgetBytes: memoryBudgetBytes(o.memory, env.workers, env.totalMemory) / env.workers,
    // Motion from video with the built-in flow is computed in the workers (source.workerNeighbours).
    createMotion: () => createMotionSource({
      mode: o.guidance, flow: o.flow, seed: o.seed, provider: o.provider, log,
      ...(o.flowModel ? { flowModel: o.flowModel } : {}),
      ...(models.predictorPath ? { predictorPath: models.predictorPath } : {}),
    }),
  };
}
