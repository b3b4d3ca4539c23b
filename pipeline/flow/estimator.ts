// One interface for every optical-flow backend: the built-in CPU estimator (default, no weights)
// and RAFT through onnxruntime-node. Backends are loaded on demand (RAFT pulls in onnxruntime).
import { FLOW_BACKENDS, PROVIDERS, type FlowBackend, type Provider } from '../../configs/model-options.js';
import { InvalidOptionError } from '../errors.js';
import type { Logger } from '../log.js';
import type { LucasKanadeOptions } from '../math/flow/lucas-kanade.js';
import type { FlowEstimator } from './flow-estimator.js';

export type { FlowBackend } from '../../configs/model-options.js';
export type { FlowEstimator } from './flow-estimator.js';

/** Options of createFlowEstimator; everything but `backend`'s needs is optional. */
export interface FlowEstimatorOptions {
  /** 'builtin' (default) or 'raft'. */
  readonly backend?: FlowBackend;
  /** RAFT: path of the exported .onnx file (required for 'raft'). */
  readonly modelPath?: string;
  /**
   * Width the flow is computed at (height keeps the aspect ratio; the flow is upsampled and its
   * vectors scaled to the full size). Built-in default 320; RAFT default 480 (or the model's fixed size).
   */
  readonly workingWidth?: number;
  /** RAFT: execution provider, default 'cpu'. */
  readonly provider?: Provider;
  /** RAFT: onnxruntime intra-op threads, default 1. */
  readonly threads?: number;
  /** Built-in: solver tuning. */
  readonly lucasKanade?: LucasKanadeOptions;
  /** Where warnings (e.g. a provider fallback) go. */
  readonly log?: Logger;
}

/**
 * Create a flow estimator. Throws InvalidOptionError for a bad backend, provider or working
 * width, or a missing RAFT model path; ModelError when the RAFT file cannot be loaded.
 */
export async function createFlowEstimator(options: FlowEstimatorOptions = {}): Promise<FlowEstimator> {
  const backend = options.backend ?? 'builtin';
  if (!(FLOW_BACKENDS as readonly string[]).includes(backend)) throw new InvalidOptionError('--backend', `one of ${FLOW_BACKENDS.join(', ')}`, backend);
  const ww = options.workingWidth;
  if (ww !== undefined && (!Number.isInteger(ww) || ww < 8)) throw new InvalidOptionError('--working-width', 'an integer >= 8', ww, 'range');
  if (backend === 'builtin') {
    const { BuiltinFlowEstimator } = await import('./builtin.js');
    return new BuiltinFlowEstimator({ ...options.lucasKanade, ...(ww === undefined ? {} : { workingWidth: ww }) });
  }
  if (!options.modelPath) throw new InvalidOptionError('--model', 'the path of a RAFT .onnx file (see docs/flow.md) with --backend raft', options.modelPath);
  const provider = options.provider ?? 'cpu';
  if (!(PROVIDERS as readonly string[]).includes(provider)) throw new InvalidOptionError('--provider', `one of ${PROVIDERS.join(', ')}`, provider);
  const { RaftFlowEstimator } = await import('./raft.js');
  return RaftFlowEstimator.create({
    modelPath: options.modelPath,
    provider,
    threads: options.threads ?? 1,
    ...(ww === undefined ? {} : { workingWidth: ww }),
    ...(options.log ? { log: options.log } : {}),
  });
}
