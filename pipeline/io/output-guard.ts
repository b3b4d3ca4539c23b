// An input is never an output: before any work, every output afb is about to write is compared
// with every input, by file identity (device and inode: symlinks, hard links, `../x/./y`
// spellings) and by real path, and a folder that afb would replace whole must not hold an input.
import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { OutputError } from '../errors.js';

/** An output afb is about to write: a file, or a folder it replaces whole. */
export interface PlannedOutput {
  readonly path: string;
  readonly kind: 'file' | 'folder';
}

interface InputIdentity {
  readonly input: string;
  readonly real: string;
  readonly dev: number;
  readonly ino: number;
}

/** Real path of a path that may not exist yet: the real path of its nearest existing ancestor, plus the rest. */
export async function realPathLoose(path: string): Promise<string> {
  const abs = resolve(path);
  const real = await realpath(abs).catch(() => undefined);
  if (real !== undefined) return real;
  const parent = dirname(abs);
  return parent === abs ? abs : join(await realPathLoose(parent), basename(abs));
}

async function identify(input: string): Promise<InputIdentity | undefined> {
  const st = await stat(input).catch(() => undefined);
  if (!st) return undefined; // a missing input is reported by whoever reads it
  return { input, real: await realPathLoose(input), dev: st.dev, ino: st.ino };
}

/**
 * Refuse outputs that are an input (the same file under any spelling) or, for a folder output,
 * that contain an input. OutputError naming the output and the input.
 */
export async function checkOutputsAgainstInputs(inputs: readonly string[], outputs: readonly PlannedOutput[]): Promise<void> {
  const ids = (await Promise.all(inputs.map(identify))).filter((i): i is InputIdentity => i !== undefined);
  for (const out of outputs) {
    const real = await realPathLoose(out.path);
    const st = await stat(out.path).catch(() => undefined);
    for (const id of ids) {
      if ((st && st.dev === id.dev && st.ino === id.ino) || real === id.real) {
        throw new OutputError(out.path, `The output is the input ${id.input} (the same ${st?.isDirectory() ? 'folder' : 'file'}): afb never writes over an input; choose another output`);
      }
      if (out.kind === 'folder' && id.real.startsWith(real + sep)) {
        throw new OutputError(out.path, `The output folder holds the input ${id.input}: afb replaces the whole folder, which would delete the input; choose another output folder`);
      }
    }
  }
}
