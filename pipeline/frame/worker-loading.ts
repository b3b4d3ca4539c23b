// Which workers of a piscina pool are still loading: importing their module, which creates the
// worker's onnxruntime session. A worker terminated during that native call aborts the whole
// process ("terminate called after throwing an instance of 'Napi::Error'", exit 134: onnxruntime
// throws a C++ exception that cannot reach JavaScript once the thread is being torn down), so a
// pool is never destroyed while one of its workers is loading. piscina itself cannot tell: it marks
// its first workers ready before they have loaded anything, so each worker says so itself.
import { parentPort, threadId } from 'node:worker_threads';
import type { Piscina } from 'piscina';

/** Key of the message a worker posts once its module (and its session) is loaded. */
export const WORKER_LOADED = 'afbWorkerLoaded';

/** Called by a worker entry file when it has finished loading. */
export function announceWorkerLoaded(): void {
  parentPort?.postMessage({ [WORKER_LOADED]: threadId });
}

/** How often settled() re-checks for workers that exited while loading (ms). */
const POLL_MS = 50;

/** Tracks the loading of a pool's workers from the moment the pool is made. */
export class WorkerLoadTracker {
  private readonly loaded = new Set<number>();
  private waiters: (() => void)[] = [];
  private bootError: unknown;

  /** Attach in the same tick as `new Piscina(...)`: no message can arrive before. */
  constructor(private readonly piscina: Piscina) {
    piscina.on('message', (m: unknown) => {
      const id = typeof m === 'object' && m !== null ? (m as Record<string, unknown>)[WORKER_LOADED] : undefined;
      if (typeof id === 'number') {
        this.loaded.add(id);
        this.wake();
      }
    });
    // A worker whose module failed to load (e.g. the session could not be created) with no task
    // waiting: piscina emits 'error', which would be an uncaught exception without a listener.
    piscina.on('error', (error: unknown) => {
      this.bootError ??= error;
      this.wake();
    });
  }

  /** Workers that have finished loading so far. */
  get loadedCount(): number {
    return this.loaded.size;
  }

  /** The first error of a worker that failed while loading, if any. */
  get error(): unknown {
    return this.bootError;
  }

  /** Resolves once no worker of the pool is loading: each has reported it loaded, or has exited. */
  async settled(): Promise<void> {
    for (;;) {
      // threadId is -1 once a worker has stopped running.
      const loading = this.piscina.threads.filter((t) => t.threadId >= 0 && !this.loaded.has(t.threadId));
      if (loading.length === 0) return;
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, POLL_MS);
      });
    }
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}
