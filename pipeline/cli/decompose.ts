// `afb decompose IMAGE -o DIR`: 7 sharp frames from one blurry image, guided by a file or by N
// predictor samples.
import { availableParallelism, totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import { checkEnsembleMethod } from '../../configs/model-options.js';
import { DECOMPOSE_OPTIONS } from '../../configs/video-options.js';
import { InvalidOptionError } from '../errors.js';
import { checkWritableLocation } from '../io/atomic.js';
import { checkFile } from '../io/check-file.js';
import { checkFolderOutput } from '../io/folder-output.js';
import { checkOutputsAgainstInputs } from '../io/output-guard.js';
import { removeStaleTemps } from '../io/temp-files.js';
import { runDecompose } from '../decompose.js';
import { resolveAutoMethod, resolveMethodModel, resolveModelPath } from '../video/defaults.js';
import { memoryBudgetBytes } from '../frame/tile-policy.js';
import type { CommandContext } from './context.js';
import { defineCommand } from './define-command.js';

async function run(image: string, cli: Record<string, unknown>, ctx: CommandContext): Promise<void> {
  const outDir = cli['output'];
  if (typeof outDir !== 'string' || outDir === '') throw new InvalidOptionError('-o/--output', 'an output folder', outDir);
  const o = ctx.resolve('decompose', DECOMPOSE_OPTIONS, cli);
  // Everything is checked before the model loads or anything is written.
  await checkFile(image, 'Image');
  if (o.motion !== undefined) {
    if (!/\.(flo|npy)$/i.test(o.motion)) throw new InvalidOptionError('--motion', 'a .flo or .npy motion file', o.motion);
    await checkFile(o.motion, 'Motion file');
    if (o.samples > 1) throw new InvalidOptionError('--samples', '1 with --motion (the motion is known)', o.samples, 'range');
  }
  const method = await resolveAutoMethod(o.method, o.model, o.motion !== undefined);
  if (method !== 'guidance' && o.motion === undefined) {
    throw new InvalidOptionError('--method', 'guidance without --motion FILE (learned and physics need the motion: how far things moved)', method);
  }
  if (o.motion === undefined && o.guidance !== 'predict') {
    await checkFile(o.guidance, 'Guidance file');
    if (o.samples > 1) throw new InvalidOptionError('--samples', '1 unless --guidance predict', o.samples, 'range');
  }
  checkEnsembleMethod(o.ensemble, method);
  const modelPath = resolveMethodModel(method, o.model) ?? '';
  const predictorPath = o.guidance === 'predict' && o.motion === undefined ? resolveModelPath(o.predictor, 'predictor') : undefined;
  if (modelPath) await checkFile(modelPath, 'Model file');
  if (predictorPath) await checkFile(predictorPath, 'Predictor model file');
  // DIR is replaced whole: never a folder holding an input, never one afb did not write (unless --force).
  const guidanceFile = o.motion === undefined && o.guidance !== 'predict' ? o.guidance : undefined;
  const inputs = [image, modelPath, o.motion, guidanceFile, predictorPath].filter((p): p is string => !!p);
  await checkOutputsAgainstInputs(inputs, [{ path: outDir, kind: 'folder' }]);
  await checkFolderOutput(outDir, { force: o.force });
  const location = dirname(resolve(outDir));
  await checkWritableLocation(location);
  for (const p of await removeStaleTemps(location, ctx.startedAt)) ctx.log.info(`removed ${p}, left by an interrupted run`);
  // One image: give the single session every core of the budget.
  const threads = Math.max(1, Math.min(availableParallelism(), ctx.globals.workers * ctx.globals.threads));
  const summary = await runDecompose({
    image, outDir, method, modelPath, guidance: o.guidance, exposure: o.exposure, ensemble: o.ensemble, ...(o.motion !== undefined ? { motionPath: o.motion } : {}), samples: o.samples, seed: o.seed, provider: o.provider, threads,
    tile: o.tile, consistency: o.consistency, gif: o.gif, mp4: o.mp4, tileBudgetBytes: memoryBudgetBytes(o.memory, 4, totalmem()) /* one image at a time: 3 GiB default, 1080p runs whole */, log: ctx.log,
    signal: ctx.cancellable(),
    ...(predictorPath ? { predictorPath } : {}),
  });
  ctx.log.info(`decomposed ${image} (${summary.width}x${summary.height}) into ${summary.outputs.length} animation(s) in ${summary.seconds.toFixed(1)} s`);
  ctx.emitJson({ ...summary, model: modelPath || null });
}

/** The `decompose` command. */
export const decomposeCommand = defineCommand('decompose', 'recover 7 sharp frames from one motion-blurred image: DIR/000.png..006.png (DIR/s{k}/ for several predictor samples)', {
  args: [['<image>', 'blurry image (PNG/JPEG)']],
  required: ['-o, --output <dir>', 'output folder'],
  records: DECOMPOSE_OPTIONS,
  run: ([image], cli, ctx) => run(image as string, cli, ctx),
});
