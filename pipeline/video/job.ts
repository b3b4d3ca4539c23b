// The shape of one conversion: the job (resolved options), the machinery it runs on, and what it
// reports. Kept apart from convert.ts so that the steps before it (prepare-input.ts, session.ts)
// can name them without importing the conversion itself.
import type { DecomposeMethod } from '../../configs/model-options.js';
import type { PixFmt, Preset, VideoCodec } from '../../configs/codec-options.js';
import type { DecomposePool } from '../frame/pool.js';
import type { Logger } from '../log.js';
import type { Rational } from '../math/types.js';
import type { MotionSource } from '../motion/source.js';

/** Everything about one conversion (resolved options). */
export interface VideoJob {
  readonly input: string;
  readonly output: string;
  readonly slowmo: boolean;
  /** Frame rate of an image-folder input. */
  readonly fps?: Rational;
  readonly start?: number;
  readonly duration?: number;
  readonly maxFrames?: number;
  /** Tile side; 0 = whole frames; 'auto' = by memory budget. */
  readonly tile: number | 'auto';
  readonly consistency: boolean;
  /** How each frame is decomposed (learned/physics need a source that knows the motion). */
  readonly method: DecomposeMethod;
  /** Exposure fraction, or 'auto': estimated from the first frames and their motion. */
  readonly exposure: number | 'auto';
  /** Learned method: self-ensemble size (1, 2, 4, 8; default 1). */
  readonly ensemble?: number;
  readonly codec: VideoCodec;
  readonly crf: number;
  readonly preset: Preset;
  readonly pixFmt: PixFmt;
}

/** Shared machinery: the pool, a motion-source factory, logging and cancellation. */
export interface VideoDeps {
  readonly pool: DecomposePool;
  /** Where each frame's motion comes from; motion from the neighbours with the built-in flow is
   * computed in the workers (source.workerNeighbours), the main thread stays free to feed them. */
  readonly createMotion: () => Promise<MotionSource>;
  readonly log: Logger;
  readonly signal?: AbortSignal;
  /** Memory one worker may use for inference (its share of --memory), for --tile auto; Infinity = no limit. */
  readonly tileBudgetBytes: number;
  /** Show a progress line/bar. */
  readonly progress: boolean;
  /** Told the output frames written so far and the expected total (from the probe), after each input frame. */
  readonly onFrames?: (framesDone: number, framesTotal: number) => void;
}

/** Per-stage wall time in milliseconds (stages overlap: these are totals, not a partition). */
export interface StageTimes {
  decode: number;
  flow: number;
  /** Sum over frames of the physical decomposition (in the workers, in parallel). */
  physics: number;
  /** Sum over frames of the time inside onnxruntime (in the workers, in parallel). */
  inference: number;
  encode: number;
}

/** What a conversion did. */
export interface VideoSummary {
  readonly input: string;
  readonly output: string;
  readonly width: number;
  readonly height: number;
  readonly inputFrames: number;
  readonly outputFrames: number;
  readonly inputFps: string;
  readonly outputFps: string;
  readonly seconds: number;
  /** Output frames per second of wall time. */
  readonly outputFramesPerSecond: number;
  /** Input frames per second after the first round of frames was written (no start-up cost). */
  readonly steadyInputFramesPerSecond: number;
  readonly stages: StageTimes;
  /** The tile used: "off", a side, or WxH from --tile auto. */
  readonly tile: string;
  /** The motion source, the method and the exposure used. */
  readonly guidance: string;
  readonly method: DecomposeMethod;
  readonly exposure: number;
  /** Mean absolute change made by --consistency (8-bit levels), when on. */
  readonly consistencyChange?: number;
}
