// Batch conversion: expand inputs (several files, a folder of videos, a glob) into jobs, run them
// through a p-queue sharing one worker pool, skip finished outputs (resume), report failures.
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import PQueue from 'p-queue';
import { AfbError, CancelledError, InputError } from '../errors.js';
import type { Logger } from '../log.js';

/** Extensions taken as videos when a folder is expanded. */
export const BATCH_VIDEO_EXTENSIONS: readonly string[] = ['.mp4', '.mkv', '.mov', '.webm', '.avi', '.m4v', '.mpg', '.mpeg', '.ts', '.gif'];
const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg'];

/** Inputs after expansion; `batch` says whether -o names a folder of outputs. */
export interface ExpandedInputs {
  readonly inputs: string[];
  readonly batch: boolean;
}

/** Shell-style wildcard (* and ?) on one path component -> RegExp. */
export function globToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${body}$`);
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isDirectory(), () => false);
}

/**
 * Expand the command line inputs: a quoted glob (`dir/*.mp4`) matches files in its folder; a
 * folder holding videos becomes those videos (a folder of images stays one frame-folder input).
 */
export async function expandInputs(args: readonly string[]): Promise<ExpandedInputs> {
  const out: string[] = [];
  let batch = args.length > 1;
  for (const arg of args) {
    if (/[*?]/.test(basename(arg))) {
      const dir = dirname(arg);
      const re = globToRegExp(basename(arg));
      const names = await readdir(dir).catch((cause: unknown) => {
        throw new InputError(dir, 'Cannot read the folder of a glob', { cause });
      });
      // Like a shell, a wildcard never matches hidden names (afb's own .afb-tmp-* files among them).
      const hits = names.filter((n) => !n.startsWith('.') && re.test(n)).sort().map((n) => join(dir, n));
      if (hits.length === 0) throw new InputError(arg, 'No file matches the pattern');
      out.push(...hits);
      batch = true;
    } else if (await isDirectory(arg)) {
      const names = (await readdir(arg)).filter((n) => !n.startsWith('.')).sort();
      const videos = names.filter((n) => BATCH_VIDEO_EXTENSIONS.includes(extname(n).toLowerCase()));
      const images = names.filter((n) => IMAGE_EXTENSIONS.includes(extname(n).toLowerCase()));
      if (videos.length > 0 && images.length === 0) {
        out.push(...videos.map((n) => join(arg, n)));
        batch = true;
      } else out.push(arg);
    } else {
      // A named input must exist (a typo stops the run before anything starts, even in a batch).
      const st = await stat(arg).catch((cause: unknown) => {
        throw new InputError(arg, 'Input not found', { cause });
      });
      if (!st.isFile()) throw new InputError(arg, 'Input is not a file or a folder');
      out.push(arg);
    }
  }
  return { inputs: out, batch };
}

/** Two inputs must not write the same output (e.g. a.mp4 and a.mov with --container mp4): InputError naming both. */
export function checkDistinctOutputs(pairs: readonly { input: string; output: string }[]): void {
  const outputs = new Map<string, string>();
  for (const p of pairs) {
    const other = outputs.get(p.output);
    if (other) throw new InputError(p.input, `Two inputs would write the same output ${p.output} (also ${other})`);
    outputs.set(p.output, p.input);
  }
}

/** Output path of one input in batch mode: DIR/<name>.<container>, or DIR/<name>/ for png. */
export function batchOutputPath(input: string, outDir: string, container: string): string {
  const name = basename(input.replace(/[\\/]+$/, ''), extname(input));
  return container === 'png' ? join(outDir, name) : join(outDir, `${name}.${container}`);
}

/** Outcome of one file. */
export interface BatchEntry {
  readonly input: string;
  readonly output: string;
  readonly status: 'done' | 'skipped' | 'failed';
  readonly reason?: string;
  readonly summary?: unknown;
}

/** Final report of a batch. */
export interface BatchSummary {
  readonly done: number;
  readonly skipped: number;
  readonly failed: number;
  readonly entries: BatchEntry[];
}

/**
 * Run `convert` over every (input, output) pair, `jobs` at a time. Existing outputs are skipped
 * (they only appear when complete) unless `force`. A failing file is logged and the others go on;
 * a cancel stops everything.
 */
export async function runBatch(
  pairs: readonly { input: string; output: string }[],
  convert: (input: string, output: string) => Promise<unknown>,
  options: { jobs: number; force: boolean; log: Logger },
): Promise<BatchSummary> {
  checkDistinctOutputs(pairs);
  const queue = new PQueue({ concurrency: options.jobs });
  const entries: BatchEntry[] = new Array(pairs.length);
  let cancelled: unknown;
  await Promise.all(pairs.map((p, i) => queue.add(async () => {
    if (cancelled) return;
    if (!options.force && (await stat(p.output).then(() => true, () => false))) {
      options.log.info(`skip ${p.input}: ${p.output} exists (use --force to redo)`);
      entries[i] = { ...p, status: 'skipped', reason: 'output exists' };
      return;
    }
    try {
      const summary = await convert(p.input, p.output);
      entries[i] = { ...p, status: 'done', summary };
    } catch (error) {
      if (error instanceof CancelledError) {
        cancelled = error;
        queue.clear();
        return;
      }
      const reason = error instanceof AfbError ? `${error.name}: ${error.message}` : String((error as Error)?.message ?? error);
      options.log.error(`failed ${p.input}: ${reason}`);
      entries[i] = { ...p, status: 'failed', reason };
    }
  })));
  if (cancelled) throw cancelled;
  const list = entries.filter((e) => e !== undefined);
  return {
    done: list.filter((e) => e.status === 'done').length,
    skipped: list.filter((e) => e.status === 'skipped').length,
    failed: list.filter((e) => e.status === 'failed').length,
    entries: list,
  };
}
