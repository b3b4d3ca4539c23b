// What every command receives: resolved global options, its config-file section and a logger.
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { resolveGlobalOptions, type GlobalOptions } from '../../configs/global-options.js';
import { resolveOptions, type OptionRecord, type OptionValues } from '../../configs/option-schema.js';
import { InputError, InvalidOptionError, type CancelledError } from '../errors.js';
import { Logger } from '../log.js';
import { installInterruptHandling } from './interrupt.js';

/** Everything a command needs besides its own arguments. */
export interface CommandContext {
  readonly globals: GlobalOptions;
  readonly log: Logger;
  /** Resolve this command's own options: CLI > config file section `[command]` > default. */
  resolve<R extends readonly OptionRecord<unknown>[]>(command: string, records: R, cli: Record<string, unknown>): OptionValues<R>;
  /** Print the JSON summary on stdout when --json was given. */
  emitJson(value: unknown): void;
  /**
   * The run's cancel signal (SIGINT/SIGTERM, see interrupt.ts). A command that calls this promises
   * to stop cleanly when it fires; for the others the first signal exits at once.
   */
  cancellable(): AbortSignal;
  /** When this run started (ms since the epoch): leftovers older than this are from earlier runs. */
  readonly startedAt: number;
  /** The CancelledError a signal interrupted the run with, if one did. */
  interruption(): CancelledError | undefined;
  /** End of the run: remove the signal handlers. */
  dispose(): void;
}

/**
 * Parse config text (JSON, or YAML) into a plain object: null/empty gives {}. InputError naming
 * `path` when the text is not valid or not a mapping.
 */
export function parseConfigText(text: string, format: 'json' | 'yaml', path: string): Record<string, unknown> {
  let value: unknown;
  try {
    // YAML: at most 100 alias expansions (the library's guard against "billion laughs" documents);
    // its warnings are not printed as Node process warnings (errors still throw).
    value = format === 'json' ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 100, logLevel: 'error' });
  } catch (cause) {
    throw new InputError(path, `Config file is not valid ${format === 'json' ? 'JSON' : 'YAML'} (${String((cause as Error)?.message ?? cause).split('\n')[0]!.slice(0, 200)})`, { cause });
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new InputError(path, 'Config file must hold a mapping of option names to values');
  return value as Record<string, unknown>;
}

/** Read a config file (.json, .yaml or .yml) into a plain object. */
export async function loadConfigFile(path: string): Promise<Record<string, unknown>> {
  const ext = extname(path).toLowerCase();
  if (!['.json', '.yaml', '.yml'].includes(ext)) throw new InvalidOptionError('--config', 'a .json, .yaml or .yml file', path);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new InputError(path, 'Cannot read config file', { cause });
  }
  return parseConfigText(text, ext === '.json' ? 'json' : 'yaml', path);
}

/** The global options from the CLI and the config file's top-level keys (those that are not command names). */
export function resolveGlobals(rawGlobals: Record<string, unknown>, config: Record<string, unknown>, commandNames: readonly string[]): GlobalOptions {
  const globalConfig: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) if (!commandNames.includes(k)) globalConfig[k] = v;
  return resolveGlobalOptions(rawGlobals, globalConfig);
}

/** A command's section of the config file ({} when absent); InvalidOptionError when it is not a mapping. */
export function configSection(config: Record<string, unknown>, command: string): Record<string, unknown> {
  const section = Object.hasOwn(config, command) ? config[command] : undefined;
  if (section !== undefined && (typeof section !== 'object' || section === null || Array.isArray(section))) {
    throw new InvalidOptionError(`${command} (config file)`, 'a mapping of option names to values', section);
  }
  return (section ?? {}) as Record<string, unknown>;
}

/**
 * Build the context from the raw global CLI values and the (optional) config file. With
 * `interrupts`, SIGINT/SIGTERM/SIGHUP are handled for the run (the CLI; tests calling commands
 * in-process leave them alone).
 */
export async function createContext(rawGlobals: Record<string, unknown>, commandNames: readonly string[], options: { interrupts?: boolean } = {}): Promise<CommandContext> {
  const startedAt = Date.now();
  const configPath = rawGlobals['config'];
  const config = typeof configPath === 'string' ? await loadConfigFile(configPath) : {};
  const globals = resolveGlobals(rawGlobals, config, commandNames);
  const log = new Logger(globals.json && globals.logLevel === 'info' ? 'warn' : globals.logLevel);
  const scope = options.interrupts ? installInterruptHandling(log) : undefined;
  const idle = new AbortController();
  return {
    globals,
    log,
    startedAt,
    cancellable: () => scope?.cancellable() ?? idle.signal,
    interruption: () => scope?.interruption(),
    dispose: () => scope?.dispose(),
    resolve(command, records, cli) {
      return resolveOptions(records, cli, configSection(config, command));
    },
    emitJson(value) {
      if (globals.json) process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    },
  };
}
