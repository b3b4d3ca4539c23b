// A worker runs whatever paths a job names, as its own user. With --allow-paths it refuses jobs
// whose files lie outside the given folders (anyone who can write to Redis can add jobs).
import { resolve, sep } from 'node:path';
import { InputError } from '../errors.js';

/** True when `path` is `dir` or inside it (after normalising both; no symlink resolution). */
export function isInside(path: string, dir: string): boolean {
  const p = resolve(path);
  const d = resolve(dir);
  return p === d || p.startsWith(d.endsWith(sep) ? d : d + sep);
}

/** A job names a file outside the worker's --allow-paths (refused at once, never retried). */
export class PathNotAllowedError extends InputError {
  readonly allowed: readonly string[];
  constructor(path: string, allowed: readonly string[]) {
    super(path, `Path outside --allow-paths (${allowed.join(', ')})`);
    this.name = 'PathNotAllowedError';
    this.allowed = allowed;
  }
}

/** The file paths a job's data names (input, output, dataset root, photo files). */
export function jobPaths(data: unknown): string[] {
  const d = (data ?? {}) as Record<string, unknown>;
  const paths = ['input', 'output', 'root'].map((k) => d[k]).filter((v): v is string => typeof v === 'string');
  if (Array.isArray(d['photos'])) for (const p of d['photos'] as { path?: unknown }[]) if (typeof p?.path === 'string') paths.push(p.path);
  return paths;
}

/** Throw PathNotAllowedError for the first path outside every allowed folder (no list: everything allowed). */
export function checkAllowedPaths(paths: readonly string[], allowed: readonly string[] | undefined): void {
  if (!allowed) return;
  const bad = paths.find((p) => !allowed.some((d) => isInside(p, d)));
  if (bad !== undefined) throw new PathNotAllowedError(bad, allowed);
}
