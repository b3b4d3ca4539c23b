// Atomic output: write under a temporary name in the same folder, rename when complete.
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile, access, stat } from 'node:fs/promises';
import { constants } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { OutputError } from '../errors.js';

/** Temporary sibling path for `finalPath` (same folder, so rename is atomic); keeps the extension. */
export function tempPathFor(finalPath: string): string {
  const base = basename(finalPath);
  const dot = base.lastIndexOf('.');
  const ext = dot > 0 ? base.slice(dot) : '';
  return join(dirname(finalPath), `.afb-tmp-${randomBytes(4).toString('hex')}-${base}${ext && !base.endsWith(ext) ? ext : ''}`);
}

/** Ensure the folder that will hold `path` exists and is writable; throws OutputError naming it. */
export async function ensureWritableDir(dir: string): Promise<void> {
  try {
    await makeDirs(resolve(dir));
    await access(dir, constants.W_OK);
  } catch (cause) {
    throw new OutputError(dir, 'Output folder is not writable', { cause });
  }
  // An existing file where the folder should be passes both checks above (it exists, it is writable).
  if (!(await stat(dir)).isDirectory()) throw new OutputError(dir, 'Output folder is a file, not a folder');
}

/**
 * mkdir -p, one level at a time. Node's `mkdir(..., {recursive: true})` never settles for some
 * paths where the parent exists but refuses children with ENOENT (e.g. `/proc/x` on Linux).
 */
async function makeDirs(dir: string): Promise<void> {
  const missing: string[] = [];
  let cur = dir;
  for (;;) {
    try {
      await access(cur);
      break;
    } catch {
      missing.push(cur);
      const parent = dirname(cur);
      if (parent === cur) break;
      cur = parent;
    }
  }
  for (const d of missing.reverse()) {
    try {
      await mkdir(d);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/**
 * Run `write(tmpPath)` then rename tmpPath -> finalPath. On any failure the temporary
 * file is removed and the original error is rethrown (a cleanup error never replaces it).
 */
export async function writeAtomically<T>(finalPath: string, write: (tmpPath: string) => Promise<T>): Promise<T> {
  await ensureWritableDir(dirname(finalPath));
  const tmp = tempPathFor(finalPath);
  try {
    const result = await write(tmp);
    await rename(tmp, finalPath);
    return result;
  } catch (error) {
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }
}

/** Write a whole buffer/string atomically. */
export async function writeFileAtomic(finalPath: string, data: string | Uint8Array): Promise<void> {
  await writeAtomically(finalPath, (tmp) => writeFile(tmp, data));
}
