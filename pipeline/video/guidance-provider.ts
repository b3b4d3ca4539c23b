// Where each frame's motion guidance comes from: optical flow to the neighbouring frame
// ('video'), the guidance predictor ('predict'), or one file for every frame.
import { GuidancePredictor } from '../runtime/predictor.js';
import { createFlowEstimator, type FlowBackend, type FlowEstimator } from '../flow/estimator.js';
import { guidanceForFrame } from '../flow/video-guidance.js';
import { FormatError, InputError } from '../errors.js';
import { readFile } from 'node:fs/promises';
import { checkGuidanceFits, readGuidance } from '../io/guidance-io.js';
import { parseLabelme, readLabelmeGuidance } from '../io/labelme-io.js';
import type { Logger } from '../log.js';
import { resizeGuidanceNearest } from '../math/guidance-resize.js';
import type { GuidanceMap, RgbImage } from '../math/types.js';
import type { Provider } from '../runtime/session.js';

/** A frame and its neighbours (missing at the ends of a clip). */
export interface GuidanceRequest {
  readonly index: number;
  readonly prev?: RgbImage;
  readonly cur: RgbImage;
  readonly next?: RgbImage;
}

/** Produces the guidance of each frame; release() frees models. */
export interface GuidanceProvider {
  readonly description: string;
  guidance(request: GuidanceRequest): Promise<GuidanceMap>;
  release(): Promise<void>;
}

/** How to get guidance: 'video', 'predict' or a file path (.npy, .png or labelme .json). */
export interface GuidanceSpec {
  readonly mode: string;
  readonly flow: FlowBackend;
  readonly flowModel?: string;
  readonly predictorPath?: string;
  readonly seed: number;
  readonly provider: Provider;
  readonly log: Logger;
}

/** Zero (static) guidance of a size. */
export function staticGuidance(width: number, height: number): GuidanceMap {
  return { width, height, channels: 2, data: new Int8Array(width * height * 2) };
}

class FlowGuidance implements GuidanceProvider {
  private warned = false;
  constructor(private readonly estimator: FlowEstimator, private readonly log: Logger) {}
  get description(): string {
    return `optical flow to the neighbouring frame (${this.estimator.description})`;
  }
  async guidance(r: GuidanceRequest): Promise<GuidanceMap> {
    if (!r.prev && !r.next) {
      if (!this.warned) this.log.warn('a single-frame input has no neighbour to take motion from: using static guidance');
      this.warned = true;
      return staticGuidance(r.cur.width, r.cur.height);
    }
    return guidanceForFrame(this.estimator, r);
  }
  release(): Promise<void> {
    return this.estimator.release();
  }
}

class PredictedGuidance implements GuidanceProvider {
  readonly description = 'guidance predictor (one latent sample for all frames)';
  constructor(private readonly predictor: GuidancePredictor, private readonly seed: number) {}
  async guidance(r: GuidanceRequest): Promise<GuidanceMap> {
    const [g] = await this.predictor.sample(r.cur, 1, this.seed);
    return g!;
  }
  release(): Promise<void> {
    return this.predictor.release();
  }
}

class FileGuidance implements GuidanceProvider {
  private readonly resized = new Map<string, GuidanceMap>();
  constructor(readonly description: string, private readonly map: GuidanceMap) {}
  async guidance(r: GuidanceRequest): Promise<GuidanceMap> {
    const key = `${r.cur.width}x${r.cur.height}`;
    let g = this.resized.get(key);
    if (!g) {
      g = resizeGuidanceNearest(this.map, r.cur.width, r.cur.height);
      this.resized.set(key, g);
    }
    return g;
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

/** Build the provider for a spec; `width`/`height` size file guidance (labelme needs it). */
export async function createGuidanceProvider(spec: GuidanceSpec, width: number, height: number): Promise<GuidanceProvider> {
  if (spec.mode === 'video') {
    const estimator = await createFlowEstimator({
      backend: spec.flow,
      ...(spec.flowModel ? { modelPath: spec.flowModel } : {}),
      provider: spec.provider,
      log: spec.log,
    });
    return new FlowGuidance(estimator, spec.log);
  }
  if (spec.mode === 'predict') {
    if (!spec.predictorPath) throw new InputError('--predictor', 'A guidance predictor model is needed for --guidance predict');
    return new PredictedGuidance(await GuidancePredictor.create(spec.predictorPath, { provider: spec.provider, warn: (m) => spec.log.warn(m) }), spec.seed);
  }
  return new FileGuidance(`file ${spec.mode}`, await readGuidanceFile(spec.mode, width, height));
}
