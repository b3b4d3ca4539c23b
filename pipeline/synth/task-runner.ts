// Run synth tasks with bounded concurrency: in piscina worker threads when the compiled worker
// exists and more than one worker is wanted, else one at a time in this thread.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { cancelledBy } from '../errors.js';
import { workerModuleOptions } from '../frame/worker-entry.js';

/** The compiled worker file next to the compiled orchestration (dist/workers/synth-worker.js). */
export function defaultSynthWorkerFile(): string {
  return fileURLToPath(new URL('../../workers/synth-worker.js', import.meta.url));
}

/**
 * Run `tasks` through `runLocal` (in-process) or the worker file, at most `workers` at a time;
 * `onDone` sees each result as it finishes. Stops starting new tasks once `signal` aborts.
 */
export async function runTasks<T, R>(
  tasks: readonly T[],
  options: { workers: number; runLocal: (task: T) => Promise<R>; onDone: (result: R) => void; signal?: AbortSignal; workerFile?: string },
): Promise<{ mode: 'workers' | 'in-process' }> {
  const workerFile = options.workerFile ?? defaultSynthWorkerFile();
  const useWorkers = options.workers > 1 && tasks.length > 1 && existsSync(workerFile) && workerFile.endsWith('.js');
  const check = () => {
    if (options.signal?.aborted) throw cancelledBy(options.signal, 'Synthesis cancelled');
  };
  if (!useWorkers) {
    for (const t of tasks) {
      check();
      options.onDone(await options.runLocal(t));
    }
    return { mode: 'in-process' };
  }
  const pool = new Piscina({ ...workerModuleOptions(workerFile), minThreads: options.workers, maxThreads: options.workers, idleTimeout: 1000 });
  let next = 0;
  let failed = false;
  try {
    // Each lane pulls the next task when its previous one is done: at most `workers` in flight.
    // A failure stops the other lanes from starting tasks, but theirs finish before the pool is
    // destroyed, so no worker is terminated halfway through writing a sample.
    const lane = async () => {
      while (next < tasks.length && !failed) {
        check();
        const t = tasks[next++]!;
        options.onDone((await pool.run(t)) as R);
      }
    };
    const settled = await Promise.allSettled(Array.from({ length: Math.min(options.workers, tasks.length) }, async () => {
      try {
        await lane();
      } catch (error) {
        failed = true;
        throw error;
      }
    }));
    const rejected = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (rejected) throw rejected.reason;
  } finally {
    await pool.destroy().catch(() => undefined);
  }
  return { mode: 'workers' };
}
