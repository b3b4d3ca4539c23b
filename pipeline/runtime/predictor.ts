// The guidance predictor (cVAE-GAN generator) behind its contract: blurry (1,3,256,256) in [0,1]
// + z (1,4) -> logits (1,5,256,256); N seeded latents give N plausible guidance maps.
import ort from 'onnxruntime-node';
import { ModelError } from '../errors.js';
import { argmaxClasses, classesToGuidance, resizeBilinearToPlanar, sampleLatents } from '../math/predictor-maths.js';
import type { GuidanceMap, RgbImage } from '../math/types.js';
import { OnnxModel } from './onnx-model.js';
import type { SessionOptions } from './session.js';

/** Input names of the predictor contract. */
export const PREDICTOR_INPUTS = ['blurry', 'z'] as const;
/** The output afb fetches. */
export const PREDICTOR_OUTPUT = 'logits';
/** The generator works at this fixed square size. */
export const PREDICTOR_SIZE = 256;
/** Latent size and number of classes (static + 4 quadrants). */
export const LATENT_SIZE = 4;
export const PREDICTOR_CLASSES = 5;

/** One ONNX guidance predictor; create with `GuidancePredictor.create`, free with `release()`. */
export class GuidancePredictor extends OnnxModel {
  /** Load and check a predictor (inputs blurry, z; output logits). */
  static async create(path: string, options: SessionOptions = {}): Promise<GuidancePredictor> {
    return OnnxModel.openAs((s, p, provider) => new GuidancePredictor(s, p, provider), path, options, PREDICTOR_INPUTS, [PREDICTOR_OUTPUT]);
  }

  /** Logits (5,256,256) for one resized blurry input (3,256,256) and one latent (4). */
  async logits(blurry: Float32Array, z: Float32Array): Promise<Float32Array> {
    const s = PREDICTOR_SIZE;
    const shapes = { blurry: [1, 3, s, s], z: [1, LATENT_SIZE] };
    const feeds = { blurry: new ort.Tensor('float32', blurry, shapes.blurry), z: new ort.Tensor('float32', z, shapes.z) };
    const out = await this.infer(feeds, [PREDICTOR_OUTPUT], shapes);
    const t = out[PREDICTOR_OUTPUT] as ort.Tensor;
    if (t.dims.join(',') !== `1,${PREDICTOR_CLASSES},${s},${s}`) {
      throw new ModelError(this.path, `Output "logits" has shape [${t.dims.join(', ')}], expected [1, ${PREDICTOR_CLASSES}, ${s}, ${s}]`);
    }
    return t.data as Float32Array;
  }

  /**
   * Sample `count` guidance maps for an 8-bit image with latents drawn from N(0,1) seeded by
   * `seed` (same seed, same maps). Each map has the image's size.
   */
  async sample(image: RgbImage, count: number, seed: number): Promise<GuidanceMap[]> {
    const s = PREDICTOR_SIZE;
    const scale = image.data instanceof Uint16Array ? 1 / 65535 : 1 / 255;
    const input = resizeBilinearToPlanar(image.data, image.width, image.height, s, s, scale);
    const maps: GuidanceMap[] = [];
    for (const z of sampleLatents(seed, count, LATENT_SIZE)) {
      const classes = argmaxClasses(await this.logits(input, z), PREDICTOR_CLASSES, s, s);
      maps.push(classesToGuidance(classes, s, s, image.width, image.height));
    }
    return maps;
  }
}
