// What travels through the queue: job names, each kind's data, the progress a worker reports
// and what a finished job returns. Plain JSON (BullMQ stores it in Redis).
import type { RecordedError } from './queue-errors.js';

/** Job names (one per kind of work). */
export const JOB_KINDS = ['video', 'synth-procedural', 'synth-footage', 'synth-finish'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/** One input file (or frame folder) -> one 7x output. */
export interface VideoJobData {
  /** Absolute path every worker can read (a shared mount). */
  readonly input: string;
  /** Absolute final output path in OUTDIR. */
  readonly output: string;
  /** sha256 of the input's bytes when it was added. */
  readonly inputHash: string;
  /** `afb video` options as given (CLI beats config file), resolved again by the worker. */
  readonly options: Record<string, unknown>;
  /** Redo the output even if it exists. */
  readonly force: boolean;
}

/** Progress a worker reports while a job runs (job.progress). */
export interface JobProgress {
  /** Output frames (video) or samples (synth) written. */
  readonly done: number;
  /** Expected total (from the probe), 0 when unknown yet. */
  readonly total: number;
  readonly unit: 'frames' | 'samples';
  /** Epoch ms when this attempt started. */
  readonly startedAt: number;
  /** host:pid of the worker process. */
  readonly worker: string;
  /** The typed error of the last failed attempt. */
  readonly error?: RecordedError;
}

/** What a finished job returns (job.returnvalue). */
export interface JobResult {
  readonly output: string;
  /** The output already existed: nothing was done. */
  readonly skipped: boolean;
  /** Output frames (video) or samples (synth) written. */
  readonly done: number;
  readonly unit: 'frames' | 'samples';
  /** Wall time of the work, seconds. */
  readonly seconds: number;
  readonly worker: string;
  /** Kind-specific figures (e.g. the video summary). */
  readonly details?: Record<string, unknown>;
}

/** Read a field of untrusted job data as a non-empty string. */
export function dataString(data: unknown, key: string): string {
  const v = (data as Record<string, unknown> | null)?.[key];
  if (typeof v !== 'string' || v === '') throw new TypeError(`Job data field ${key} should be a non-empty string but is ${JSON.stringify(v)}`);
  return v;
}

/** Check the shape of a video job's data (it comes from Redis, written by any afb version). */
export function parseVideoJobData(data: unknown): VideoJobData {
  const options = (data as Record<string, unknown> | null)?.['options'];
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new TypeError('Job data field options should be an object');
  return {
    input: dataString(data, 'input'),
    output: dataString(data, 'output'),
    inputHash: dataString(data, 'inputHash'),
    options: options as Record<string, unknown>,
    force: (data as Record<string, unknown>)['force'] === true,
  };
}
