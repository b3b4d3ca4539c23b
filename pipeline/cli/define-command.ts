// One way to declare a subcommand: name, description, positional arguments, a required option and
// the option records it accepts. The action gets the positional values, the raw option values and
// the context (created after parsing, so --config and the global options apply).
import type { Command } from 'commander';
import type { OptionRecord } from '../../configs/option-schema.js';
import type { CommandContext } from './context.js';

/** A subcommand: its name and a function that adds it to the program. */
export interface CommandModule {
  readonly name: string;
  register(program: Command, getContext: () => Promise<CommandContext>): void;
}

/** What defineCommand needs besides the name and description. `run` receives one value per entry of
 * `args` (an array for `<x...>`). */
export interface CommandSpec {
  /** Positional arguments: [commander spec such as '<image>' or '[inputs...]', help]. */
  readonly args?: readonly (readonly [string, string])[];
  /** A required option such as ['-o, --output <dir>', 'output folder']. */
  readonly required?: readonly [string, string];
  readonly records: readonly OptionRecord<unknown>[];
  /** Help line of a record (default: its description). */
  readonly help?: (record: OptionRecord<unknown>) => string;
  run(positional: readonly unknown[], cli: Record<string, unknown>, ctx: CommandContext): Promise<unknown>;
}

/** Add each record's flag and help line to a commander command. */
export function addOptions(cmd: Command, records: readonly OptionRecord<unknown>[], help = (r: OptionRecord<unknown>) => r.description): Command {
  for (const record of records) cmd.option(record.flag, help(record));
  return cmd;
}

/** A CommandModule named `name` from a description and a spec. */
export function defineCommand(name: string, description: string, spec: CommandSpec): CommandModule {
  return {
    name,
    register(program: Command, getContext: () => Promise<CommandContext>): void {
      const cmd = program.command(name).description(description);
      for (const [arg, help] of spec.args ?? []) cmd.argument(arg, help);
      if (spec.required) cmd.requiredOption(spec.required[0], spec.required[1]);
      addOptions(cmd, spec.records, spec.help);
      const n = spec.args?.length ?? 0;
      cmd.action(async (...params: unknown[]) => {
        await spec.run(params.slice(0, n), params[n] as Record<string, unknown>, await getContext());
      });
    },
  };
}
