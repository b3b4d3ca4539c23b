// Where the shipped models live: resolved relative to the installed package, not the working folder.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_MODEL_FILES, DEFAULT_MOTION_MODEL_FILES, DEFAULT_PREDICTOR_FILES, type DecomposeMethod } from '../../configs/model-options.js';
import { InputError } from '../errors.js';
import { modelInputNames } from '../runtime/session.js';

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
export function resolveModelPath(explicit: string | undefined, kind: 'decomposer' | 'predictor' | 'motion' = 'decomposer'): string {
  if (explicit) return explicit;
  const files = kind === 'decomposer' ? DEFAULT_MODEL_FILES : kind === 'motion' ? DEFAULT_MOTION_MODEL_FILES : DEFAULT_PREDICTOR_FILES;
  const paths = files.map((f) => join(packageRoot(), 'models', f));
  const found = paths.find((p) => existsSync(p));
  if (!found) {
    const flag = kind === 'predictor' ? '--predictor' : '--model';
    throw new InputError(paths[0]!, `The shipped ${kind} model is missing (reinstall afb, or pass ${flag} FILE.onnx)`);
  }
  return found;
}

/** The model file a method runs: the explicit one, else the shipped one (none for 'physics'). */
export function resolveMethodModel(method: DecomposeMethod, explicit: string | undefined): string | undefined {
  if (method === 'physics') return undefined;
  return resolveModelPath(explicit, method === 'learned' ? 'motion' : 'decomposer');
}

/**
 * `--method auto`: with an explicit --model, the method its inputs call for (motion -> learned,
 * guidance -> guidance); without one, learned when the motion is known, else guidance.
 */
export async function resolveAutoMethod(method: DecomposeMethod | 'auto', explicitModel: string | undefined, motionKnown: boolean): Promise<DecomposeMethod> {
  if (method !== 'auto') return method;
  if (explicitModel) {
    const inputs = await modelInputNames(explicitModel);
    if (inputs.includes('motion')) return 'learned';
    if (inputs.includes('guidance')) return 'guidance';
  }
  return motionKnown ? 'learned' : 'guidance';
}
