// The one place afb opens onnxruntime sessions (decomposer, predictor, RAFT): provider choice with a
// clear CPU fallback (asking onnxruntime for an unavailable provider throws), thread settings, and
// the input/output-name check against a contract.
import { access } from 'node:fs/promises';
import ort from 'onnxruntime-node';
import type { Provider } from '../../configs/model-options.js';
import { InputError, ModelError } from '../errors.js';

export type { Provider } from '../../configs/model-options.js';

/** Session settings shared by the model wrappers. */
export interface SessionOptions {
  /** Execution provider to try first (default cpu); falls back to cpu with a warning. */
  readonly provider?: Provider;
  /** onnxruntime intra-op threads (default 1). */
  readonly threads?: number;
  /** Let idle ORT threads spin (fast for one session, wasteful with several workers; default off). */
  readonly spinning?: boolean;
  /** Where fallback warnings go (default: stderr). */
  readonly warn?: (message: string) => void;
}

/** A created session and the provider that actually runs it. */
export interface OpenedSession {
  readonly session: ort.InferenceSession;
  readonly provider: Provider;
}

function ortOptions(provider: Provider, threads: number, spinning: boolean): ort.InferenceSession.SessionOptions {
  const flag = spinning ? '1' : '0';
  return {
    executionProviders: [provider],
    intraOpNumThreads: threads,
    interOpNumThreads: 1, // the graphs are sequential; a second pool would only compete for cores
    graphOptimizationLevel: 'all',
    // Memory patterns plan buffers per input shape; off, a 1920x1088 CPU-preset session settled at
    // ~2.1 GB instead of ~2.6 GB after two runs, at no measurable speed cost.
    enableMemPattern: false,
    extra: { session: { 'intra_op.allow_spinning': flag, 'inter_op.allow_spinning': flag } },
  };
}

/**
 * Open an ONNX model. Missing file -> InputError; a file onnxruntime cannot load -> ModelError;
 * an unavailable provider -> warning and CPU.
 */
export async function openSession(path: string, options: SessionOptions = {}): Promise<OpenedSession> {
  const provider = options.provider ?? 'cpu';
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`Expected an integer >= 1 for threads but received ${threads}`);
  try {
    await access(path);
  } catch (cause) {
    throw new InputError(path, 'Model file not found', { cause });
  }
  const warn = options.warn ?? ((m: string) => process.stderr.write(`warning: ${m}\n`));
  if (provider !== 'cpu') {
    try {
      const session = await ort.InferenceSession.create(path, ortOptions(provider, threads, options.spinning ?? false));
      return { session, provider };
    } catch (cause) {
      const reason = (cause as Error).message.split('\n')[0]!.slice(0, 200);
      warn(`execution provider "${provider}" is not available here (${reason}); running on the CPU instead`);
    }
  }
  try {
    const session = await ort.InferenceSession.create(path, ortOptions('cpu', threads, options.spinning ?? false));
    return { session, provider: 'cpu' };
  } catch (cause) {
    throw new ModelError(path, `onnxruntime cannot load the model (${(cause as Error).message.split('\n')[0]})`, { cause });
  }
}

/** Throw a ModelError listing the expected inputs/outputs when the session does not have them. */
export function checkContract(path: string, session: ort.InferenceSession, inputs: readonly string[], outputs: readonly string[]): void {
  const missingIn = inputs.filter((n) => !session.inputNames.includes(n));
  const extraIn = session.inputNames.filter((n) => !inputs.includes(n));
  if (missingIn.length > 0 || extraIn.length > 0) {
    throw new ModelError(
      path,
      `Model inputs are [${session.inputNames.join(', ')}] but expected [${inputs.join(', ')}]`,
    );
  }
  const missingOut = outputs.filter((n) => !session.outputNames.includes(n));
  if (missingOut.length > 0) {
    throw new ModelError(path, `Model outputs are [${session.outputNames.join(', ')}] but expected an output named ${missingOut.join(', ')}`);
  }
}

/** openSession + checkContract: a session known to have the inputs and outputs of a contract (released again when it has not). */
export async function openContractSession(path: string, options: SessionOptions, inputs: readonly string[], outputs: readonly string[]): Promise<OpenedSession> {
  const opened = await openSession(path, options);
  try {
    checkContract(path, opened.session, inputs, outputs);
  } catch (error) {
    await opened.session.release();
    throw error;
  }
  return opened;
}

/** The input names of a model file (opened on the CPU and released again); InputError/ModelError as openSession. */
export async function modelInputNames(path: string): Promise<readonly string[]> {
  const { session } = await openSession(path, { provider: 'cpu' });
  try {
    return [...session.inputNames];
  } finally {
    await session.release();
  }
}
