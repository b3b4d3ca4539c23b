// Guidance from video: for blurry frame i, the motion from frame i-1 to frame i expressed at
// frame i's pixels, i.e. flow = -estimate(cur, prev) as the reference computes it with RAFT.
// Without a previous frame (the first frame) it uses the motion from frame i to i+1 instead.
import { InvalidOptionError } from '../errors.js';
import { quantizeFlow, type QuantizeOptions } from '../math/guidance.js';
import { negateFlowInPlace } from '../math/guidance-transforms.js';
import type { FlowField, GuidanceMap, RgbImage } from '../math/types.js';
import type { FlowEstimator } from './estimator.js';

/** Which neighbour supplies the motion: 'auto' = previous when there is one, else next. */
export type GuidanceSource = 'auto' | 'previous' | 'next';

/** The frame whose guidance is wanted and its neighbours (either may be missing at the ends of a clip). */
export interface FrameNeighbourhood {
  readonly prev?: RgbImage;
  readonly cur: RgbImage;
  readonly next?: RgbImage;
}

/**
 * Motion during frame `cur`, at cur's pixels: -estimate(cur, prev) (motion prev -> cur), or
 * estimate(cur, next) (motion cur -> next) when there is no previous frame or `source` is 'next'.
 */
export async function motionFlowForFrame(estimator: FlowEstimator, frames: FrameNeighbourhood, source: GuidanceSource = 'auto'): Promise<FlowField> {
  const usePrev = source === 'previous' || (source === 'auto' && frames.prev !== undefined);
  if (usePrev) {
    if (!frames.prev) throw new InvalidOptionError('guidance source', 'a previous frame with source "previous"', 'none');
    return negateFlowInPlace(await estimator.estimate(frames.cur, frames.prev)); // the estimate is ours to change
  }
  if (!frames.next) throw new InvalidOptionError('guidance source', 'a previous or next frame', 'none');
  return estimator.estimate(frames.cur, frames.next);
}

/** Guidance for frame `cur` from its neighbours: motionFlowForFrame, quantised (4 directions, 0.5 px by default). */
export async function guidanceForFrame(
  estimator: FlowEstimator, frames: FrameNeighbourhood, options: QuantizeOptions & { source?: GuidanceSource } = {},
): Promise<GuidanceMap> {
  return quantizeFlow(await motionFlowForFrame(estimator, frames, options.source ?? 'auto'), options);
}
