// Where each frame's motion comes from, as one abstraction for `afb video`, `afb decompose` and
// `afb eval`: the motion field (how far and which way, pixels per frame interval) when it is known,
// and always the paper's quantised guidance derived from it (or given directly).
//   video    optical flow to the neighbouring frames (motion + guidance)
//   file     a motion file .flo/.npy (motion + guidance), or a guidance file .npy/.png/labelme .json (guidance only)
//   predict  the guidance predictor, N samples (guidance only)
import { readFile } from 'node:fs/promises';
import { FormatError, InputError } from '../errors.js';
import { createFlowEstimator, type FlowBackend, type FlowEstimator } from '../flow/estimator.js';
import { checkGuidanceFits, readGuidance } from '../io/guidance-io.js';
import { parseLabelme, readLabelmeGuidance } from '../io/labelme-io.js';
import { readMotionFile } from '../io/motion-io.js';
import type { Logger } from '../log.js';
import { quantizeFlow } from '../math/guidance.js';
import { resizeGuidanceNearest } from '../math/guidance-resize.js';
import type { MotionField } from '../math/motion/motion-field.js';
import type { GuidanceMap, RgbImage } from '../math/types.js';
import { GuidancePredictor } from '../runtime/predictor.js';
import type { Provider } from '../runtime/session.js';
import { motionFromNeighbours, type MotionNeighbours } from './video-motion.js';

/** A frame's motion: always the guidance; the motion field too when the source knows it. */
export interface FrameMotion {
  readonly guidance: GuidanceMap;
  readonly motion?: MotionField;
}

/** A frame and its neighbours (missing at the ends of a clip). */
export interface MotionRequest {
  readonly index: number;
  readonly prev?: RgbImage;
  readonly cur: RgbImage;
  readonly next?: RgbImage;
}

/** Produces each frame's motion; release() frees models. */
export interface MotionSource {
  readonly description: string;
  /** True when the source knows how far things moved (a motion field), false when only which way. */
  readonly knowsMotion: boolean;
  /** Set when the motion comes from the neighbouring frames through the built-in flow: then the
   * decomposition workers can compute it from the neighbours they are sent (the main thread stays free). */
  readonly workerNeighbours?: MotionNeighbours;
  /** `samples` alternatives for one frame (only the predictor gives more than one). */
  frameMotion(request: MotionRequest, samples?: number, seed?: number): Promise<FrameMotion[]>;
  release(): Promise<void>;
}

/** How to get motion: 'video', 'predict', or a file (.flo/.npy motion; .npy/.png/.json guidance). */
export interface MotionSpec {
  readonly mode: string;
  readonly flow?: FlowBackend;
  readonly flowModel?: string;
  readonly neighbours?: MotionNeighbours;
  readonly predictorPath?: string;
  readonly seed?: number;
  readonly provider?: Provider;
  readonly threads?: number;
  readonly log: Logger;
}

/** Zero (static) guidance of a size. */
export function staticGuidance(width: number, height: number): GuidanceMap {
  return { width, height, channels: 2, data: new Int8Array(width * height * 2) };
}

/** Guidance of a motion field: the paper's 4-direction quantiser (0.5 px static threshold). */
export function withGuidance(motion: MotionField): FrameMotion {
  return { motion, guidance: quantizeFlow(motion) };
}

class VideoMotion implements MotionSource {
  readonly knowsMotion = true;
  readonly workerNeighbours?: MotionNeighbours;
  private warned = false;
  constructor(private readonly estimator: FlowEstimator, private readonly neighbours: MotionNeighbours, private readonly log: Logger, builtin: boolean) {
    if (builtin) this.workerNeighbours = neighbours;
  }
  get description(): string {
    const which = this.neighbours === 'both' ? 'both neighbouring frames (mean)' : `the ${this.neighbours} frame`;
    return `optical flow to ${which} (${this.estimator.description})`;
  }
  async frameMotion(r: MotionRequest): Promise<FrameMotion[]> {
    const motion = await motionFromNeighbours(this.estimator, r, this.neighbours);
    if (!motion) {
      if (!this.warned) this.log.warn('a single-frame input has no neighbour to take motion from: treating it as static');
      this.warned = true;
      return [{ guidance: staticGuidance(r.cur.width, r.cur.height) }];
    }
    return [withGuidance(motion)];
  }
  release(): Promise<void> {
    return this.estimator.release();
  }
}

