// The motion-aware decomposition network behind its contract: blurry (1,3,H,W) sRGB in [0,1],
// motion (1,2,H,W) = motion over the exposure in pixels, physics (1,7,3,H,W) = the physical
// decomposition -> frames (1,7,3,H,W) in [0,1]. Pads to a multiple of 4 (reflect) and crops back;
// optionally averages a geometric self-ensemble (pipeline/math/self-ensemble.ts). The physics
// input is computed with the settings the network was trained on: the `physics` block of the
// model's sidecar (model.json beside model.onnx), afb's defaults when there is no sidecar.
import { readFile } from 'node:fs/promises';
import ort from 'onnxruntime-node';
import { ModelError } from '../errors.js';
import { PHYSICS_DEFAULTS, physicsOptionsFromSidecar, withoutExposure, type PhysicsOptions } from '../math/motion/physics.js';
import { ensembleTransforms, flipPlanes, transformFrames, transformMotion } from '../math/self-ensemble.js';
import { cropPlanar, hwcToPaddedChw, roundUpTo } from '../math/tensor-layout.js';
import { DECOMPOSER_OUTPUT, FRAMES_PER_BLUR, MODEL_MULTIPLE } from './decomposer.js';
import { OnnxModel } from './onnx-model.js';
import type { Provider, SessionOptions } from './session.js';

/** Input names of the motion-aware contract. */
export const MOTION_DECOMPOSER_INPUTS = ['blurry', 'motion', 'physics'] as const;

/** One ONNX motion-aware model; create with `MotionDecomposer.create`, free with `release()`. */
export class MotionDecomposer extends OnnxModel {
  /** Load a model with the inputs blurry, motion, physics and the output frames (ModelError otherwise). */
  static async create(path: string, options: SessionOptions = {}): Promise<MotionDecomposer> {
    const physics = await physicsOfModel(path, options.warn ?? ((m: string) => process.stderr.write(`warning: ${m}\n`)));
    return OnnxModel.openAs((s, p, provider) => new MotionDecomposer(s, p, provider, physics), path, options, MOTION_DECOMPOSER_INPUTS, [DECOMPOSER_OUTPUT]);
  }

  private constructor(
    session: ort.InferenceSession,
    path: string,
    provider: Provider,
    /** The settings of the network's `physics` input (from the sidecar; the exposure is per clip). */
    readonly physics: Omit<PhysicsOptions, 'exposure'>,
  ) {
    super(session, path, provider);
  }

  /**
   * Decompose one frame from interleaved inputs: `rgb` (3 channels, scaled by `rgbScale`),
   * `displacement` (2 channels: e * F), `physics` (21 channels per pixel, frame * 3 + rgb, sRGB
   * in [0,1]). Returns planar (7,3,h,w) frames. `ensemble` > 1 runs the network on that many
   * mirrored / time-reversed copies (ensembleTransforms) and averages the outputs mapped back.
   */
  async runHwc(rgb: ArrayLike<number>, rgbScale: number, displacement: ArrayLike<number>, physics: ArrayLike<number>, width: number, height: number, ensemble = 1): Promise<Float32Array> {
    const transforms = ensembleTransforms(ensemble);
    const pw = roundUpTo(width, MODEL_MULTIPLE);
    const ph = roundUpTo(height, MODEL_MULTIPLE);
    const n = width * height;
    if (rgb.length !== 3 * n || displacement.length !== 2 * n || physics.length !== 3 * FRAMES_PER_BLUR * n) {
      throw new RangeError(`Expected ${width}x${height} inputs but received ${rgb.length} RGB, ${displacement.length} motion and ${physics.length} physics values`);
    }
    const shapes = { blurry: [1, 3, ph, pw], motion: [1, 2, ph, pw], physics: [1, FRAMES_PER_BLUR, 3, ph, pw] };
    const blurry = hwcToPaddedChw(rgb, width, height, 3, pw, ph, rgbScale);
    const motion = hwcToPaddedChw(displacement, width, height, 2, pw, ph, 1);
    const phys = hwcToPaddedChw(physics, width, height, 3 * FRAMES_PER_BLUR, pw, ph, 1);
    let sum: Float32Array | undefined;
    for (const t of transforms) {
      const identity = !t.flipX && !t.flipY && !t.reverse;
      const feeds = {
        blurry: new ort.Tensor('float32', identity ? blurry : flipPlanes(blurry, 3, pw, ph, t.flipX, t.flipY), shapes.blurry),
        motion: new ort.Tensor('float32', identity ? motion : transformMotion(motion, pw, ph, t), shapes.motion),
        physics: new ort.Tensor('float32', identity ? phys : transformFrames(phys, FRAMES_PER_BLUR, 3, pw, ph, t), shapes.physics),
      };
      const output = await this.infer(feeds, [DECOMPOSER_OUTPUT], shapes);
      const frames = output[DECOMPOSER_OUTPUT] as ort.Tensor;
      const expected = [1, FRAMES_PER_BLUR, 3, ph, pw];
      if (frames.dims.length !== 5 || frames.dims.some((d, i) => d !== expected[i])) {
        throw new ModelError(this.path, `Output "frames" has shape [${frames.dims.join(', ')}], expected [${expected.join(', ')}]`, { inputShapes: shapes });
      }
      const data = frames.data as Float32Array;
      const back = identity ? data : transformFrames(data, FRAMES_PER_BLUR, 3, pw, ph, t);
      if (!sum) sum = transforms.length === 1 ? back : Float32Array.from(back);
      else for (let i = 0; i < sum.length; i++) sum[i]! += back[i]!;
    }
    if (transforms.length > 1) for (let i = 0; i < sum!.length; i++) sum![i]! /= transforms.length;
    return cropPlanar(sum!, FRAMES_PER_BLUR, 3, pw, ph, width, height);
  }
}

