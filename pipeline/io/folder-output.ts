// Folder outputs (PNG frame folders, `afb decompose` animations): built under a temporary name,
// marked as afb's own, and swapped into place whole. An existing folder is replaced only when afb
// wrote it (it holds the marker) or is empty, unless the user forces it.
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { OutputError } from '../errors.js';
import { ensureWritableDir, writeThenCommit } from './atomic.js';
import { isTempName, tempName, trackTemp, untrackTemp } from './temp-files.js';

/** File afb leaves in every folder it writes: a folder holding it may be replaced by a later run. */
export const OUTPUT_MARKER = '.afb-output';

/**
 * Check before any work that `dir` may become (or be replaced by) an output folder: it does not
 * exist, is empty, or holds afb's marker; a folder holding anything else is refused unless `force`.
 * OutputError naming the folder, one of the files afb did not write and how to go on.
 */
export async function checkFolderOutput(dir: string, options: { force: boolean; forceFlag?: string }): Promise<void> {
  const st = await stat(dir).catch(() => undefined);
  if (!st) return;
  if (!st.isDirectory()) throw new OutputError(dir, 'The output should be a folder but a file of that name exists');
  const names = (await readdir(dir)).filter((n) => !isTempName(n));
  if (names.length === 0 || names.includes(OUTPUT_MARKER) || options.force) return;
  const shown = names.slice(0, 3).map((n) => JSON.stringify(n)).join(', ');
  throw new OutputError(dir, `The output folder holds ${names.length} file(s) afb did not write (${shown}${names.length > 3 ? ', ...' : ''}); `
    + `afb replaces the whole folder, so it stops here: choose a new or empty folder, or pass ${options.forceFlag ?? '--force'} to replace it`);
}

/** Move folder `from` to `to`; an existing `to` is replaced (moved aside first, then removed). */
export async function replaceDir(from: string, to: string): Promise<void> {
  const exists = await stat(to).then((s) => s.isDirectory(), () => false);
  if (!exists) {
    await rename(from, to);
    return;
  }
  const aside = join(dirname(to), tempName('old', basename(to)));
  trackTemp(aside);
  try {
    await rename(to, aside);
    try {
      await rename(from, to);
    } catch (error) {
      await rename(aside, to).catch(() => undefined);
      throw error;
    }
    await rm(aside, { recursive: true, force: true });
  } finally {
    untrackTemp(aside);
  }
}

/** Create the temporary folder for output folder `dir` (with afb's marker); returns its path. */
export async function createTempFolder(dir: string): Promise<string> {
  const parent = dirname(dir);
  await ensureWritableDir(parent);
  const tmp = join(parent, tempName('tmp', basename(dir)));
  trackTemp(tmp);
  try {
    await mkdir(tmp);
    await writeFile(join(tmp, OUTPUT_MARKER), 'This folder was written by afb; a later afb run may replace it.\n');
  } catch (cause) {
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    untrackTemp(tmp);
    throw new OutputError(parent, 'Output folder is not writable', { cause });
  }
  return tmp;
}

/**
 * Write a whole folder as one unit: `write(tmpDir)` fills a temporary folder next to `dir`, which
 * then replaces `dir` (see checkFolderOutput for when that is allowed: call it first). On any
 * failure the temporary folder is removed and nothing at `dir` changes; file-system errors become
 * an OutputError naming `dir`.
 */
export async function writeFolderAtomically<T>(dir: string, write: (tmpDir: string) => Promise<T>): Promise<T> {
  return writeThenCommit(await createTempFolder(dir), dir, write, replaceDir);
}
