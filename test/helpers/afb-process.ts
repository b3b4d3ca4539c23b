// Run the compiled afb CLI as a child process (tests of commands that start processes or servers).
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './media.js';

/** What a finished CLI run printed and how it ended. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A CLI process still running: its child and a promise of its result. */
export interface RunningCli {
  readonly child: ChildProcess;
  readonly done: Promise<CliResult>;
  /** stderr so far. */
  stderr(): string;
}

/** Start `afb ARGS...` (compiled; run ensureBuilt() first). */
export function startAfb(args: readonly string[]): RunningCli {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/afb.js'), ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done, stderr: () => stderr };
}

/** Run `afb ARGS...` to the end. */
export function runAfb(args: readonly string[]): Promise<CliResult> {
  return startAfb(args).done;
}
