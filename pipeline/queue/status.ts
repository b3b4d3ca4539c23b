// `afb queue status`: counts by state, running jobs with progress and rate, failed jobs with
// their typed error, throughput of the finished ones. Reading (BullMQ) apart from formatting (pure).
import type { Job, Queue } from 'bullmq';
import { formatDuration } from '../log.js';
import type { JobProgress, JobResult } from './job-types.js';
import type { RecordedError } from './queue-errors.js';

/** Jobs per state. */
export interface StateCounts {
  readonly waiting: number;
  readonly active: number;
  readonly delayed: number;
  readonly completed: number;
  readonly failed: number;
  readonly waitingChildren: number;
}

/** A running job. */
export interface ActiveJobStatus {
  readonly id: string;
  readonly kind: string;
  readonly output: string;
  readonly worker: string;
  readonly done: number;
  readonly total: number;
  readonly unit: string;
  /** done per second since this attempt started. */
  readonly rate: number;
  readonly attempt: number;
}

/** A job that failed for good. */
export interface FailedJobStatus {
  readonly id: string;
  readonly kind: string;
  readonly input: string;
  readonly attempts: number;
  readonly reason: string;
  readonly error?: RecordedError;
}

/** Figures over the completed jobs. */
export interface Throughput {
  readonly jobs: number;
  readonly skipped: number;
  /** Frames (or samples) written by the completed jobs. */
  readonly done: number;
  /** Between the first start and the last finish, seconds. */
  readonly spanSeconds: number;
  /** done / spanSeconds: all workers together. */
  readonly perSecond: number;
  /** Mean wall time of a job that did work, seconds. */
  readonly meanJobSeconds: number;
}

/** Everything `afb queue status` shows. */
export interface QueueStatus {
  readonly queue: string;
  readonly counts: StateCounts;
  readonly active: ActiveJobStatus[];
  readonly failed: FailedJobStatus[];
  readonly throughput: Throughput;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Status of a set of jobs (pure: tests call it with literal jobs). */
export function summarizeJobs(queue: string, counts: StateCounts, active: readonly Job[], failed: readonly Job[], completed: readonly Job[], now: number): QueueStatus {
  const results = completed.map((j) => ({ job: j, r: j.returnvalue as JobResult | null }));
  const worked = results.filter(({ r }) => r && !r.skipped);
  const starts = worked.map(({ job }) => job.processedOn ?? Infinity);
  const ends = worked.map(({ job }) => job.finishedOn ?? -Infinity);
  const span = worked.length > 0 ? (Math.max(...ends) - Math.min(...starts)) / 1000 : 0;
  const done = worked.reduce((a, { r }) => a + (r?.done ?? 0), 0);
  return {
    queue,
    counts,
    active: active.map((j) => {
      const p = (j.progress ?? {}) as Partial<JobProgress>;
      const elapsed = Math.max(1e-3, (now - (p.startedAt ?? now)) / 1000);
      return {
        id: j.id ?? '', kind: j.name, output: str((j.data as Record<string, unknown>)['output']) || str((j.data as Record<string, unknown>)['root']),
        worker: p.worker ?? '', done: p.done ?? 0, total: p.total ?? 0, unit: p.unit ?? 'frames', rate: (p.done ?? 0) / elapsed, attempt: j.attemptsMade + 1,
      };
    }),
    failed: failed.map((j) => {
      const p = (j.progress ?? {}) as Partial<JobProgress>;
      return {
        id: j.id ?? '', kind: j.name, input: str((j.data as Record<string, unknown>)['input']) || str((j.data as Record<string, unknown>)['root']),
        attempts: j.attemptsMade, reason: j.failedReason ?? '', ...(p.error ? { error: p.error } : {}),
      };
    }),
    throughput: {
      jobs: results.length,
      skipped: results.length - worked.length,
      done,
      spanSeconds: span,
      perSecond: span > 0 ? done / span : 0,
      meanJobSeconds: worked.length > 0 ? worked.reduce((a, { r }) => a + (r?.seconds ?? 0), 0) / worked.length : 0,
    },
  };
}

/** Read the queue's state (at most `limit` jobs listed per state). */
export async function readQueueStatus(queue: Queue, limit = 1000): Promise<QueueStatus> {
  const c = await queue.getJobCounts('waiting', 'prioritized', 'paused', 'active', 'delayed', 'completed', 'failed', 'waiting-children');
  const counts: StateCounts = {
    waiting: (c['waiting'] ?? 0) + (c['prioritized'] ?? 0) + (c['paused'] ?? 0),
    active: c['active'] ?? 0,
    delayed: c['delayed'] ?? 0,
    completed: c['completed'] ?? 0,
    failed: c['failed'] ?? 0,
    waitingChildren: c['waiting-children'] ?? 0,
  };
  const [active, failed, completed] = await Promise.all([queue.getActive(0, limit - 1), queue.getFailed(0, limit - 1), queue.getCompleted(0, limit - 1)]);
  return summarizeJobs(queue.name, counts, active, failed, completed, Date.now());
}

/** The status as text for a terminal. */
export function formatQueueStatus(s: QueueStatus): string {
  const c = s.counts;
  const lines = [`queue ${s.queue}: ${c.waiting} waiting, ${c.active} active, ${c.delayed} delayed (retry backoff), ${c.completed} done, ${c.failed} failed` +
    (c.waitingChildren > 0 ? `, ${c.waitingChildren} waiting for their parts` : '')];
  const t = s.throughput;
  if (t.jobs > 0) {
    lines.push(`done: ${t.jobs} job(s) (${t.skipped} already on disk), ${t.done} output frames/samples in ${formatDuration(t.spanSeconds)}: ` +
      `${t.perSecond.toFixed(2)} per second across workers, ${t.meanJobSeconds.toFixed(1)} s per job`);
  }
  for (const a of s.active) {
    const pct = a.total > 0 ? ` (${((100 * a.done) / a.total).toFixed(0)}%)` : '';
    lines.push(`  active ${a.id} ${a.kind} -> ${a.output}: ${a.done}/${a.total || '?'} ${a.unit}${pct}, ${a.rate.toFixed(2)} ${a.unit}/s on ${a.worker || '?'}, attempt ${a.attempt}`);
  }
  for (const f of s.failed) {
    lines.push(`  failed ${f.id} ${f.kind} ${f.input} after ${f.attempts} attempt(s): ${f.reason}`);
  }
  return lines.join('\n');
}
