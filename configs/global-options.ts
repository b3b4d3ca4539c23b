// Options every afb command accepts, and how --workers and --threads share the cores.
import { availableParallelism } from 'node:os';
import { booleanParser, choiceParser, defineOption, intParser, optional, resolveOptions, type OptionValues } from './option-schema.js';

export const LOG_LEVELS = ['silent', 'error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Global option records: worker threads, ONNX intra-op threads, logging, JSON output. */
export const GLOBAL_OPTIONS = [
  defineOption({
    key: 'workers',
    flag: '--workers <n>',
    description: 'worker threads running the network (default: cores / --threads, so workers x threads <= cores)',
    default: undefined,
    parse: optional(intParser(1, 256)),
  }),
  defineOption({
    key: 'threads',
    flag: '--threads <n>',
    description: 'onnxruntime intra-op threads per worker (default: 1; keep workers x threads <= cores)',
    default: 1,
    parse: intParser(1, 256),
  }),
  defineOption({
    key: 'logLevel',
    flag: '--log-level <level>',
    description: `log verbosity: ${LOG_LEVELS.join(', ')}`,
    default: 'info' as LogLevel,
    parse: choiceParser<LogLevel>(LOG_LEVELS),
  }),
  defineOption({
    key: 'json',
    flag: '--json',
    description: 'print a machine-readable JSON summary on stdout (logs go to stderr)',
    default: false,
    parse: booleanParser,
  }),
] as const;

/** Split a core budget: workers x threads <= cores unless both are given (several 1-thread workers beat one wide session here). */
export function planThreads(cores: number, workers?: number, threads?: number): { workers: number; threads: number } {
  const t = threads ?? 1;
  const w = workers ?? Math.max(1, Math.floor(cores / t));
  return { workers: w, threads: t };
}

/** Resolved global options: --workers is always a number (planned from the cores when not given). */
export type GlobalOptions = Omit<OptionValues<typeof GLOBAL_OPTIONS>, 'workers'> & { readonly workers: number };

/** Resolve the global options (CLI > config file > default) and plan --workers from the cores. */
export function resolveGlobalOptions(cli: Record<string, unknown>, config: Record<string, unknown> = {}, cores = availableParallelism()): GlobalOptions {
  const g = resolveOptions(GLOBAL_OPTIONS, cli, config);
  return { ...g, ...planThreads(Math.max(1, cores), g.workers, g.threads) };
}
