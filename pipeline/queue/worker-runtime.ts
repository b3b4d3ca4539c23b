// `afb worker`: a BullMQ worker that runs queued jobs with afb's pipeline. Reports progress,
// records typed errors, hands its jobs back on SIGTERM/SIGINT and exits cleanly.
import { hostname } from 'node:os';
import { Queue, UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import type { RedisOptions } from 'ioredis';
import { InvalidOptionError } from '../errors.js';
import type { Logger } from '../log.js';
import { JOB_KINDS, type JobKind, type JobProgress, type JobResult } from './job-types.js';
import { checkAllowedPaths, jobPaths, PathNotAllowedError } from './allowed-paths.js';
import { PoolCache } from './pool-cache.js';
import { recordError } from './queue-errors.js';
import { runSynthJob } from './synth-jobs.js';
import { runVideoJob } from './video-jobs.js';

/** Resolved settings of a worker process. */
export interface WorkerSettings {
  readonly connection: RedisOptions;
  readonly queueName: string;
  readonly concurrency: number;
  readonly lockDuration: number;
  readonly stalledInterval: number;
  readonly maxStalled: number;
  readonly progressInterval: number;
  readonly exitWhenDrained: boolean;
  /** Folders the jobs' files must lie in (undefined: anywhere). */
  readonly allowPaths?: readonly string[] | undefined;
  /** Decomposition worker threads and intra-op threads (the global --workers/--threads). */
  readonly workers: number;
  readonly threads: number;
  readonly log: Logger;
}

/** What a worker process did before it exited. */
export interface WorkerSummary {
  readonly worker: string;
  readonly completed: number;
  readonly failed: number;
  readonly handedBack: number;
  /** Redis did not answer during shutdown: running jobs come back to the queue as stalled instead. */
  readonly unclean: boolean;
  readonly reason: 'signal' | 'drained';
}

/** How long shutdown waits for Redis (hand-back, close) before giving up on it. */
const SHUTDOWN_REDIS_MS = 10_000;

/** `p`, or 'timeout' after `ms`. */
async function within<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), ms)));
  try {
    return await Promise.race([p, limit]);
  } finally {
    clearTimeout(timer);
  }
}

/** Report progress to the queue at most every `intervalMs` (and always the last, when the total is known). */
export function progressReporter(send: (p: JobProgress) => void, base: Omit<JobProgress, 'done' | 'total'>, intervalMs: number, now: () => number = Date.now): (done: number, total: number) => void {
  let last = -Infinity;
  return (done, total) => {
    const t = now();
    if (t - last < intervalMs && !(total > 0 && done >= total)) return;
    last = t;
    send({ ...base, done, total });
  };
}

