// afb's own temporary names (`.afb-tmp-p<pid>-<random>-<name>`, and `.afb-old-...` for a folder
// being replaced), the registry of the ones this process has open and of the folders it created
// (so an interrupted run can remove them, even synchronously on a hard exit), and the removal of
// leftovers of runs that are gone.
import { randomBytes } from 'node:crypto';
import { rmSync, rmdirSync } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** afb's temporary names: kind, then the writer's pid (absent in names from afb 0.1), 8 hex digits, the final name. */
const TEMP_NAME = /^\.afb-(?:tmp|old)-(?:p(\d+)-)?[0-9a-f]{8}-/;

/** Temporary paths this process has open (files or folders), removed on failure or a hard exit. */
const liveTemps = new Set<string>();
/** Folders this process created for its outputs, deepest last; removed when still empty after a failure. */
const createdDirs: string[] = [];

/** A fresh temporary name for `base` (same folder as the final output, so rename is atomic). */
export function tempName(kind: 'tmp' | 'old', base: string): string {
  return `.afb-${kind}-p${process.pid}-${randomBytes(4).toString('hex')}-${base}`;
}

/** True for names afb gives its temporary files and folders. */
export function isTempName(name: string): boolean {
  return TEMP_NAME.test(name);
}

/** The final name a temporary name of afb's was made for ('out.mp4' for '.afb-tmp-p12-0a1b2c3d-out.mp4'); undefined for other names. */
export function tempTargetName(name: string): string | undefined {
  const m = TEMP_NAME.exec(name);
  return m ? name.slice(m[0].length) : undefined;
}

/** True when `name` is an afb temporary name for the final name `base`. */
export function isTempNameFor(name: string, base: string): boolean {
  return tempTargetName(name) === base;
}

/** Register a temporary path as open (before it is created). */
export function trackTemp(path: string): void {
  liveTemps.add(path);
}

/** The temporary path was renamed into place or removed. */
export function untrackTemp(path: string): void {
  liveTemps.delete(path);
}

/** Remember a folder created for an output (see removeCreatedDirsIfEmpty). */
export function trackCreatedDir(path: string): void {
  createdDirs.push(path);
}

/**
 * Synchronously remove every temporary path still open and then the folders this run created that
 * are empty: the last thing a hard exit does. Errors are ignored (nothing may stop the exit).
 */
export function removeTrackedSync(): void {
  for (const p of liveTemps) {
    try {
      rmSync(p, { recursive: true, force: true });
    } catch {
      // best effort: the process is exiting
    }
  }
  liveTemps.clear();
  removeCreatedDirsIfEmpty();
}

/** Remove the folders this run created for its outputs when they are (still) empty, deepest first. */
export function removeCreatedDirsIfEmpty(): void {
  for (const d of createdDirs.splice(0).reverse()) {
    try {
      rmdirSync(d); // fails, as it should, on a folder that holds anything
    } catch {
      // not empty, or already gone
    }
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/**
 * Remove afb's leftovers in `dir` from runs that are gone: entries with afb's temporary names,
 * last modified before `since` (ms since the epoch: this run's start) and written by a process
 * that no longer exists (names without a pid, from afb 0.1, only by age). Nothing else is touched.
 * Returns the removed paths.
 */
export async function removeStaleTemps(dir: string, since: number): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (!m || (m[1] !== undefined && isAlive(Number(m[1])))) continue;
    const path = join(dir, name);
    const mtime = await stat(path).then((s) => s.mtimeMs, () => Infinity);
    if (mtime >= since) continue;
    await rm(path, { recursive: true, force: true }).then(() => removed.push(path), () => undefined);
  }
  return removed;
}

/**
 * Remove afb's temporary files/folders beside `finalPath` that were meant to become it, whatever
 * wrote them (the queue: the next attempt of a job whose worker was killed, possibly on another
 * machine, so the pid in the name says nothing). Returns their names.
 */
export async function removeTempsFor(finalPath: string): Promise<string[]> {
  const dir = dirname(finalPath);
  const base = basename(finalPath);
  const names = await readdir(dir).catch(() => [] as string[]);
  const stale = names.filter((n) => isTempNameFor(n, base));
  for (const n of stale) await rm(join(dir, n), { recursive: true, force: true });
  return stale;
}
