// Atomic output: write under a temporary name in the same folder, rename when complete.
import { mkdir, rename, rm, writeFile, access, stat } from 'node:fs/promises';
import { constants } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { OutputError } from '../errors.js';
import { tempName, trackCreatedDir, trackTemp, untrackTemp } from './temp-files.js';

/**
 * Temporary sibling path for `finalPath` (same folder, so rename is atomic), keeping the extension
 * (ffmpeg picks the container from it); registered as open until renamed or removed (untrackTemp).
 */
export function tempPathFor(finalPath: string): string {
  const path = join(dirname(finalPath), tempName('tmp', basename(finalPath)));
  trackTemp(path);
  return path;
}

/**
 * Check, leaving nothing behind, that an output can be made at `dir`: it is a writable folder, or it
 * does not exist yet and its nearest existing ancestor is a writable folder. Write permission is not
 * enough (root has it everywhere, and some file systems such as /proc refuse new entries anyway): an
 * empty file under afb's temporary name is created there and removed at once. OutputError naming it.
 */
export async function checkWritableLocation(dir: string): Promise<void> {
  let cur = resolve(dir);
  for (;;) {
    const st = await stat(cur).catch(() => undefined);
    if (st) {
      if (!st.isDirectory()) throw new OutputError(dir, cur === resolve(dir) ? 'Output folder is a file, not a folder' : `Output folder cannot be made: ${cur} is a file`);
      const probe = join(cur, tempName('tmp', 'probe'));
      try {
        await writeFile(probe, '', { flag: 'wx' }); // the probe is the test (EACCES, EROFS, ENOENT under /proc...)
      } catch (cause) {
        throw new OutputError(dir, cur === resolve(dir) ? 'Output folder is not writable' : `Output folder is not writable (${cur} refuses new entries)`, { cause });
      } finally {
        await rm(probe, { force: true }).catch(() => undefined);
      }
      return;
    }
    const parent = dirname(cur);
    if (parent === cur) throw new OutputError(dir, 'Output folder is not writable');
    cur = parent;
  }
}

/** Ensure the folder that will hold `path` exists and is writable (creating it); throws OutputError naming it. */
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
      trackCreatedDir(d);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/** A file-system error (ENOSPC, EACCES...) while writing `path` as an OutputError naming it; other errors unchanged. */
export function asOutputError(path: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (error instanceof OutputError || typeof code !== 'string') return error;
  const reason = code === 'ENOSPC' ? 'No space left on the device'
    : code === 'EDQUOT' ? 'Disk quota exceeded'
      : code === 'EFBIG' ? 'File size limit exceeded (EFBIG)'
        : `Cannot write output (${code})`;
  return new OutputError(path, reason, { cause: error });
}

/**
 * Run `write(tmpPath)` then rename tmpPath -> finalPath. On any failure the temporary
 * file is removed and the original error is rethrown (a cleanup error never replaces it);
 * file-system errors become an OutputError naming finalPath.
 */
export async function writeAtomically<T>(finalPath: string, write: (tmpPath: string) => Promise<T>): Promise<T> {
  await ensureWritableDir(dirname(finalPath));
  return writeThenCommit(tempPathFor(finalPath), finalPath, write, rename);
}

/**
 * Fill the (tracked) temporary path `tmp` with `write`, then `commit` it to `finalPath`; on any
 * failure remove `tmp` and rethrow (file-system errors as an OutputError naming finalPath).
 */
export async function writeThenCommit<T>(tmp: string, finalPath: string, write: (tmp: string) => Promise<T>, commit: (tmp: string, finalPath: string) => Promise<void>): Promise<T> {
  try {
    const result = await write(tmp);
    await commit(tmp, finalPath);
    return result;
  } catch (error) {
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw asOutputError(finalPath, error);
  } finally {
    untrackTemp(tmp);
  }
}

/** Write a whole buffer/string atomically. */
export async function writeFileAtomic(finalPath: string, data: string | Uint8Array): Promise<void> {
  await writeAtomically(finalPath, (tmp) => writeFile(tmp, data));
}
