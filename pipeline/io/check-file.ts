// A file named on the command line (an input, a model, a guidance file) must exist and be a file
// before anything starts.
import { stat } from 'node:fs/promises';
import { InputError } from '../errors.js';

/** InputError naming `path` unless it is an existing file; `what` starts the message ("Model file"). */
export async function checkFile(path: string, what: string): Promise<void> {
  const st = await stat(path).catch((cause: unknown) => {
    throw new InputError(path, `${what} not found`, { cause });
  });
  if (!st.isFile()) throw new InputError(path, `${what} is not a file`);
}
