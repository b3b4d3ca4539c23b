// One record per option drives the CLI flag, the config-file key and the default
// (precedence: CLI > config file > default). Pure: no I/O.
import { InvalidOptionError } from '../pipeline/errors.js';

/** Description of one option: its flag, config key, default and how to parse a raw value. */
export interface OptionRecord<T> {
  /** Key in the resolved options object and in config files (camelCase). */
  readonly key: string;
  /** Commander flag spec, e.g. '--workers <n>' or '--json'. */
  readonly flag: string;
  readonly description: string;
  /** Default value, or a function of the environment (e.g. the core count). */
  readonly default: T | (() => T);
  /** Turns a raw CLI/config value into T; throws InvalidOptionError naming the flag and value. */
  readonly parse: (raw: unknown, flag: string) => T;
}

/** Declare an option record, keeping its key as a literal type (so resolved options are typed). */
export function defineOption<const K extends string, T>(record: OptionRecord<T> & { readonly key: K }): OptionRecord<T> & { readonly key: K } {
  return record;
}

export type OptionValues<R extends readonly OptionRecord<unknown>[]> = {
  [K in R[number] as K['key']]: ReturnType<K['parse']>;
};

/** Flag name without the value placeholder: '--workers <n>' -> '--workers'. */
export function flagName(record: OptionRecord<unknown>): string {
  return record.flag.split(/[ ,]/)[0]!;
}

/**
 * Resolve every option: the CLI value when given, else the config file's, else the default.
 * Unknown config keys are an error (a typo should never be silently ignored).
 */
export function resolveOptions<R extends readonly OptionRecord<unknown>[]>(
  records: R,
  cli: Record<string, unknown>,
  config: Record<string, unknown> = {},
  knownConfigKeys: readonly string[] = [],
): OptionValues<R> {
  const keys = new Set([...records.map((r) => r.key), ...knownConfigKeys]);
  for (const key of Object.keys(config)) {
    if (!keys.has(key)) throw new InvalidOptionError('config file', `one of the keys ${[...keys].join(', ')}`, key);
  }
  const out: Record<string, unknown> = {};
  for (const record of records) {
    const flag = flagName(record);
    // Own keys only: a config object's prototype (e.g. a YAML `__proto__:` key) never supplies options.
    const fromConfig = Object.hasOwn(config, record.key) ? config[record.key] : undefined;
    if (cli[record.key] !== undefined) out[record.key] = record.parse(cli[record.key], flag);
    else if (fromConfig !== undefined) out[record.key] = record.parse(fromConfig, `${record.key} (config file)`);
    else out[record.key] = typeof record.default === 'function' ? (record.default as () => unknown)() : record.default;
  }
  return out as OptionValues<R>;
}

/** Parser for an integer in [min, max]. */
export function intParser(min: number, max = Number.MAX_SAFE_INTEGER): (raw: unknown, flag: string) => number {
  return (raw, flag) => {
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
    if (!Number.isInteger(n)) throw new InvalidOptionError(flag, `an integer >= ${min}`, raw);
    if (n < min || n > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer in [${min}, ${max}]`;
      throw new InvalidOptionError(flag, range, raw, 'range');
    }
    return n;
  };
}

/** Parser for a finite number in [min, max]. */
export function numberParser(min: number, max: number): (raw: unknown, flag: string) => number {
  return (raw, flag) => {
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
    if (!Number.isFinite(n)) throw new InvalidOptionError(flag, `a number in [${min}, ${max}]`, raw);
    if (n < min || n > max) throw new InvalidOptionError(flag, `a number in [${min}, ${max}]`, raw, 'range');
    return n;
  };
}

/** Parser for one of a fixed set of strings. */
export function choiceParser<T extends string>(choices: readonly T[]): (raw: unknown, flag: string) => T {
  return (raw, flag) => {
    if (typeof raw !== 'string' || !(choices as readonly string[]).includes(raw)) {
      throw new InvalidOptionError(flag, `one of ${choices.join(', ')}`, raw);
    }
    return raw as T;
  };
}

/** Parser for booleans (CLI switches give true; config files may give true/false). */
export function booleanParser(raw: unknown, flag: string): boolean {
  if (typeof raw === 'boolean') return raw;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new InvalidOptionError(flag, 'true or false', raw);
}

/** Parser for an optional value: undefined stays undefined. */
export function optional<T>(parse: (raw: unknown, flag: string) => T): (raw: unknown, flag: string) => T | undefined {
  return (raw, flag) => (raw === undefined ? undefined : parse(raw, flag));
}

/** Parser for a non-empty string (e.g. a path). */
export function stringParser(raw: unknown, flag: string): string {
  if (typeof raw !== 'string' || raw === '') throw new InvalidOptionError(flag, 'a non-empty string', raw);
  return raw;
}
