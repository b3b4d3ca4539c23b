// A clip's exposure fraction from some of its frames and their motion (`--exposure auto`): the
// blur-length correlations of every frame (pipeline/math/motion/exposure.ts) pooled, each measured
// pixel of each frame one vote, then one estimate from the pool. (The median of per-frame estimates
// was the earlier rule: a frame with few usable pixels counted as much as one with many, and on
// `npm run bench:exposure` it was within 0.1 less often.)
import { addExposureSums, exposureCorrelations, pickExposure, type ExposureSums } from '../math/motion/exposure.js';
import type { MotionRequest, MotionSource } from './source.js';

/** The estimate, or undefined when the frames hold too little fast motion to measure it. */
export async function estimateClipExposure(source: MotionSource, frames: AsyncIterable<MotionRequest> | Iterable<MotionRequest>): Promise<number | undefined> {
  let pooled: ExposureSums | undefined;
  for await (const request of frames) {
    const [m] = await source.frameMotion(request);
    if (!m?.motion) continue;
    const sums = exposureCorrelations(request.cur.data, m.motion);
    pooled = pooled ? addExposureSums(pooled, sums) : sums;
  }
  return pooled && pickExposure(pooled);
}

/** Neighbourhood requests for consecutive frames (the ends have one neighbour). */
export function neighbourRequests<T extends MotionRequest['cur']>(frames: readonly T[]): MotionRequest[] {
  return frames.map((cur, index) => ({ index, cur, ...(frames[index - 1] ? { prev: frames[index - 1]! } : {}), ...(frames[index + 1] ? { next: frames[index + 1]! } : {}) }));
}
