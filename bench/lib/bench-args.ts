// How every benchmark reads its flags (node:util parseArgs, strict: an unknown flag or a missing value
// is an error; --help prints the flags), the checks of numeric flags, and the median of repeated runs.
import { parseArgs } from 'node:util';

/** One flag: string or boolean, an optional default, and a line of help. */
export interface BenchFlag {
  readonly type: 'string' | 'boolean';
  readonly default?: string;
  readonly help: string;
}

type Values<S extends Record<string, BenchFlag>> = {
  [K in keyof S]: S[K]['type'] extends 'boolean' ? boolean : S[K] extends { default: string } ? string : string | undefined;
};

/** Parse process.argv for `command` (e.g. 'npm run bench:io --'); prints the flags and exits on --help. */
export function parseBenchFlags<const S extends Record<string, BenchFlag>>(command: string, spec: S): Values<S> {
  const options: Record<string, { type: 'string' | 'boolean'; default?: string | boolean }> = { help: { type: 'boolean', default: false } };
  for (const [name, flag] of Object.entries(spec)) options[name] = { type: flag.type, default: flag.type === 'boolean' ? false : flag.default };
  for (const o of Object.values(options)) if (o.default === undefined) delete o.default;
  const { values } = parseArgs({ args: process.argv.slice(2), options, strict: true, allowPositionals: false });
  if (values['help']) {
    const lines = Object.entries(spec).map(([name, f]) => `  --${name}${f.type === 'string' ? ' <value>' : ''}  ${f.help}${f.default !== undefined ? ` (default ${f.default})` : ''}`);
    process.stdout.write(`${command} [flags]\n${lines.join('\n')}\n`);
    process.exit(0);
  }
  return values as Values<S>;
}

/** A flag's value as an integer >= min; RangeError naming the flag otherwise. */
export function intFlag(name: string, raw: string | undefined, min = 1): number {
  const v = Number(raw);
  if (raw === undefined || !Number.isInteger(v) || v < min) throw new RangeError(`--${name} must be an integer >= ${min}, received ${raw}`);
  return v;
}

/** Median of a non-empty list (upper median for even lengths). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
