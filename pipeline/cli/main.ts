// The `afb` command line: global options, the command registry and error reporting.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { GLOBAL_OPTIONS } from '../../configs/global-options.js';
import { AfbError, CancelledError } from '../errors.js';
import { createContext, type CommandContext } from './context.js';
import { COMMANDS } from './commands.js';
import { removeCreatedDirsIfEmpty } from '../io/temp-files.js';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Contexts handed to commands, disposed when the run ends. */
const contexts = new Set<CommandContext>();

/** Build the commander program with every registered command. */
export function createProgram(): Command {
  const program = new Command('afb')
    .description('Animation from Blur: recover 7 sharp frames from each motion-blurred frame (7x frame rate).')
    .version(packageVersion(), '-V, --version')
    .option('--config <file>', 'config file (.json or .yaml): global keys at the top, command options under the command name')
    .showHelpAfterError()
    .exitOverride();
  for (const record of GLOBAL_OPTIONS) program.option(record.flag, record.description);
  const names = COMMANDS.map((c) => c.name);
  const getContext = async () => {
    const ctx = await createContext(program.opts(), names, { interrupts: true });
    contexts.add(ctx);
    return ctx;
  };
  for (const command of COMMANDS) command.register(program, getContext);
  program.commands.forEach((c) => c.exitOverride());
  return program;
}

const ignore = (): void => undefined;

/** Run the CLI with process-style argv; resolves to the exit code (never throws). */
export async function runCli(argv: readonly string[]): Promise<number> {
  // A reader that went away (a closed pipe, the npx that started afb) must not crash the run.
  process.stdout.off('error', ignore).on('error', ignore);
  process.stderr.off('error', ignore).on('error', ignore);
  const program = createProgram();
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    // Folders made for outputs that never came stay only if something else is in them.
    removeCreatedDirsIfEmpty();
    if (error instanceof CommanderError) {
      // help/version exit with code 0; usage errors were already printed by commander
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof AfbError) {
      process.stderr.write(`afb: ${error.name}: ${error.message}\n`);
      // A run stopped by a signal exits with that signal's code (130, 143...), whatever stopped first.
      const interrupted = error instanceof CancelledError ? [...contexts].map((c) => c.interruption()).find((e) => e) : undefined;
      return interrupted?.exitCode ?? error.exitCode;
    }
    process.stderr.write(`afb: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  } finally {
    for (const ctx of contexts) ctx.dispose();
    contexts.clear();
  }
}