/** The physics without a sidecar: afb's defaults (the exposure is per clip). */
const DEFAULT_MODEL_PHYSICS = withoutExposure(PHYSICS_DEFAULTS);

/** The sidecar of a model file: model.json beside model.onnx. */
export function sidecarPathOf(modelPath: string): string {
  return /\.onnx$/i.test(modelPath) ? modelPath.replace(/\.onnx$/i, '.json') : `${modelPath}.json`;
}

/**
 * The physics a motion model was trained with, from its sidecar's `physics` block: ModelError
 * naming the sidecar and the field when it is unreadable or out of range, or renders other than 7
 * frames; without a sidecar (or a block) afb's defaults, with a warning.
 */
async function physicsOfModel(modelPath: string, warn: (message: string) => void): Promise<Omit<PhysicsOptions, 'exposure'>> {
  const path = sidecarPathOf(modelPath);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'ENOENT') throw new ModelError(path, `The model's sidecar cannot be read (${(cause as Error).message})`, { cause });
    warn(`${modelPath} has no sidecar (${path}): its physics input uses afb's defaults (${describePhysics(DEFAULT_MODEL_PHYSICS)}); a network trained on other settings will be off`);
    return DEFAULT_MODEL_PHYSICS;
  }
  let block: unknown;
  try {
    block = (JSON.parse(text) as { physics?: unknown }).physics;
  } catch (cause) {
    throw new ModelError(path, `The model's sidecar is not valid JSON (${(cause as Error).message})`, { cause });
  }
  if (block === undefined) {
    warn(`${path} has no "physics" block: the physics input uses afb's defaults (${describePhysics(DEFAULT_MODEL_PHYSICS)})`);
    return DEFAULT_MODEL_PHYSICS;
  }
  let physics: Omit<PhysicsOptions, 'exposure'>;
  try {
    physics = physicsOptionsFromSidecar(block);
  } catch (cause) {
    throw new ModelError(path, `The model's sidecar has a bad physics block: ${(cause as Error).message}`, { cause });
  }
  if (physics.frames !== FRAMES_PER_BLUR) throw new ModelError(path, `The model's sidecar has physics.frames = ${physics.frames}; afb renders ${FRAMES_PER_BLUR} frames`);
  return physics;
}

function describePhysics(o: Omit<PhysicsOptions, 'exposure'>): string {
  return `${o.iterations} iterations, samples ${o.spacing} px apart, at most ${o.maxSamples}, static below ${o.staticThreshold} px, motion trust ${o.flowTrust ? 'on' : 'off'}`;
}
