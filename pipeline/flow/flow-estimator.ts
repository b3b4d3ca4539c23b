// The interface every optical-flow backend implements (builtin.ts, raft.ts); estimator.ts picks and
// loads one. Apart from estimator.ts so that the backends do not import their own factory.
import type { FlowField, RgbImage } from '../math/types.js';

/** A dense optical-flow estimator. Owns native resources until release(). */
export interface FlowEstimator {
  /** Backend name and working resolution, for logs. */
  readonly description: string;
  /**
   * Flow from `prev` to `next` at prev's pixels and prev's full resolution, in pixels, +x right,
   * +y down: prev(x) ~ next(x + flow(x)). Both frames must have the same size. The field is a
   * new one the caller owns (callers may change it in place).
   */
  estimate(prev: RgbImage, next: RgbImage): Promise<FlowField>;
  /** Free the backend's resources; the estimator cannot be used afterwards. */
  release(): Promise<void>;
}
