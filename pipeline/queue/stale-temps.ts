// Temporary outputs left by a worker that was killed (kill -9, power loss) before it could clean
// up: the next attempt of the same job removes them. Only afb's own temporary names are touched.
import { readdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { tempTargetName } from '../io/temp-files.js';

/** True when `name` is an afb temporary name (pipeline/io/temp-files.ts) for the final name `base`. */
export function isTempNameFor(name: string, base: string): boolean {
  return tempTargetName(name) === base;
}

/** Remove afb temporary files/folders beside `finalPath` that were meant to become it; returns their names. */
export async function removeStaleTemps(finalPath: string): Promise<string[]> {
  const dir = dirname(finalPath);
  const base = basename(finalPath);
  const names = await readdir(dir).catch(() => [] as string[]);
  const stale = names.filter((n) => isTempNameFor(n, base));
  for (const n of stale) await rm(join(dir, n), { recursive: true, force: true });
  return stale;
}
