// The built-in estimator behind the FlowEstimator interface (pure TypeScript, runs on the caller's thread).
import { DEFAULT_WORKING_WIDTH, estimateBuiltinFlow, resolveBuiltinFlowOptions, type BuiltinFlowOptions } from '../math/flow/builtin-flow.js';
import type { FlowField, RgbImage } from '../math/types.js';
import type { FlowEstimator } from './flow-estimator.js';

/** Coarse-to-fine Lucas-Kanade at a reduced working resolution (see pipeline/math/flow). */
export class BuiltinFlowEstimator implements FlowEstimator {
  readonly description: string;
  private readonly options: Required<BuiltinFlowOptions>;
  private released = false;

  constructor(options: BuiltinFlowOptions = {}) {
    this.options = resolveBuiltinFlowOptions({ workingWidth: DEFAULT_WORKING_WIDTH, ...options });
    this.description = `builtin (Lucas-Kanade, working width ${this.options.workingWidth})`;
  }

  async estimate(prev: RgbImage, next: RgbImage): Promise<FlowField> {
    if (this.released) throw new Error('BuiltinFlowEstimator used after release()');
    return estimateBuiltinFlow(prev, next, this.options);
  }

  async release(): Promise<void> {
    this.released = true;
  }
}
