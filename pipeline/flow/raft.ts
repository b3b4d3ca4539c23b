// RAFT optical flow from an exported ONNX file (models/raft/export_raft.py) run by onnxruntime-node.
// Contract: inputs image1, image2 float32 [1,3,H,W] RGB 0..255 with H, W multiples of 8 (fixed in
// the file or dynamic); output flow float32 [1,2,H,W], the flow from image1 to image2 in pixels.
import * as ort from 'onnxruntime-node';
import { ModelError } from '../errors.js';
import type { Logger } from '../log.js';
import { OnnxModel } from '../runtime/onnx-model.js';
import { openContractSession, type Provider } from '../runtime/session.js';
import { resizeFlowPlanes } from '../math/flow/image-ops.js';
import { cropRaftFlow, raftInputTensor, raftLayout, type RaftLayout } from '../math/flow/raft-tensors.js';
import type { FlowField, RgbImage } from '../math/types.js';
import type { FlowEstimator } from './flow-estimator.js';

/** Default working width of RAFT on dynamic-size models: 480 px keeps a CPU pair to about a second. */
export const RAFT_DEFAULT_WORKING_WIDTH = 480;

/** Input and output names every RAFT file must have. */
export const RAFT_INPUTS = ['image1', 'image2'] as const;
export const RAFT_OUTPUT = 'flow';

/** Options of RaftFlowEstimator.create. */
export interface RaftOptions {
  readonly modelPath: string;
  readonly provider?: Provider;
  readonly threads?: number;
  readonly workingWidth?: number;
  readonly log?: Logger;
}

/** Fixed spatial size of the model's image1 input, or undefined when H and W are dynamic. */
function fixedInputSize(session: ort.InferenceSession): { width: number; height: number } | undefined {
  const meta = session.inputMetadata.find((m) => m.name === 'image1');
  if (!meta || !meta.isTensor) return undefined;
  const [, , h, w] = meta.shape;
  return typeof h === 'number' && typeof w === 'number' && h > 0 && w > 0 ? { width: w, height: h } : undefined;
}

/** RAFT behind the FlowEstimator interface. One session per estimator; run() blocks its thread. */
export class RaftFlowEstimator extends OnnxModel implements FlowEstimator {
  readonly description: string;
  private constructor(
    session: ort.InferenceSession,
    modelPath: string,
    private readonly workingWidth: number,
    private readonly fixed: { width: number; height: number } | undefined,
    provider: Provider,
  ) {
    super(session, modelPath, provider);
    this.description = `raft (${modelPath}, ${fixed ? `fixed ${fixed.width}x${fixed.height}` : `working width ${workingWidth}`}, ${provider})`;
  }

  /** Load a RAFT .onnx file; ModelError when it cannot be loaded or lacks the expected inputs/output. */
  static async create(options: RaftOptions): Promise<RaftFlowEstimator> {
    const log = options.log;
    const { session, provider } = await openContractSession(options.modelPath, {
      provider: options.provider ?? 'cpu', threads: options.threads ?? 1, ...(log ? { warn: (m: string) => log.warn(m) } : {}),
    }, RAFT_INPUTS, [RAFT_OUTPUT]);
    const fixed = fixedInputSize(session);
    if (fixed && (fixed.width % 8 || fixed.height % 8)) {
      await session.release();
      throw new ModelError(options.modelPath, `RAFT input size ${fixed.width}x${fixed.height} is not a multiple of 8`);
    }
    return new RaftFlowEstimator(session, options.modelPath, options.workingWidth ?? RAFT_DEFAULT_WORKING_WIDTH, fixed, provider);
  }

  /** Layout of the network input for a frame size. */
  layoutFor(width: number, height: number): RaftLayout {
    return raftLayout(width, height, this.workingWidth, this.fixed?.width, this.fixed?.height);
  }

  async estimate(prev: RgbImage, next: RgbImage): Promise<FlowField> {
    if (prev.width !== next.width || prev.height !== next.height) {
      throw new RangeError(`Frame sizes differ: ${prev.width}x${prev.height} vs ${next.width}x${next.height}`);
    }
    const layout = this.layoutFor(prev.width, prev.height);
    const dims = [1, 3, layout.paddedHeight, layout.paddedWidth];
    const feeds = {
      image1: new ort.Tensor('float32', raftInputTensor(prev, layout), dims),
      image2: new ort.Tensor('float32', raftInputTensor(next, layout), dims),
    };
    const out = await this.infer(feeds, [RAFT_OUTPUT], { image1: dims, image2: dims });
    const flow = out[RAFT_OUTPUT] as ort.Tensor;
    const { u, v } = cropRaftFlow(flow.data as Float32Array, layout);
    flow.dispose();
    const up = resizeFlowPlanes(u, v, layout.width, layout.height, prev.width, prev.height, true);
    return { width: prev.width, height: prev.height, data: up.uv };
  }
}
