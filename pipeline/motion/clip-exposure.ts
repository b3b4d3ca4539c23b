// A clip's exposure fraction from some of its frames and their motion (`--exposure auto`): each
// frame's estimate from its blur-length correlations (pipeline/math/motion/exposure.ts), then the
// median over the frames (a frame whose motion was misjudged does not pull the clip's estimate).
import { exposureCorrelations, pickExposure } from '../math/motion/exposure.js';
import type { MotionRequest, MotionSource } from './source.js';

/** The estimate, or undefined when the frames hold too little fast motion to measure it. */
export async function estimateClipExposure(source: MotionSource, frames: AsyncIterable<MotionRequest> | Iterable<MotionRequest>): Promise<number | undefined> {
  const estimates: number[] = [];
  for await (const request of frames) {
    const [m] = await source.frameMotion(request);
    if (!m?.motion) continue;
    const e = pickExposure(exposureCorrelations(request.cur.data, m.motion));
    if (e !== undefined) estimates.push(e);
  }
  if (estimates.length === 0) return undefined;
  estimates.sort((a, b) => a - b);
  const mid = estimates.length >> 1;
  return estimates.length % 2 ? estimates[mid] : 0.5 * (estimates[mid - 1]! + estimates[mid]!);
}

/** Neighbourhood requests for consecutive frames (the ends have one neighbour). */
export function neighbourRequests<T extends MotionRequest['cur']>(frames: readonly T[]): MotionRequest[] {
  return frames.map((cur, index) => ({ index, cur, ...(frames[index - 1] ? { prev: frames[index - 1]! } : {}), ...(frames[index + 1] ? { next: frames[index + 1]! } : {}) }));
}
