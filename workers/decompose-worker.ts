// Piscina worker: owns its onnxruntime sessions, created when the module loads (model paths,
// provider and threads come from workerData), and decomposes the frames it is sent.
import { move, transferableSymbol, valueSymbol, workerData } from 'piscina';
import { Decomposer } from '../pipeline/runtime/decomposer.js';
import { MotionDecomposer } from '../pipeline/runtime/motion-decomposer.js';
import type { Provider } from '../pipeline/runtime/session.js';
import { decomposeFrame, type DecomposeResult, type DecomposeTask, type FrameModels } from '../pipeline/frame/decompose-frame.js';
import { announceWorkerLoaded } from '../pipeline/frame/worker-loading.js';

/** What the pool passes to every worker: the guidance-conditioned and/or the motion-aware model. */
export interface DecomposeWorkerData {
  readonly modelPath?: string;
  readonly motionModelPath?: string;
  readonly provider: Provider;
  readonly threads: number;
  readonly spinning: boolean;
}

const data = workerData as DecomposeWorkerData;
// Only the first worker's warning matters; the pool already warned in the main thread.
const options = { provider: data.provider, threads: data.threads, spinning: data.spinning, warn: () => undefined };
const models: FrameModels = {
  ...(data.modelPath ? { guidance: await Decomposer.create(data.modelPath, options) } : {}),
  ...(data.motionModelPath ? { motion: await MotionDecomposer.create(data.motionModelPath, options) } : {}),
};
// Only now may the pool stop this worker (see pipeline/frame/worker-loading.ts).
announceWorkerLoaded();

/** Decompose one frame; the 7 output frames travel back by transfer, not by copy. */
export default async function run(task: DecomposeTask): Promise<unknown> {
  const result = await decomposeFrame(models, task);
  return move({
    get [transferableSymbol]() {
      return result.framesFloat ? [result.frames.buffer, result.framesFloat.buffer] : [result.frames.buffer];
    },
    get [valueSymbol](): DecomposeResult {
      return result;
    },
  } as never);
}
