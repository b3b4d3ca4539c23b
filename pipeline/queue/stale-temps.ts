// Temporary outputs left by a worker that was killed (kill -9, power loss) before it could clean
// up: the next attempt of the same job removes them. Only afb's own temporary names are touched.
import { readdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** True when `name` is an afb temporary name (pipeline/io/atomic.ts) for the final name `base`. */
export function isTempNameFor(name: string, base: string): boolean {
  const prefix = /^\.afb-tmp-[0-9a-f]{8}-/.exec(name);
  return prefix !== null && name.slice(prefix[0].length) === base;
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
