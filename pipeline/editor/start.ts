// Start an editor: check every input (image, annotation, models, export folder) before any worker
// starts, then the worker pool, the session and the server. Used by `afb edit` and the tests.
import { access, readFile } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { checkEnsembleMethod } from '../../configs/model-options.js';
import type { OptionValues } from '../../configs/option-schema.js';
import type { EDIT_OPTIONS } from '../../configs/edit-options.js';
import type { Region } from '../../web/editor/protocol.js';
import { InputError, InvalidOptionError } from '../errors.js';
import { DecomposePool } from '../frame/pool.js';
import { chooseTile, memoryBudgetBytes } from '../frame/tile-policy.js';
import { ensureWritableDir } from '../io/atomic.js';
import { readImage } from '../io/image.js';
import { readMotionFile } from '../io/motion-io.js';
import type { Logger } from '../log.js';
import { resolveAutoMethod, resolveMethodModel, resolveModelPath } from '../video/defaults.js';
import { loadEditorAssets } from './assets.js';
import { EXPORT_NAMES } from './export.js';
import { HttpError } from './http-util.js';
import { importRegions } from './import.js';
import type { KnownMotion } from './known-motion.js';
import { startEditorServer, type EditorServer } from './server.js';
import { EditorSession } from './session.js';

/** Resolved options of `afb edit`. */
export type EditOptions = OptionValues<typeof EDIT_OPTIONS>;

/** A running editor: its server and session; close() stops both. */
export interface Editor {
  readonly server: EditorServer;
  readonly session: EditorSession;
  close(): Promise<void>;
}

/** Extra settings the tests use. */
export interface EditorExtras {
  readonly maxBodyBytes?: number;
  readonly token?: string;
}

async function initialRegions(path: string | undefined, width: number, height: number): Promise<Region[]> {
  if (path === undefined) return [];
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new InputError(path, 'Cannot read labelme annotation', { cause });
  }
  try {
    return [...importRegions(text, width, height).regions];
  } catch (error) {
    if (error instanceof HttpError) throw new InputError(path, error.message);
    throw error;
  }
}

/** The predictor to use for Suggest, or why there is none (a missing explicit --predictor is an error). */
async function predictorFor(explicit: string | undefined): Promise<{ predictorPath?: string; predictorError?: string }> {
  if (explicit !== undefined) {
    await access(explicit).catch((cause: unknown) => {
      throw new InputError(explicit, 'Guidance predictor not found', { cause });
    });
    return { predictorPath: explicit };
  }
  try {
    return { predictorPath: resolveModelPath(undefined, 'predictor') };
  } catch (error) {
    return { predictorError: (error as Error).message };
  }
}

/**
 * The known motion (--motion, read at the image's size) and the method that decomposes with it,
 * resolved as `afb decompose` does; without --motion only the guidance method can run.
 */
async function knownMotion(o: EditOptions, width: number, height: number): Promise<KnownMotion | undefined> {
  const field = o.motion === undefined ? undefined : await readMotionFile(o.motion, width, height);
  const method = await resolveAutoMethod(o.method, o.model, field !== undefined);
  if (!field) {
    if (method !== 'guidance') throw new InvalidOptionError('--method', 'guidance without --motion FILE (learned and physics need the motion: how far things moved)', method);
    return undefined;
  }
  return { path: o.motion!, field, method, exposure: o.exposure };
}

/** Start `afb edit IMAGE` with resolved options; `workers` x `threads` run the decomposer. */
export async function startEditor(imagePath: string, o: EditOptions, run: { workers: number; threads: number; log: Logger }, extras: EditorExtras = {}): Promise<Editor> {
  const image = await readImage(imagePath);
  const motion = await knownMotion(o, image.width, image.height);
  const regions = await initialRegions(o.labelme, image.width, image.height);
  if (o.output !== undefined) {
    const inputs = [imagePath, o.labelme, o.motion].filter((p) => p !== undefined).map((p) => resolve(p));
    const clash = EXPORT_NAMES.map((n) => resolve(join(o.output!, n))).find((p) => inputs.includes(p));
    if (clash) throw new InvalidOptionError('-o/--output', 'a folder where Export does not overwrite an input', clash);
    await ensureWritableDir(o.output);
  }
  // The pool holds the network of the method Animate runs: the guidance-only one without a known
  // motion, the motion-aware one for learned, none for physics.
  const method = motion?.method ?? 'guidance';
  checkEnsembleMethod(o.ensemble, method);
  const modelPath = resolveMethodModel(method, o.model);
  const models = method === 'guidance' ? { modelPath: modelPath! } : method === 'learned' ? { motionModelPath: modelPath! } : {};
  const predictor = await predictorFor(o.predictor);
  const assets = await loadEditorAssets();
  const budget = memoryBudgetBytes(o.memory, run.workers, totalmem()) / run.workers;
  const { tile } = chooseTile(o.tile, image.width, image.height, budget, method, o.ensemble);
  const pool = await DecomposePool.create({ ...models, provider: o.provider, workers: run.workers, threads: run.threads, warn: (m) => run.log.warn(m) });
  try {
    const session = new EditorSession({
      imagePath, image, pool, tile, consistency: o.consistency, ensemble: o.ensemble, directions: o.directions, samples: o.samples, seed: o.seed,
      provider: pool.provider, threads: run.threads, regions, log: run.log, ...predictor, ...(motion ? { motion } : {}),
      ...(o.output !== undefined ? { outputDir: o.output } : {}),
    });
    const server = await startEditorServer({ session, assets, host: o.host, port: o.port, log: run.log, ...extras });
    return {
      server,
      session,
      close: async () => {
        await server.close();
        await pool.close();
      },
    };
  } catch (error) {
    await pool.destroy();
    throw error;
  }
}
