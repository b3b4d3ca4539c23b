// Piscina worker: owns ONE onnxruntime session, created when the module loads (model path,
// provider and threads come from workerData), and decomposes the frames it is sent.
import { move, transferableSymbol, valueSymbol, workerData } from 'piscina';
import { Decomposer } from '../pipeline/runtime/decomposer.js';
import type { Provider } from '../pipeline/runtime/session.js';
import { decomposeFrame, type DecomposeResult, type DecomposeTask } from '../pipeline/frame/decompose-frame.js';

/** What the pool passes to every worker. */
export interface DecomposeWorkerData {
  readonly modelPath: string;
  readonly provider: Provider;
  readonly threads: number;
  readonly spinning: boolean;
}

const data = workerData as DecomposeWorkerData;
const model = await Decomposer.create(data.modelPath, {
  provider: data.provider,
  threads: data.threads,
  spinning: data.spinning,
  // Only the first worker's warning matters; the pool already warned in the main thread.
  warn: () => undefined,
});

/** Decompose one frame; the 7 output frames travel back by transfer, not by copy. */
export default async function run(task: DecomposeTask): Promise<unknown> {
  const result = await decomposeFrame(model, task);
  return move({
    get [transferableSymbol]() {
      return result.framesFloat ? [result.frames.buffer, result.framesFloat.buffer] : [result.frames.buffer];
    },
    get [valueSymbol](): DecomposeResult {
      return result;
    },
  } as never);
}
