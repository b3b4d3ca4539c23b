// The worker pool that runs the decomposition network: piscina workers, each with one ORT
// session; bounded in-flight work (backpressure for the decoder), crash retry, clean shutdown.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { Decomposer } from '../runtime/decomposer.js';
import { MotionDecomposer } from '../runtime/motion-decomposer.js';
import type { Provider } from '../runtime/session.js';
import type { DecomposeResult, DecomposeTask } from './decompose-frame.js';
import type { DecomposeWorkerData } from '../../workers/decompose-worker.js';
import { AfbError, CancelledError, ModelError } from '../errors.js';
import { WorkerLoadTracker } from './worker-loading.js';
import { workerModuleOptions } from './worker-entry.js';

/** Pool settings (resolved: no defaults left to guess). */
export interface PoolOptions {
  /** The guidance-conditioned model (method 'guidance'). */
  readonly modelPath?: string;
  /** The motion-aware model (method 'learned'); neither model: the workers run the physics alone. */
  readonly motionModelPath?: string;
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

/** The compiled worker file: next to this module's compiled form, or under dist/ when running from source. */
export function defaultWorkerFile(): string {
  const here = fileURLToPath(new URL('../../workers/decompose-worker.js', import.meta.url));
  if (existsSync(here)) return here;
  return fileURLToPath(new URL('../../dist/workers/decompose-worker.js', import.meta.url));
}

/**
 * A pool of decomposition workers; `close()` on success, `cancel()` on failure or interrupt.
 *
 * Frames are handed to piscina only when a worker is free (at most `workers` tasks inside piscina),
 * and the frames waiting for a worker wait here. So this class always knows which frames are
 * running, and stopping waits for exactly those before any worker is terminated. piscina's own
 * close() cannot be trusted with that: in piscina 5.x its flush check counts a worker as done once
 * per registered listener, so with 2+ workers it resolves when the first running task ends and
 * then terminates the others mid-task; inside an onnxruntime-node run that aborts the process.
 */
export class DecomposePool {
  /** Frames admitted (running + waiting for a worker); bounded by `capacity`. */
  private inFlight = 0;
  /** Frames inside piscina (each on a worker); bounded by `workers`. */
  private running = 0;
  private readonly waiters: (() => void)[] = [];
  private readonly runWaiters: (() => void)[] = [];
  private readonly idleWaiters: (() => void)[] = [];
  private readonly runningTasks = new Set<Promise<unknown>>();
  private stopping = false;
  private destroyed?: Promise<void>;
  private readonly loading: WorkerLoadTracker;
  private constructor(
    private readonly piscina: Piscina,
    /** Tasks allowed in flight (running + queued). */
    readonly capacity: number,
    /** Provider the sessions use (after any fallback). */
    readonly provider: Provider,
    readonly workers: number,
  ) {
    this.loading = new WorkerLoadTracker(piscina);
  }