/** Run jobs until SIGTERM/SIGINT (or, with exitWhenDrained, until none is left); resolves on exit. */
export async function runWorker(s: WorkerSettings): Promise<WorkerSummary> {
  const id = `${hostname()}:${process.pid}`;
  const { log } = s;
  const pools = new PoolCache({ workers: s.workers, threads: s.threads, log });
  let stopping: 'signal' | 'drained' | undefined;
  const counts = { completed: 0, failed: 0, handedBack: 0, unclean: false };

  let running = 0;
  const processor = async (job: Job, token?: string, signal?: AbortSignal): Promise<JobResult> => {
    running++;
    try {
      return await processJob(job, token, signal);
    } finally {
      running--;
    }
  };
  const processJob = async (job: Job, token?: string, signal?: AbortSignal): Promise<JobResult> => {
    const ac = new AbortController();
    signal?.addEventListener('abort', () => ac.abort(signal.reason), { once: true });
    const base = { unit: 'frames' as const, startedAt: Date.now(), worker: id };
    const send = (p: JobProgress) => void job.updateProgress({ ...p }).catch((e: unknown) => log.debug(`progress of ${job.id}: ${(e as Error).message}`));
    const env = { pools, workers: s.workers, log, signal: ac.signal, worker: id };
    log.info(`job ${job.id} (${job.name}) attempt ${job.attemptsMade + 1}`);
    try {
      send({ ...base, done: 0, total: 0 });
      checkAllowedPaths(jobPaths(job.data), s.allowPaths);
      const kind = job.name as JobKind;
      if (kind === 'video') return await runVideoJob(job.data, { ...env, onFrames: progressReporter(send, base, s.progressInterval) });
      if (JOB_KINDS.includes(kind)) return await runSynthJob(kind, job, { ...env, onSamples: progressReporter(send, { ...base, unit: 'samples' }, s.progressInterval) });
      throw new InvalidOptionError('job name', `a job kind this afb version runs (${JOB_KINDS.join(', ')})`, job.name);
    } catch (error) {
      if (stopping === 'signal' && ac.signal.aborted && token) {
        // Hand the job back: another worker takes it from the start (the temporary output is gone).
        const moved = await within(job.moveToWait(token), SHUTDOWN_REDIS_MS).catch(() => 'timeout' as const);
        if (moved === 'timeout') {
          counts.unclean = true;
          log.error(`job ${job.id}: Redis did not answer; other workers take the job once its lock expires (--lock-duration)`);
        } else {
          counts.handedBack++;
          log.info(`job ${job.id} handed back to the queue`);
        }
        throw new WaitingError();
      }
      const recorded = recordError(error);
      await job.updateProgress({ ...base, done: 0, total: 0, error: recorded }).catch(() => undefined);
      const message = `${recorded.name}: ${recorded.message}`;
      // A bad option or a refused path fails the same way on every attempt: no retries.
      const permanent = error instanceof InvalidOptionError || error instanceof TypeError || error instanceof PathNotAllowedError;
      throw permanent ? new UnrecoverableError(message) : new Error(message);
    }
  };

  const worker = new Worker(s.queueName, processor, {
    connection: s.connection,
    concurrency: s.concurrency,
    lockDuration: s.lockDuration,
    stalledInterval: s.stalledInterval,
    maxStalledCount: s.maxStalled,
    autorun: false,
    name: id,
  });
  const queue = new Queue(s.queueName, { connection: s.connection });
  queue.on('error', () => undefined);
  // Redis down or restarting: ioredis reconnects; BullMQ reports the errors here meanwhile.
  let lastError = '';
  worker.on('error', (e) => {
    if (e.message !== lastError) log.warn(`queue: ${e.message} (retrying)`); // once per distinct error, not per reconnect
    lastError = e.message;
  });
  worker.on('ready', () => (lastError = ''));
  worker.on('completed', (job) => { counts.completed++; log.info(`job ${job.id} completed`); });
  worker.on('failed', (job, e) => {
    if (e instanceof WaitingError) return;
    counts.failed++;
    log.error(`job ${job?.id} failed (attempt ${job?.attemptsMade ?? '?'} of ${job?.opts.attempts ?? 1}): ${e.message}`);
  });

  let resolveStop!: () => void;
  const stopped = new Promise<void>((r) => (resolveStop = r));
  const stop = (reason: 'signal' | 'drained') => {
    if (stopping) return;
    stopping = reason;
    if (reason === 'signal') worker.cancelAllJobs('worker stopping');
    resolveStop();
  };
  const onSignal = (sig: NodeJS.Signals) => {
    if (stopping === 'signal') {
      log.error(`${sig} again: exiting now`);
      process.exit(130);
    }
    log.info(`${sig}: handing running jobs back to the queue, then exiting (repeat to exit at once)`);
    stop('signal');
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // With exitWhenDrained: stop once no job is waiting, delayed or running anywhere (a job running on
  // a worker that died comes back after the stall check, so it is waited for).
  const checkDrained = async () => {
    if (!s.exitWhenDrained || stopping || running > 0) return;
    const c = await queue.getJobCounts('waiting', 'delayed', 'prioritized', 'paused', 'waiting-children', 'active').catch(() => undefined);
    if (c && running === 0 && Object.values(c).every((n) => n === 0)) stop('drained');
  };
  const poll = s.exitWhenDrained ? setInterval(() => void checkDrained(), Math.max(200, Math.min(s.stalledInterval, 5000))) : undefined;
  try {
    await worker.waitUntilReady();
    log.info(`worker ${id}: queue ${s.queueName}, ${s.concurrency} job(s) at once, ${s.workers} decomposition worker(s) x ${s.threads} thread(s)`);
    void worker.run().catch((e: unknown) => log.error(`worker: ${(e as Error).message}`));
    void checkDrained();
    await stopped;
    if ((await within(worker.close(), SHUTDOWN_REDIS_MS)) === 'timeout') {
      counts.unclean = true;
      log.error('the queue connection did not close (Redis unreachable?): closing it by force');
      void worker.close(true).catch(() => undefined);
    }
  } finally {
    if (poll) clearInterval(poll);
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    await pools.closeAll();
    await within(queue.close(), SHUTDOWN_REDIS_MS).catch(() => undefined);
  }
  return { worker: id, ...counts, reason: stopping ?? 'signal' };
}
