// The worker pool that runs the decomposition network: piscina workers, each with one ORT
// session; bounded in-flight work (backpressure for the decoder), crash retry, clean shutdown.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { Decomposer } from '../models/runtime/decomposer.js';
import type { Provider } from '../models/runtime/session.js';
import type { DecomposeResult, DecomposeTask } from '../workers/decompose-frame.js';
import type { DecomposeWorkerData } from '../workers/decompose-worker.js';
import { AfbError, CancelledError } from './errors.js';

/** Pool settings (resolved: no defaults left to guess). */
export interface PoolOptions {
  readonly modelPath: string;
  readonly provider: Provider;
  readonly workers: number;
  /** onnxruntime intra-op threads per worker. */
  readonly threads: number;
  /** Frames queued beyond the ones running (default: one per worker, so no worker waits for input). */
  readonly maxQueue?: number;
  /** Worker entry file (tests pass their own). */
  readonly workerFile?: string;
  /** Extra fields merged into workerData (tests). */
  readonly workerData?: Record<string, unknown>;
  readonly warn?: (message: string) => void;
}

/** A frame failed twice (the worker crashed or the model threw): names the frame. */
export class FrameFailedError extends AfbError {
  readonly frameIndex: number;
  constructor(frameIndex: number, cause: unknown) {
    super(`Frame ${frameIndex} failed after a retry: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'FrameFailedError';
    this.frameIndex = frameIndex;
  }
}

/** Split a core budget: workers x threads <= cores (several 1-thread workers beat one wide session here). */
export function planThreads(cores: number, workers?: number, threads?: number): { workers: number; threads: number } {
  const t = threads ?? 1;
  const w = workers ?? Math.max(1, Math.floor(cores / t));
  return { workers: w, threads: t };
}

/** The compiled worker file: next to this module's compiled form, or under dist/ when running from source. */
export function defaultWorkerFile(): string {
  const here = fileURLToPath(new URL('../workers/decompose-worker.js', import.meta.url));
  if (existsSync(here)) return here;
  return fileURLToPath(new URL('../dist/workers/decompose-worker.js', import.meta.url));
}

/** A pool of decomposition workers; `close()` on success, `destroy()` on failure or cancel. */
export class DecomposePool {
  private inFlight = 0;
  private readonly waiters: (() => void)[] = [];
  private stopping = false;
  private constructor(
    private readonly piscina: Piscina,
    /** Tasks allowed in flight (running + queued). */
    readonly capacity: number,
    /** Provider the sessions use (after any fallback). */
    readonly provider: Provider,
    readonly workers: number,
  ) {}

  /**
   * Check the model in the main thread (clear errors before any worker starts, one fallback
   * warning), then start the workers; each creates its own session.
   */
  static async create(options: PoolOptions): Promise<DecomposePool> {
    const probe = await Decomposer.create(options.modelPath, { provider: options.provider, threads: 1, warn: options.warn });
    const provider = probe.provider;
    await probe.release();
    const workerFile = options.workerFile ?? defaultWorkerFile();
    if (!existsSync(workerFile)) throw new AfbError(`The compiled worker is missing (${workerFile}): run npm run build`);
    const maxQueue = options.maxQueue ?? options.workers;
    const workerData: DecomposeWorkerData & Record<string, unknown> = {
      modelPath: options.modelPath,
      provider,
      threads: options.threads,
      // Spinning threads burn the cores other workers need; only worth it for a single session.
      spinning: options.workers === 1,
      ...options.workerData,
    };
    const piscina = new Piscina({
      filename: workerFile,
      minThreads: options.workers,
      maxThreads: options.workers,
      idleTimeout: Infinity, // keep the sessions: creating one costs far more than a frame
      maxQueue: maxQueue + options.workers, // safety net; our own bound below is the real one
      // close()/cancel() wait for running frames: a CPU frame of a large model can take minutes.
      closeTimeout: 15 * 60_000,
      workerData,
    });
    return new DecomposePool(piscina, options.workers + maxQueue, provider, options.workers);
  }

  /**
   * Resolves when another frame may be submitted (backpressure for the decoder). Advisory: run()
   * itself waits for a slot, so concurrent callers never overfill piscina's queue.
   */
  async ready(): Promise<void> {
    while (this.inFlight >= this.capacity && !this.stopping) await new Promise<void>((r) => this.waiters.push(r));
    if (this.stopping) throw new CancelledError('The worker pool was stopped');
  }

  /** Take a slot (waiting for one); the check and the increment happen in the same tick. */
  private async acquire(): Promise<void> {
    while (this.inFlight >= this.capacity && !this.stopping) await new Promise<void>((r) => this.waiters.push(r));
    if (this.stopping) throw new CancelledError('The worker pool was stopped');
    this.inFlight++;
  }

  /** Frames submitted and not finished. */
  get pending(): number {
    return this.inFlight;
  }

  /**
   * Decompose one frame; a failure (e.g. a crashed worker, which piscina replaces) is retried
   * once, then rejects with FrameFailedError naming the frame. Input buffers are copied, not moved,
   * so that the retry still has them.
   */
  async run(task: DecomposeTask): Promise<DecomposeResult> {
    await this.acquire();
    try {
      try {
        return (await this.piscina.run(task)) as DecomposeResult;
      } catch (first) {
        if (this.stopping) throw new CancelledError('The worker pool was stopped');
        try {
          return (await this.piscina.run(task)) as DecomposeResult;
        } catch (second) {
          if (this.stopping) throw new CancelledError('The worker pool was stopped');
          throw new FrameFailedError(task.index, second ?? first);
        }
      }
    } finally {
      this.inFlight--;
      // Wake every waiter: each re-checks, one takes the slot, the others wait again.
      for (const w of this.waiters.splice(0)) w();
    }
  }

  /** Wait for running work and stop the workers. */
  async close(): Promise<void> {
    this.stopping = true;
    this.wakeAll();
    await this.piscina.close();
  }

  /**
   * Cancel: frames not started are dropped, running ones finish (results discarded), then the
   * workers exit. Use this rather than destroy() while frames may be running: terminating a
   * worker inside an onnxruntime-node run aborts the whole process (a native Napi::Error).
   */
  async cancel(): Promise<void> {
    this.stopping = true;
    this.wakeAll();
    await this.piscina.close({ force: true });
  }

  /** Stop the workers now; only safe when no frame is running (see cancel()). */
  async destroy(): Promise<void> {
    this.stopping = true;
    this.wakeAll();
    await this.piscina.destroy();
  }

  private wakeAll(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}
