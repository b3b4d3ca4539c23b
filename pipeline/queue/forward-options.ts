// Options travel to workers as the values the user gave (CLI beats config file), not as parsed
// values: each worker resolves them with the same records, so it validates them again and every
// option `afb video` gains flows through the queue without being listed here.
import { isAbsolute, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { resolveOptions, type OptionRecord, type OptionValues } from '../../configs/option-schema.js';
import { InvalidOptionError } from '../errors.js';
import type { CommandContext } from '../cli/context.js';

/** Options of a command that only steer a local batch run and mean nothing to a queued job. */
export const LOCAL_ONLY_KEYS: readonly string[] = ['jobs', 'force'];

/** The raw values given for `records` on the CLI or in the config section `command` (no defaults). */
export function givenOptions(ctx: CommandContext, command: string, records: readonly OptionRecord<unknown>[], cli: Record<string, unknown>): Record<string, unknown> {
  const raw = records.map((r) => ({ ...r, default: undefined, parse: (v: unknown) => v }));
  const values = ctx.resolve(command, raw, cli) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(values).filter(([k, v]) => v !== undefined && !LOCAL_ONLY_KEYS.includes(k)));
}

/** True for a value that reads as a relative file path: has a folder part or a file extension. */
function looksLikeRelativePath(value: string): boolean {
  return !isAbsolute(value) && (/[\\/]/.test(value) || /\.[A-Za-z][A-Za-z0-9]{0,7}$/.test(value));
}

/**
 * Make path values absolute (workers run in other folders): a relative string value that names an
 * existing file or folder from `cwd` becomes `cwd`-absolute. Other values are kept as given.
 */
export function absolutizePaths(values: Record<string, unknown>, cwd: string, exists: (path: string) => boolean = existsSync): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) {
    out[k] = typeof v === 'string' && looksLikeRelativePath(v) && exists(resolve(cwd, v)) ? resolve(cwd, v) : v;
  }
  return out;
}

/** A worker's resolution of forwarded values: the command's own parsers, unknown keys refused. */
export function reviveOptions<R extends readonly OptionRecord<unknown>[]>(records: R, given: Record<string, unknown>): OptionValues<R> {
  const known = new Set(records.map((r) => r.key));
  for (const key of Object.keys(given)) {
    if (!known.has(key)) throw new InvalidOptionError('job options', `options this afb version knows (update afb on this worker)`, key);
  }
  return resolveOptions(records, given);
}