  /**
   * Check the model in the main thread (clear errors before any worker starts, one fallback
   * warning), then start the workers and wait until each has created its own session (so that
   * stopping the pool never meets a worker inside that native call; see worker-loading.ts).
   * @throws ModelError when no worker could load the model.
   */
  static async create(options: PoolOptions): Promise<DecomposePool> {
    let provider: Provider = 'cpu';
    for (const [path, create] of [[options.modelPath, Decomposer.create], [options.motionModelPath, MotionDecomposer.create]] as const) {
      if (!path) continue;
      const probe = await create(path, { provider: options.provider, threads: 1, warn: options.warn });
      provider = probe.provider;
      await probe.release();
    }
    const workerFile = options.workerFile ?? defaultWorkerFile();
    if (!existsSync(workerFile)) throw new AfbError(`The compiled worker is missing (${workerFile}): run npm run build`);
    const maxQueue = options.maxQueue ?? options.workers;
    const workerData: DecomposeWorkerData & Record<string, unknown> = {
      ...(options.modelPath ? { modelPath: options.modelPath } : {}),
      ...(options.motionModelPath ? { motionModelPath: options.motionModelPath } : {}),
      provider,
      threads: options.threads,
      // Spinning threads burn the cores other workers need; only worth it for a single session.
      spinning: options.workers === 1,
      ...options.workerData,
    };
    const piscina = new Piscina({
      ...workerModuleOptions(workerFile, workerData),
      minThreads: options.workers,
      maxThreads: options.workers,
      idleTimeout: Infinity, // keep the sessions: creating one costs far more than a frame
      maxQueue: maxQueue + options.workers, // safety net: run() hands piscina one task per worker
    });
    const pool = new DecomposePool(piscina, options.workers + maxQueue, provider, options.workers);
    await pool.loading.settled();
    if (pool.loading.loadedCount === 0) {
      await pool.stop();
      const reason = (pool.loading.error as Error | undefined)?.message ?? 'the workers exited';
      throw new ModelError(options.modelPath ?? options.motionModelPath ?? '(no model)', `The decomposition workers could not start (${reason})`, { cause: pool.loading.error });
    }
    return pool;
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

  /** Wait for a free worker (FIFO among the waiting frames). */
  private async acquireWorker(): Promise<void> {
    while (this.running >= this.workers && !this.stopping) await new Promise<void>((r) => this.runWaiters.push(r));
    if (this.stopping) throw new CancelledError('The worker pool was stopped');
    this.running++;
  }

  /** Frames submitted and not finished. */
  get pending(): number {
    return this.inFlight;
  }

  /** One piscina task, tracked so that stopping can wait for it. */
  private dispatch(task: DecomposeTask): Promise<DecomposeResult> {
    const p = this.piscina.run(task) as Promise<DecomposeResult>;
    const tracked = p.then(() => undefined, () => undefined);
    this.runningTasks.add(tracked);
    void tracked.then(() => this.runningTasks.delete(tracked));
    return p;
  }

  /**
   * Decompose one frame; a failure (e.g. a crashed worker, which piscina replaces) is retried
   * once, then rejects with FrameFailedError naming the frame. Input buffers are copied, not moved,
   * so that the retry still has them.
   */
  async run(task: DecomposeTask): Promise<DecomposeResult> {
    await this.acquire();
    try {
      await this.acquireWorker();
      try {
        try {
          return await this.dispatch(task);
        } catch (first) {
          if (this.stopping) throw new CancelledError('The worker pool was stopped');
          try {
            return await this.dispatch(task);
          } catch (second) {
            if (this.stopping) throw new CancelledError('The worker pool was stopped');
            throw new FrameFailedError(task.index, second ?? first);
          }
        }
      } finally {
        this.running--;
        const next = this.runWaiters.shift();
        next?.();
      }
    } finally {
      this.inFlight--;
      // Wake every waiter: each re-checks, one takes the slot, the others wait again.
      for (const w of this.waiters.splice(0)) w();
      if (this.inFlight === 0) for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  /** Wait for every submitted frame to finish, then stop the workers. */
  async close(): Promise<void> {
    while (this.inFlight > 0 && !this.stopping) await new Promise<void>((r) => this.idleWaiters.push(r));
    await this.stop();
  }

  /**
   * Cancel: frames waiting for a worker are dropped (their run() rejects with CancelledError),
   * running ones finish (results discarded by the caller), then the workers exit. Never terminates
   * a worker inside a run: that aborts the whole process (a native Napi::Error in onnxruntime-node).
   */
  async cancel(): Promise<void> {
    await this.stop();
  }

  /** Same as cancel(): kept for callers that stop a pool with nothing running. */
  async destroy(): Promise<void> {
    await this.stop();
  }

  private async stop(): Promise<void> {
    this.stopping = true;
    this.wakeAll();
    // A crashed-and-retried frame may add a task while we wait: loop until none is left.
    while (this.runningTasks.size > 0) await Promise.allSettled([...this.runningTasks]);
    // A worker replacing a crashed one may still be creating its session: never terminate it there.
    await this.loading.settled();
    this.destroyed ??= this.piscina.destroy();
    await this.destroyed;
  }

  private wakeAll(): void {
    for (const w of this.waiters.splice(0)) w();
    for (const w of this.runWaiters.splice(0)) w();
    for (const w of this.idleWaiters.splice(0)) w();
  }
}
