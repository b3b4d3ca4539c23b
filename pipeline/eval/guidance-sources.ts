// Guidance for the evaluated method: N maps from the guidance predictor, or one map from the
// motion between the previous and the current blurry frame (guidance from video).
import { GuidancePredictor } from '../runtime/predictor.js';
import type { SessionOptions } from '../runtime/session.js';
import { InputError } from '../errors.js';
import { createFlowEstimator, type FlowEstimatorOptions } from '../flow/estimator.js';
import { guidanceForFrame } from '../flow/video-guidance.js';
import type { GuidanceProvider } from './runner.js';

/** Guidance sampled from the predictor (cVAE-GAN) with seeded latents, on the (cropped) blurry frame. */
export async function createPredictorSource(path: string, options: SessionOptions = {}): Promise<GuidanceProvider> {
  const predictor = await GuidancePredictor.create(path, options);
  return {
    guidance: (sample, count, seed) => predictor.sample(sample.blurry, count, seed),
    release: () => predictor.release(),
  };
}

/**
 * Guidance from video as the reference evaluates it: the motion from the previous blurry frame to
 * the current one at the current frame's pixels (-flow(current -> previous)), quantised to 4 directions.
 */
export async function createVideoSource(options: FlowEstimatorOptions = {}): Promise<GuidanceProvider & { readonly description: string }> {
  const estimator = await createFlowEstimator(options);
  return {
    description: estimator.description,
    async guidance(sample) {
      if (!sample.previous) throw new InputError(`${sample.video}/${sample.index}`, 'Guidance from video needs the previous blurry frame');
      return [await guidanceForFrame(estimator, { prev: sample.previous, cur: sample.blurry }, { source: 'previous' })];
    },
    release: () => estimator.release(),
  };
}
