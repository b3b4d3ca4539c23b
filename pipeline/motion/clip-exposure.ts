// A clip's exposure fraction from some of its frames and their motion (`--exposure auto`): the
// blur-length correlations of every frame (pipeline/math/motion/exposure.ts) pooled, each measured
// pixel of each frame one vote, then one estimate from the pool. (The median of per-frame estimates
// was the earlier rule: a frame with few usable pixels counted as much as one with many, and on
// `npm run bench:exposure` it was within 0.1 less often.)
//
// The estimate computes each frame's motion (optical flow to its neighbours), which the
// decomposition of the same frames needs again: callers keep it (onMotion, MotionKeeper) rather
// than compute it twice, within a memory budget (EXPOSURE_MOTION_BUDGET_BYTES).
import { addExposureSums, exposureCorrelations, pickExposure, type ExposureSums } from '../math/motion/exposure.js';
import type { FrameMotion, MotionRequest, MotionSource } from './source.js';

/**
 * The estimate, or undefined when the frames hold too little fast motion to measure it. Each
 * request's motion is handed to `onMotion` as it is computed (e.g. to keep it for the decomposition).
 */
export async function estimateClipExposure(
  source: MotionSource, frames: AsyncIterable<MotionRequest> | Iterable<MotionRequest>,
  onMotion?: (request: MotionRequest, motion: FrameMotion) => void,
): Promise<number | undefined> {
  let pooled: ExposureSums | undefined;
  for await (const request of frames) {
    const [m] = await source.frameMotion(request);
    if (m) onMotion?.(request, m);
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

/**
 * Memory the motions kept from the exposure estimate may hold (per MotionKeeper): a frame's motion
 * is 2 floats per pixel, its disagreement 1 float and its guidance 2 bytes, 14 bytes a pixel, so
 * the 12 frames `afb video` estimates from fit whole up to 960x540 (12 x 7.3 MB = 83 MiB); at
 * 1080p (29 MB a frame) the first 3 are kept and the others computed again in the workers. Keeping
 * all 12 at 1080p (a 256 MiB budget, before the disagreement was kept) raised the peak RSS of
 * `afb video` on 1080p by ~180 MB, over the 1.5 GB goal, for no time measured (docs/pipeline.md,
 * memory).
 */
export const EXPOSURE_MOTION_BUDGET_BYTES = 96 * 2 ** 20;

/** Bytes a frame's motion holds (its motion field and its guidance). */
export function frameMotionBytes(m: FrameMotion): number {
  return m.guidance.data.byteLength + (m.motion?.data.byteLength ?? 0) + (m.motion?.disagreement?.byteLength ?? 0);
}

/**
 * Motions kept for reuse while their total stays within a budget: offer() keeps one unless that
 * would pass the budget (the caller then computes it again when it needs it); take() hands it back
 * once and frees its share.
 */
export class MotionKeeper<K> {
  private readonly kept = new Map<K, FrameMotion>();
  private bytes = 0;
  constructor(readonly budgetBytes: number = EXPOSURE_MOTION_BUDGET_BYTES) {}
  /** Bytes held now. */
  get heldBytes(): number {
    return this.bytes;
  }
  offer(key: K, motion: FrameMotion): boolean {
    const size = frameMotionBytes(motion);
    if (this.kept.has(key) || this.bytes + size > this.budgetBytes) return false;
    this.kept.set(key, motion);
    this.bytes += size;
    return true;
  }
  take(key: K): FrameMotion | undefined {
    const m = this.kept.get(key);
    if (m) {
      this.kept.delete(key);
      this.bytes -= frameMotionBytes(m);
    }
    return m;
  }
}
