// Job ids from content: sha256 of the input's bytes (a file, or every file of a frame folder)
// and of the canonical options, so the same work added twice is one job.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { canonicalJson } from '../io/dataset-layout.js';

async function hashFileInto(hash: ReturnType<typeof createHash>, path: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve())
      .on('error', (cause) => reject(new InputError(path, 'Cannot read the input to hash it', { cause })));
  });
}

/** sha256 (hex) of a file's bytes, or of a folder's sorted file names and their bytes (one level). */
export async function hashInput(path: string): Promise<string> {
  const info = await stat(path).catch((cause: unknown) => {
    throw new InputError(path, 'Input not found', { cause });
  });
  const hash = createHash('sha256');
  if (info.isDirectory()) {
    const names = (await readdir(path, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name).sort();
    for (const name of names) {
      hash.update(`${name}\0`);
      await hashFileInto(hash, join(path, name));
    }
  } else await hashFileInto(hash, path);
  return hash.digest('hex');
}

/**
 * BullMQ job id of a piece of work: kind, content hash, output and options in canonical JSON.
 * Ids may not be plain integers nor contain ':' (BullMQ's rules): 'afb-' + 40 hex digits.
 */
export function jobIdFor(work: { kind: string; inputHash: string; output: string; options: unknown }): string {
  return `afb-${createHash('sha256').update(canonicalJson(work)).digest('hex').slice(0, 40)}`;
}
