// The motion-aware decomposition network behind its contract: blurry (1,3,H,W) sRGB in [0,1],
// motion (1,2,H,W) = motion over the exposure in pixels, physics (1,7,3,H,W) = the physical
// decomposition -> frames (1,7,3,H,W) in [0,1]. Pads to a multiple of 4 (reflect) and crops back;
// optionally averages a geometric self-ensemble (pipeline/math/self-ensemble.ts).
import ort from 'onnxruntime-node';
import { ModelError } from '../errors.js';
import { ensembleTransforms, flipPlanes, transformFrames, transformMotion } from '../math/self-ensemble.js';
import { cropPlanar, hwcToPaddedChw, roundUpTo } from '../math/tensor-layout.js';
import { DECOMPOSER_OUTPUT, FRAMES_PER_BLUR, MODEL_MULTIPLE } from './decomposer.js';
import { OnnxModel } from './onnx-model.js';
import type { SessionOptions } from './session.js';

/** Input names of the motion-aware contract. */
export const MOTION_DECOMPOSER_INPUTS = ['blurry', 'motion', 'physics'] as const;

/** One ONNX motion-aware model; create with `MotionDecomposer.create`, free with `release()`. */
export class MotionDecomposer extends OnnxModel {
  /** Load a model with the inputs blurry, motion, physics and the output frames (ModelError otherwise). */
  static async create(path: string, options: SessionOptions = {}): Promise<MotionDecomposer> {
    return OnnxModel.openAs((s, p, provider) => new MotionDecomposer(s, p, provider), path, options, MOTION_DECOMPOSER_INPUTS, [DECOMPOSER_OUTPUT]);
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