class PredictedMotion implements MotionSource {
  readonly description = 'guidance predictor (directions only)';
  readonly knowsMotion = false;
  constructor(private readonly predictor: GuidancePredictor, private readonly seed: number) {}
  async frameMotion(r: MotionRequest, samples = 1, seed = this.seed): Promise<FrameMotion[]> {
    return (await this.predictor.sample(r.cur, samples, seed)).map((guidance) => ({ guidance }));
  }
  release(): Promise<void> {
    return this.predictor.release();
  }
}

/** One file for every frame, resized to each frame size (nearest for guidance, scaled vectors for motion). */
class FileMotion implements MotionSource {
  private readonly resized = new Map<string, FrameMotion>();
  constructor(readonly description: string, readonly knowsMotion: boolean, private readonly load: (width: number, height: number) => Promise<FrameMotion>) {}
  async frameMotion(r: MotionRequest): Promise<FrameMotion[]> {
    const key = `${r.cur.width}x${r.cur.height}`;
    let m = this.resized.get(key);
    if (!m) {
      m = await this.load(r.cur.width, r.cur.height);
      this.resized.set(key, m);
    }
    return [m];
  }
  async release(): Promise<void> {}
}

/** Channels of the guidance the decomposition network takes: (x, y), 4 directions. */
export const MODEL_GUIDANCE_CHANNELS = 2;

/**
 * Read a guidance file for an image of `width` x `height`: .npy / .png (reference formats) or a
 * labelme .json (rasterised on the annotated image's grid), checked against the image (channels
 * the network takes; same size, half size or the same shape; see checkGuidanceFits) before any
 * work starts, then resized (nearest) to the frame size. InputError naming the file otherwise.
 */
export async function readGuidanceFile(path: string, width: number, height: number): Promise<GuidanceMap> {
  const lower = path.toLowerCase();
  if (lower.endsWith('.npy') || lower.endsWith('.png')) return readGuidance(path, { width, height, channels: MODEL_GUIDANCE_CHANNELS });
  if (lower.endsWith('.json')) {
    let parsedSize: { width?: number; height?: number };
    try {
      parsedSize = parseLabelme(await readFile(path, 'utf8'));
    } catch (cause) {
      if (!(cause instanceof FormatError) && !(cause as NodeJS.ErrnoException).code) throw cause;
      throw new InputError(path, `Cannot read labelme annotation (${(cause as Error).message})`, { cause });
    }
    // Shapes are in the annotated image's pixels: rasterise there, then scale to the frame.
    const grid = parsedSize.width && parsedSize.height ? {} : { width, height };
    const g = await readLabelmeGuidance(path, grid);
    checkGuidanceFits(g, path, width, height, MODEL_GUIDANCE_CHANNELS);
    return resizeGuidanceNearest(g, width, height);
  }
  throw new InputError(path, 'Guidance files must be .npy, .png or labelme .json');
}

/** A motion source reading a motion file (.flo/.npy, pixels per frame interval). */
export function motionFileSource(path: string): MotionSource {
  return new FileMotion(`motion file ${path}`, true, async (w, h) => withGuidance(await readMotionFile(path, w, h)));
}

/** Build the source for a spec. */
export async function createMotionSource(spec: MotionSpec): Promise<MotionSource> {
  if (spec.mode === 'video') {
    const backend = spec.flow ?? 'builtin';
    const estimator = await createFlowEstimator({
      backend,
      ...(spec.flowModel ? { modelPath: spec.flowModel } : {}),
      ...(spec.provider ? { provider: spec.provider } : {}),
      ...(spec.threads ? { threads: spec.threads } : {}),
      log: spec.log,
    });
    return new VideoMotion(estimator, spec.neighbours ?? 'both', spec.log, backend === 'builtin');
  }
  if (spec.mode === 'predict') {
    if (!spec.predictorPath) throw new InputError('--predictor', 'A guidance predictor model is needed for --guidance predict');
    const predictor = await GuidancePredictor.create(spec.predictorPath, { provider: spec.provider ?? 'cpu', ...(spec.threads ? { threads: spec.threads } : {}), warn: (m) => spec.log.warn(m) });
    return new PredictedMotion(predictor, spec.seed ?? 0);
  }
  return new FileMotion(`guidance file ${spec.mode}`, false, async (w, h) => ({ guidance: await readGuidanceFile(spec.mode, w, h) }));
}
