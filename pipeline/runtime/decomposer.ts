// The decomposition network behind its contract: blurry (1,3,H,W) in [0,1] + guidance (1,2,H,W)
// in {-1,0,1} -> frames (1,7,3,H,W) in [0,1]. Pads to the model multiple (reflect) and crops back.
import ort from 'onnxruntime-node';
import { ModelError } from '../errors.js';
import { cropPlanar, hwcToPaddedChw, roundUpTo } from '../math/tensor-layout.js';
import { OnnxModel } from './onnx-model.js';
import type { SessionOptions } from './session.js';

/** Input names of the decomposition contract, in order. */
export const DECOMPOSER_INPUTS = ['blurry', 'guidance'] as const;
/** The only output afb fetches. */
export const DECOMPOSER_OUTPUT = 'frames';
/** Sharp frames per blurry frame. */
export const FRAMES_PER_BLUR = 7;
/** H and W must be multiples of this (two stride-2 stages in the network). */
export const MODEL_MULTIPLE = 4;

/** One ONNX decomposition model; create with `Decomposer.create`, free with `release()`. */
export class Decomposer extends OnnxModel {
  /**
   * Load a model and check it has the inputs `blurry` and `guidance` and the output `frames`.
   * @throws InputError when the file is missing, ModelError when it does not fit the contract.
   */
  static async create(path: string, options: SessionOptions = {}): Promise<Decomposer> {
    return OnnxModel.openAs((s, p, provider) => new Decomposer(s, p, provider), path, options, DECOMPOSER_INPUTS, [DECOMPOSER_OUTPUT]);
  }

  /**
   * Decompose one frame given as interleaved HWC: `rgb` 3 channels scaled by `rgbScale`
   * (1/255 for 8-bit), `guidance` 2 channels in {-1,0,1}. Returns planar (7,3,h,w) floats.
   */
  async runHwc(rgb: ArrayLike<number>, guidance: ArrayLike<number>, width: number, height: number, rgbScale = 1 / 255): Promise<Float32Array> {
    const pw = roundUpTo(width, MODEL_MULTIPLE);
    const ph = roundUpTo(height, MODEL_MULTIPLE);
    const blurry = hwcToPaddedChw(rgb, width, height, 3, pw, ph, rgbScale);
    const guide = hwcToPaddedChw(guidance, width, height, 2, pw, ph, 1);
    const frames = await this.runPadded(blurry, guide, pw, ph);
    return cropPlanar(frames, FRAMES_PER_BLUR, 3, pw, ph, width, height);
  }

  /**
   * Run on planar inputs whose size is already a multiple of MODEL_MULTIPLE:
   * blurry (3,h,w), guidance (2,h,w). Returns frames (7,3,h,w).
   */
  async runPadded(blurry: Float32Array, guidance: Float32Array, width: number, height: number): Promise<Float32Array> {
    if (width % MODEL_MULTIPLE !== 0 || height % MODEL_MULTIPLE !== 0) {
      throw new RangeError(`Expected a size that is a multiple of ${MODEL_MULTIPLE} but received ${width}x${height}`);
    }
    const shapes = { blurry: [1, 3, height, width], guidance: [1, 2, height, width] };
    if (blurry.length !== 3 * width * height || guidance.length !== 2 * width * height) {
      throw new ModelError(this.path, `Input sizes ${blurry.length}/${guidance.length} do not match ${width}x${height}`, { inputShapes: shapes });
    }
    const feeds = {
      // onnxruntime refuses SharedArrayBuffer-backed tensors: copy such inputs into plain memory.
      blurry: new ort.Tensor('float32', unshared(blurry), shapes.blurry),
      guidance: new ort.Tensor('float32', unshared(guidance), shapes.guidance),
    };
    const output = await this.infer(feeds, [DECOMPOSER_OUTPUT], shapes);
    const frames = output[DECOMPOSER_OUTPUT] as ort.Tensor;
    const expected = [1, FRAMES_PER_BLUR, 3, height, width];
    if (frames.dims.length !== 5 || frames.dims.some((d, i) => d !== expected[i])) {
      throw new ModelError(this.path, `Output "frames" has shape [${frames.dims.join(', ')}], expected [${expected.join(', ')}]`, { inputShapes: shapes });
    }
    return frames.data as Float32Array;
  }
}

/** The same values in an ordinary (non-shared) buffer. */
export function unshared(a: Float32Array): Float32Array {
  return a.buffer instanceof SharedArrayBuffer ? new Float32Array(a) : a;
}
