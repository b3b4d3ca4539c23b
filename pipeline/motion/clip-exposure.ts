// A clip's exposure fraction from some of its frames and their motion (`--exposure auto`): the
// blur-length correlations of every frame (pipeline/math/motion/exposure.ts) summed, then one pick.
import { exposureCorrelations, pickExposure } from '../math/motion/exposure.js';
import type { MotionRequest, MotionSource } from './source.js';

/** The estimate, or undefined when the frames hold too little fast motion to measure it. */
export async function estimateClipExposure(source: MotionSource, frames: AsyncIterable<MotionRequest> | Iterable<MotionRequest>): Promise<number | undefined> {
  let products: Float64Array | undefined;
  let energy: Float64Array | undefined;
  for await (const request of frames) {
    const [m] = await source.frameMotion(request);
    if (!m?.motion) continue;
    const c = exposureCorrelations(request.cur.data, m.motion);
    if (!products || !energy) {
      products = c.products;
      energy = c.energy;
      continue;
    }
    for (let k = 0; k < products.length; k++) {
      products[k] += c.products[k]!;
      energy[k] += c.energy[k]!;
    }
  }
  return products && energy ? pickExposure(products, energy) : undefined;
}

/** Neighbourhood requests for consecutive frames (the ends have one neighbour). */
export function neighbourRequests<T extends MotionRequest['cur']>(frames: readonly T[]): MotionRequest[] {
  return frames.map((cur, index) => ({ index, cur, ...(frames[index - 1] ? { prev: frames[index - 1]! } : {}), ...(frames[index + 1] ? { next: frames[index + 1]! } : {}) }));
}
