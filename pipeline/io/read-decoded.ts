// Reading a file and decoding it with a pure decoder: the one place that turns an unreadable file
// and a FormatError into an InputError naming the file. Any other error is a bug and stays visible.
import { readFile } from 'node:fs/promises';
import { FormatError, InputError } from '../errors.js';

/** Run `decode`; a FormatError becomes `InputError: Invalid <kind> (<reason>): <path>`. */
export function decodeNamed<T>(path: string, kind: string, decode: () => T): T {
  try {
    return decode();
  } catch (cause) {
    if (!(cause instanceof FormatError)) throw cause;
    throw new InputError(path, `Invalid ${kind} (${cause.message})`, { cause });
  }
}

/** Read `path` and decode its bytes; `Cannot read <kind>` or `Invalid <kind> (...)` as InputError. */
export async function readDecoded<T>(path: string, kind: string, decode: (bytes: Uint8Array) => T): Promise<T> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    throw new InputError(path, `Cannot read ${kind}`, { cause });
  }
  return decodeNamed(path, kind, () => decode(bytes));
}
