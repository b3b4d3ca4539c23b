// Options every afb command accepts.
import { availableParallelism } from 'node:os';
import { booleanParser, choiceParser, defineOption, intParser } from './option-schema.js';

export const LOG_LEVELS = ['silent', 'error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Global option records: worker threads, ONNX intra-op threads, logging, JSON output. */
export const GLOBAL_OPTIONS = [
  defineOption({
    key: 'workers',
    flag: '--workers <n>',
    description: 'worker threads running the network (default: number of cores)',
    default: () => Math.max(1, availableParallelism()),
    parse: intParser(1, 256),
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
