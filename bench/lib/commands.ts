// Running afb and other commands from benchmarks, in the package root.
import { spawn } from 'node:child_process';
import { join, relative } from 'node:path';
import { packageRoot } from '../../pipeline/video/defaults.js';

export const ROOT = packageRoot();

/** A path relative to the package root (as the commands are run there). */
export function rel(path: string): string {
  return relative(ROOT, path) || '.';
}

/** Run `node bin/afb.js ARGS`; resolves to stdout; stderr (progress) goes to ours. */
export function afb(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'afb.js'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`afb ${args.join(' ')} exited with ${code}`))));
  });
}

/** Run a command with inherited output; rejects on a non-zero exit. */
export function run(cmd: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}`))));
  });
}
