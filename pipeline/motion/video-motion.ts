// Motion from video: each frame's motion from optical flow to its neighbouring frames, in pixels
// per frame interval at the frame's own pixels (pipeline/math/motion/motion-field.ts).
import { negateFlowInPlace } from '../math/guidance-transforms.js';
import { meanMotion, type MotionField } from '../math/motion/motion-field.js';
import type { RgbImage } from '../math/types.js';
import type { FlowEstimator } from '../flow/estimator.js';

/** The frame whose motion is wanted and its neighbours (either may be missing at the ends of a clip). */
export interface FrameNeighbourhood {
  readonly prev?: RgbImage;
  readonly cur: RgbImage;
  readonly next?: RgbImage;
}

/**
 * Which neighbours the motion comes from: 'both' = the mean of the motion from the previous frame
 * (-estimate(cur, prev)) and to the next one (estimate(cur, next)), or the one there is at the ends
 * of a clip; 'previous' / 'next' = that neighbour alone (the other when it is missing).
 */
export type MotionNeighbours = 'both' | 'previous' | 'next';

/** Motion of frame `cur` from its neighbours; undefined for a lone frame (no neighbour). */
export async function motionFromNeighbours(estimator: FlowEstimator, frames: FrameNeighbourhood, use: MotionNeighbours = 'both'): Promise<MotionField | undefined> {
  const fromPrev = async (prev: RgbImage) => negateFlowInPlace(await estimator.estimate(frames.cur, prev)); // ours to change
  const toNext = (next: RgbImage) => estimator.estimate(frames.cur, next);
  const { prev, next } = frames;
  if (prev && next) {
    if (use === 'previous') return fromPrev(prev);
    if (use === 'next') return toNext(next);
    return meanMotion(await fromPrev(prev), await toNext(next));
  }
  if (prev) return fromPrev(prev);
  if (next) return toNext(next);
  return undefined;
}

/**
 * The motion of frames `indices` of a sequence, each from its neighbours i-1 and i+1 as `afb video`
 * estimates it (`frame(i)` is undefined outside the sequence), handed to `write` in order; a lone
 * frame gets undefined.
 */
export async function sequenceMotion(
  estimator: FlowEstimator, indices: readonly number[],
  frame: (i: number) => RgbImage | undefined | Promise<RgbImage | undefined>,
  write: (i: number, motion: MotionField | undefined) => Promise<void>,
): Promise<void> {
  for (const i of indices) {
    const cur = await frame(i);
    if (!cur) throw new RangeError(`sequenceMotion: frame ${i} is missing`);
    const [prev, next] = [await frame(i - 1), await frame(i + 1)];
    await write(i, await motionFromNeighbours(estimator, { cur, ...(prev ? { prev } : {}), ...(next ? { next } : {}) }));
  }
}
