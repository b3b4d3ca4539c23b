// Running the compiled CLI as users do (node bin/afb.js) from tests; dist/ is built by the vitest
// globalSetup before any suite runs.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './media.js';

/** How a CLI run ended and what it printed. */
export interface CliResult { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** A CLI process still running (servers, workers): its child and a promise of its result. */
export interface RunningCli {
  readonly child: ChildProcess;
  readonly done: Promise<CliResult>;
}

/** Where and how to start the CLI (default: in the repository root, this process's environment). */
export interface StartOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Command put before `node bin/afb.js ...` (e.g. a shell that sets a resource limit, then execs). */
  readonly prefix?: readonly string[];
}

/** Start `afb ...args` in `cwd` (default: the repository root); `done` never rejects on a non-zero exit. */
export function startAfb(args: readonly string[], where: string | StartOptions = REPO_ROOT): RunningCli {
  const o: StartOptions = typeof where === 'string' ? { cwd: where } : where;
  const command = [...(o.prefix ?? []), process.execPath, join(REPO_ROOT, 'bin/afb.js'), ...args];
  const child = spawn(command[0]!, command.slice(1), {
    cwd: o.cwd ?? REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], ...(o.env ? { env: o.env } : {}),
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

/** Run `afb ...args` in `cwd` (default: the repository root); never rejects on a non-zero exit. */
export function runAfb(args: readonly string[], where: string | StartOptions = REPO_ROOT): Promise<CliResult> {
  return startAfb(args, where).done;
}
