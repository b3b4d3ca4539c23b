// Add jobs with content-derived ids: BullMQ ignores an add whose id exists, so adding the same
// work twice adds nothing; work whose output is already on disk is not added at all.
import { existsSync } from 'node:fs';
import type { Queue } from 'bullmq';
import type { JobKind } from './job-types.js';

/** One job to add. */
export interface JobSpec {
  readonly kind: JobKind;
  readonly id: string;
  readonly data: Record<string, unknown>;
  /** Final output path: when it exists the work is finished. */
  readonly output: string;
}

/** Retry policy of added jobs. */
export interface EnqueuePolicy {
  readonly attempts: number;
  /** Delay before the first retry, ms (exponential: doubles each time). */
  readonly backoff: number;
  /** Re-add finished work (removes its old job, the worker overwrites the output). */
  readonly force: boolean;
}

/** What an add did, per job. */
export interface EnqueueEntry {
  readonly id: string;
  readonly output: string;
  /** added; queued = already in the queue (its state given); done = the output exists. */
  readonly status: 'added' | 'queued' | 'done';
  readonly state?: string;
}

/** BullMQ options shared by every added job: bounded attempts, exponential backoff, kept when finished. */
export function jobOptions(id: string, policy: EnqueuePolicy): { jobId: string; attempts: number; backoff: { type: 'exponential'; delay: number }; removeOnComplete: false; removeOnFail: false } {
  // Finished jobs are kept: their ids keep the work de-duplicated until `afb queue clean`.
  return { jobId: id, attempts: policy.attempts, backoff: { type: 'exponential', delay: policy.backoff }, removeOnComplete: false, removeOnFail: false };
}

/** Add the specs that are neither queued nor done; returns one entry per spec. */
export async function enqueueJobs(queue: Queue, specs: readonly JobSpec[], policy: EnqueuePolicy): Promise<EnqueueEntry[]> {
  const entries: EnqueueEntry[] = [];
  for (const spec of specs) {
    const existing = await queue.getJob(spec.id);
    if (existing && policy.force) {
      const state = await existing.getState();
      if (state === 'completed' || state === 'failed') await existing.remove();
    }
    const current = policy.force ? await queue.getJob(spec.id) : existing;
    if (current) {
      entries.push({ id: spec.id, output: spec.output, status: 'queued', state: await current.getState() });
      continue;
    }
    if (!policy.force && existsSync(spec.output)) {
      entries.push({ id: spec.id, output: spec.output, status: 'done' });
      continue;
    }
    // Same id added concurrently by another machine: BullMQ keeps one job.
    await queue.add(spec.kind, { ...spec.data, ...(policy.force ? { force: true } : {}) }, jobOptions(spec.id, policy));
    entries.push({ id: spec.id, output: spec.output, status: 'added' });
  }
  return entries;
}

/** Counts of an add's entries. */
export function summarizeEnqueue(entries: readonly EnqueueEntry[]): { added: number; queued: number; done: number } {
  return {
    added: entries.filter((e) => e.status === 'added').length,
    queued: entries.filter((e) => e.status === 'queued').length,
    done: entries.filter((e) => e.status === 'done').length,
  };
}
