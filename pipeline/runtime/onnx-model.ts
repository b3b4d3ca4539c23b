// What every network wrapper shares (decomposer, predictor, RAFT): one onnxruntime session opened
// and checked against the wrapper's contract by session.ts, the file it came from, the provider
// that runs it, inference errors as ModelError with the input shapes, and an idempotent release().
import type ort from 'onnxruntime-node';
import { ModelError } from '../errors.js';
import { openContractSession, type Provider, type SessionOptions } from './session.js';

/** Base of the model wrappers; subclasses add `static create()` and their typed run methods. */
export abstract class OnnxModel {
  private released = false;
  protected constructor(
    protected readonly session: ort.InferenceSession,
    /** Path of the model file (for error messages). */
    readonly path: string,
    /** Provider that actually runs the session (after any fallback). */
    readonly provider: Provider,
  ) {}

  /** Open and check a model file, then wrap its session with `make` (a subclass constructor). */
  protected static async openAs<M>(make: (session: ort.InferenceSession, path: string, provider: Provider) => M, path: string, options: SessionOptions, inputs: readonly string[], outputs: readonly string[]): Promise<M> {
    const { session, provider } = await openContractSession(path, options, inputs, outputs);
    return make(session, path, provider);
  }

  /** Run the session; a released model or a failing run is a ModelError naming the file and the input shapes. */
  protected async infer(feeds: Record<string, ort.Tensor>, outputs: readonly string[], shapes: Record<string, readonly number[]>): Promise<ort.InferenceSession.OnnxValueMapType> {
    if (this.released) throw new ModelError(this.path, 'The model was already released');
    try {
      return await this.session.run(feeds, [...outputs]);
    } catch (cause) {
      throw new ModelError(this.path, `Inference failed (${(cause as Error).message.split('\n')[0]})`, { inputShapes: shapes, cause });
    }
  }

  /** Free the native session (idempotent). */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.session.release();
  }
}
