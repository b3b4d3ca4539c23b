// What every command receives: resolved global options, its config-file section and a logger.
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { resolveGlobalOptions, type GlobalOptions } from '../../configs/global-options.js';
import { resolveOptions, type OptionRecord, type OptionValues } from '../../configs/option-schema.js';
import { InputError, InvalidOptionError } from '../errors.js';
import { Logger } from '../log.js';

/** Everything a command needs besides its own arguments. */
export interface CommandContext {
  readonly globals: GlobalOptions;
  readonly log: Logger;
  /** Resolve this command's own options: CLI > config file section `[command]` > default. */
  resolve<R extends readonly OptionRecord<unknown>[]>(command: string, records: R, cli: Record<string, unknown>): OptionValues<R>;
  /** Print the JSON summary on stdout when --json was given. */
  emitJson(value: unknown): void;
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
  let value: unknown;
  try {
    value = ext === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (cause) {
    throw new InputError(path, `Config file is not valid ${ext === '.json' ? 'JSON' : 'YAML'}`, { cause });
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new InputError(path, 'Config file must hold a mapping of option names to values');
  return value as Record<string, unknown>;
}

/** Build the context from the raw global CLI values and the (optional) config file. */
export async function createContext(rawGlobals: Record<string, unknown>, commandNames: readonly string[]): Promise<CommandContext> {
  const configPath = rawGlobals['config'];
  const config = typeof configPath === 'string' ? await loadConfigFile(configPath) : {};
  const globalConfig: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) if (!commandNames.includes(k)) globalConfig[k] = v;
  const globals = resolveGlobalOptions(rawGlobals, globalConfig);
  const log = new Logger(globals.json && globals.logLevel === 'info' ? 'warn' : globals.logLevel);
  return {
    globals,
    log,
    resolve(command, records, cli) {
      const section = config[command];
      if (section !== undefined && (typeof section !== 'object' || section === null || Array.isArray(section))) {
        throw new InvalidOptionError(`${command} (config file)`, 'a mapping of option names to values', section);
      }
      return resolveOptions(records, cli, (section ?? {}) as Record<string, unknown>);
    },
    emitJson(value) {
      if (globals.json) process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    },
  };
}
