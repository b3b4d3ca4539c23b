// Option records of the job-queue commands (`afb queue ...`, `afb worker`, `afb synth --queue`):
// the Redis connection, retry policy and worker timing. Pure: no I/O (environment defaults only).
import { InvalidOptionError } from '../pipeline/errors.js';
import { booleanParser, choiceParser, defineOption, intParser, stringParser } from './option-schema.js';

/** Environment variable read when --redis is not given (keeps a password out of the process list). */
export const REDIS_URL_ENV = 'AFB_REDIS_URL';

/** --redis: a redis:// or rediss:// URL (the password, if any, in the URL). */
export function parseRedisUrl(raw: unknown, flag: string): string {
  const text = stringParser(raw, flag);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidOptionError(flag, 'a URL like redis://127.0.0.1:6379 or rediss://:PASSWORD@host:6380/0', redactRedisUrl(text));
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new InvalidOptionError(flag, 'a redis:// or rediss:// URL', redactRedisUrl(text));
  }
  if (!url.hostname) throw new InvalidOptionError(flag, 'a URL with a host', redactRedisUrl(text));
  return text;
}

/** The URL with its password replaced by *** (for logs and error messages). */
export function redactRedisUrl(text: string): string {
  return text.replace(/^([a-z]+:\/\/[^:@/]*:)[^@/]*@/i, '$1***@');
}

/** Queue names become Redis key parts: keep them to a safe alphabet. */
function parseQueueName(raw: unknown, flag: string): string {
  const s = stringParser(raw, flag);
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(s)) throw new InvalidOptionError(flag, 'a name of 1-64 letters, digits, _ or -', raw);
  return s;
}

/** How to reach Redis: every queue command takes these. */
export const CONNECTION_OPTIONS = [
  defineOption({ key: 'redis', flag: '--redis <url>', description: `Redis URL, redis://[:PASSWORD@]HOST:PORT[/DB] or rediss:// for TLS (default: $${REDIS_URL_ENV})`, default: () => process.env[REDIS_URL_ENV] ?? '', parse: parseRedisUrl }),
  defineOption({ key: 'redisTlsCa', flag: '--redis-tls-ca <file>', description: 'PEM file of the CA that signed the Redis server certificate (rediss:// only)', default: undefined as string | undefined, parse: stringParser }),
  defineOption({ key: 'redisTlsCert', flag: '--redis-tls-cert <file>', description: 'PEM client certificate for Redis servers that require one (rediss:// only)', default: undefined as string | undefined, parse: stringParser }),
  defineOption({ key: 'redisTlsKey', flag: '--redis-tls-key <file>', description: 'PEM private key of --redis-tls-cert', default: undefined as string | undefined, parse: stringParser }),
  defineOption({ key: 'redisTlsServername', flag: '--redis-tls-servername <name>', description: 'TLS server name to verify when it differs from the URL host', default: undefined as string | undefined, parse: stringParser }),
  defineOption({ key: 'queueName', flag: '--queue-name <name>', description: 'name of the queue (several independent queues can share one Redis)', default: 'afb', parse: parseQueueName }),
] as const;

/** `afb queue add` (and `afb synth --queue`): how each job is retried. */
export const ENQUEUE_OPTIONS = [
  defineOption({ key: 'attempts', flag: '--attempts <n>', description: 'runs of a failing job before it stays failed', default: 3, parse: intParser(1, 100) }),
  defineOption({ key: 'backoff', flag: '--backoff <ms>', description: 'wait before the first retry; doubles each retry', default: 30_000, parse: intParser(0, 86_400_000) }),
] as const;

/** --allow-paths: folders separated by commas, each absolute. */
export function parseAllowedPaths(raw: unknown, flag: string): string[] {
  const list = stringParser(raw, flag).split(',').map((p) => p.trim()).filter((p) => p !== '');
  const bad = list.find((p) => !p.startsWith('/'));
  if (list.length === 0 || bad !== undefined) throw new InvalidOptionError(flag, 'absolute folders separated by commas', raw);
  return list;
}

/** `afb worker`: concurrency and the lock/stall timing of BullMQ's stalled-job detection. */
export const WORKER_OPTIONS = [
  defineOption({ key: 'allowPaths', flag: '--allow-paths <dirs>', description: 'only run jobs whose inputs, outputs and datasets lie under these absolute folders (comma-separated; default: any path this user can reach)', default: undefined as string[] | undefined, parse: parseAllowedPaths }),
  defineOption({ key: 'concurrency', flag: '--concurrency <n>', description: 'jobs run at once by this process (they share its worker pool)', default: 1, parse: intParser(1, 64) }),
  defineOption({ key: 'lockDuration', flag: '--lock-duration <ms>', description: 'a job whose worker stops renewing its lock for this long is taken as stalled (the worker died) and handed to another', default: 60_000, parse: intParser(500, 86_400_000) }),
  defineOption({ key: 'stalledInterval', flag: '--stalled-interval <ms>', description: 'how often this worker looks for stalled jobs', default: 30_000, parse: intParser(200, 86_400_000) }),
  defineOption({ key: 'maxStalled', flag: '--max-stalled <n>', description: 'times a job may stall (its worker died) before it fails', default: 2, parse: intParser(0, 1000) }),
  defineOption({ key: 'progressInterval', flag: '--progress-interval <ms>', description: 'least time between two progress reports of a job to the queue', default: 1000, parse: intParser(0, 3_600_000) }),
  defineOption({ key: 'exitWhenDrained', flag: '--exit-when-drained', description: 'exit once no job is waiting, delayed or running in the queue (batch machines, benchmarks)', default: false, parse: booleanParser }),
] as const;

/** The --queue switch of `afb synth` (command line only: the Redis settings live in the `queue` config section). */
export const SYNTH_QUEUE_FLAG = defineOption({ key: 'queue', flag: '--queue', description: 'add one job per video to the queue (--redis) for `afb worker`s instead of rendering here; the dataset folder must be shared', default: false, parse: booleanParser });

/** Job states `afb queue clean` may remove. */
export const CLEAN_STATES = ['completed', 'failed', 'all'] as const;
export type CleanState = (typeof CLEAN_STATES)[number];

/** `afb queue clean`: which finished jobs to remove. */
export const CLEAN_OPTIONS = [
  defineOption({ key: 'state', flag: '--state <state>', description: `finished jobs to remove: ${CLEAN_STATES.join(', ')} (all = the whole queue, waiting jobs too)`, default: 'completed' as CleanState, parse: choiceParser<CleanState>(CLEAN_STATES) }),
  defineOption({ key: 'olderThan', flag: '--older-than <s>', description: 'only jobs finished at least this many seconds ago', default: 0, parse: intParser(0, 10 * 365 * 86_400) }),
] as const;
