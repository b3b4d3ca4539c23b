// Where the shipped models live: resolved relative to the installed package, not the working folder.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../errors.js';

/** File name of the shipped CPU decomposition model under models/. */
export const DEFAULT_MODEL_FILE = 'afb-cpu.onnx';
/** File name of the shipped guidance predictor under models/. */
export const DEFAULT_PREDICTOR_FILE = 'afb-predictor.onnx';

/** The afb package folder (the one holding package.json), from source or from dist/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'models'))) return dir;
    dir = dirname(dir);
  }
  return dirname(dirname(dirname(fileURLToPath(import.meta.url))));
}

/**
 * The model to use: the explicit path, else the shipped one. A missing shipped model is an
 * InputError saying how to get one.
 */
export function resolveModelPath(explicit: string | undefined, kind: 'decomposer' | 'predictor' = 'decomposer'): string {
  if (explicit) return explicit;
  const file = kind === 'decomposer' ? DEFAULT_MODEL_FILE : DEFAULT_PREDICTOR_FILE;
  const path = join(packageRoot(), 'models', file);
  if (!existsSync(path)) {
    const flag = kind === 'decomposer' ? '--model' : '--predictor';
    throw new InputError(path, `The shipped ${kind} model is missing (reinstall afb, or pass ${flag} FILE.onnx)`);
  }
  return path;
}
