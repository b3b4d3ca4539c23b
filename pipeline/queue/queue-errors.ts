// Typed errors of the job queue: Redis unreachable, and a job's failure as recorded in the queue.
import { AfbError } from '../errors.js';

/** Redis cannot be reached or refused the connection (wrong URL, password or TLS settings). */
export class QueueConnectionError extends AfbError {
  /** The URL with its password redacted. */
  readonly url: string;
  constructor(url: string, cause: unknown) {
    super(`Cannot reach Redis at ${url}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'QueueConnectionError';
    this.url = url;
  }
}

/** The typed error of a failed job as stored with the job: its name, message and own fields. */
export interface RecordedError {
  readonly name: string;
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

/** Fields every Error has (not worth recording again). */
const COMMON = new Set(['name', 'message', 'stack', 'cause']);

/** Record an error for the queue: name, message and its own JSON-able fields (e.g. path, frameIndex). */
export function recordError(error: unknown): RecordedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(error)) {
    if (COMMON.has(k) || typeof v === 'function') continue;
    try {
      fields[k] = JSON.parse(JSON.stringify(v)) as unknown;
    } catch {
      fields[k] = String(v);
    }
  }
  return { name: error.name, message: error.message, fields };
}
