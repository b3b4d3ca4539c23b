// `afb video IN... -o OUT`: 7x frame rate from motion blur, one input or a batch sharing one pool.
import { availableParallelism, totalmem } from 'node:os';
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { VIDEO_OPTIONS } from '../../configs/video-options.js';
import { InvalidOptionError } from '../errors.js';
import { checkWritableLocation } from '../io/atomic.js';
import { checkVideoContainer, extensionOf } from '../io/ffmpeg-args.js';
import { checkFolderOutput } from '../io/folder-output.js';
import { sinkKindFor } from '../io/frame-sink.js';
import { checkOutputsAgainstInputs, type PlannedOutput } from '../io/output-guard.js';
import { removeStaleTemps } from '../io/temp-files.js';
import { DecomposePool } from '../frame/pool.js';
import { batchOutputPath, checkDistinctOutputs, expandInputs, runBatch } from '../video/batch.js';
import { convertVideo } from '../video/convert.js';
import type { VideoSummary } from '../video/job.js';
import { prepareInput } from '../video/prepare-input.js';
import { checkVideoOptions, poolModels, videoDepsFor, videoInputDepsFor, videoJobFor, type VideoOptions } from '../video/session.js';
import type { CommandContext } from './context.js';
import { defineCommand } from './define-command.js';

/** Human-readable line for one finished conversion. */
export function formatVideoSummary(s: VideoSummary): string {
  const st = s.stages;
  return `wrote ${s.output} (${s.method}, exposure ${s.exposure.toFixed(2)}): ${s.outputFrames} frames (${s.inputFrames} in) at ${s.outputFps} fps, ${s.seconds.toFixed(1)} s, `
    + `${s.outputFramesPerSecond.toFixed(2)} output frames/s; stage totals decode ${(st.decode / 1000).toFixed(1)} s, `
    + `flow ${(st.flow / 1000).toFixed(1)} s, physics ${(st.physics / 1000).toFixed(1)} s, inference ${(st.inference / 1000).toFixed(1)} s (all workers), encode ${(st.encode / 1000).toFixed(1)} s; tiles ${s.tile}`;
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then((st) => st.isDirectory(), () => false);
}

/**
 * Check the output path and say what will be written: one file or PNG folder, or in batch mode a
 * folder of outputs (a path with a video extension is refused there: it would become a folder).
 */
async function planOutputs(inputs: readonly string[], output: string, batch: boolean, o: VideoOptions): Promise<{ pairs: { input: string; output: string }[]; planned: PlannedOutput[] }> {
  if (batch) {
    if (extensionOf(output) !== '' && !(await isDirectory(output))) {
      throw new InvalidOptionError('-o/--output', `a folder for ${inputs.length} inputs (batch mode: one output per input, --container ${o.container})`, output);
    }
    const pairs = inputs.map((input) => ({ input, output: batchOutputPath(input, output, o.container) }));
    checkDistinctOutputs(pairs);
    return { pairs, planned: pairs.map((p) => ({ path: p.output, kind: o.container === 'png' ? 'folder' : 'file' })) };
  }
  const kind = await sinkKindFor(output);
  if (kind === 'video') checkVideoContainer(o.codec, output, '-o/--output');
  return { pairs: [{ input: inputs[0]!, output }], planned: [{ path: output, kind: kind === 'png-folder' ? 'folder' : 'file' }] };
}

async function runVideo(args: string[], cli: Record<string, unknown>, ctx: CommandContext): Promise<void> {
  const output = cli['output'];
  if (typeof output !== 'string' || output === '') throw new InvalidOptionError('-o/--output', 'an output path', output);
  const o = ctx.resolve('video', VIDEO_OPTIONS, cli);
  const { log, globals } = ctx;
  const signal = ctx.cancellable();
  // Everything is checked before any worker or ffmpeg process starts (only ffprobe reads the input).
  const { inputs, batch } = await expandInputs(args);
  const { pairs, planned } = await planOutputs(inputs, output, batch, o);
  const models = await checkVideoOptions(o);
  const { method, modelPath } = models;
  // An input (video, frames, model, guidance file) is never an output, nor inside a folder afb replaces.
  await checkOutputsAgainstInputs([...inputs, ...models.files], planned);
  if (!batch && planned[0]!.kind === 'folder') await checkFolderOutput(output, { force: o.force });
  const location = batch ? output : dirname(resolve(output));
  await checkWritableLocation(location);
  const cores = availableParallelism();
  if (globals.workers * globals.threads > cores) {
    log.warn(`--workers ${globals.workers} x --threads ${globals.threads} exceeds the ${cores} cores: expect contention`);
  }
  const env = { workers: globals.workers, totalMemory: totalmem(), log, signal, progress: !globals.json && log.enabled('info') };
  // One input: probe it and make its motion source now, so that a bad input fails before the pool starts.
  const guidanceFile = o.guidance !== 'video' && o.guidance !== 'predict' ? o.guidance : undefined;
  const prepared = batch ? undefined : await prepareInput(videoJobFor(inputs[0]!, output, o, method), videoInputDepsFor(o, models, env), guidanceFile)
    .catch((error: unknown) => {
      throw signal.aborted ? signal.reason : error;
    });
  let pool: DecomposePool | undefined;
  try {
    for (const p of await removeStaleTemps(location, ctx.startedAt)) log.info(`removed ${p}, left by an interrupted run`);
    pool = await DecomposePool.create({
      ...poolModels(models), provider: o.provider, workers: globals.workers, threads: globals.threads, warn: (m) => log.warn(m),
    });
    if (signal.aborted) throw signal.reason;
    log.info(`method ${method}${modelPath ? `, model ${modelPath}` : ''} on ${pool.provider}, ${globals.workers} worker(s) x ${globals.threads} thread(s)`);
    const deps = videoDepsFor(o, models, pool, env);
    if (!batch) {
      const summary = await convertVideo(videoJobFor(inputs[0]!, output, o, method), deps, prepared);
      log.info(formatVideoSummary(summary));
      ctx.emitJson({ ...summary, model: modelPath ?? null, provider: pool.provider, workers: globals.workers, threads: globals.threads });
    } else {
      const summary = await runBatch(pairs, async (input, out) => {
        const s = await convertVideo(videoJobFor(input, out, o, method), deps);
        log.info(formatVideoSummary(s));
        return s;
      }, { jobs: o.jobs, force: o.force, log });
      log.info(`batch: ${summary.done} done, ${summary.skipped} skipped, ${summary.failed} failed`);
      for (const e of summary.entries) if (e.status === 'failed') log.info(`  failed: ${e.input}: ${e.reason}`);
      ctx.emitJson({ ...summary, model: modelPath ?? null, method, provider: pool.provider });
      if (summary.failed > 0) process.exitCode = 1;
    }
    await pool.close();
  } catch (error) {
    // cancel(), not destroy(): terminating a worker inside an onnxruntime call aborts the process.
    await pool?.cancel().catch(() => undefined);
    if (prepared && !pool) {
      await prepared.motion.release().catch(() => undefined);
      await prepared.frames.close().catch(() => undefined);
    }
    throw signal.aborted ? signal.reason : error;
  }
}

/** The `video` command. */
export const videoCommand = defineCommand('video', '7x frame rate from motion blur: each blurry frame becomes 7 sharp frames (video file, frame folder, several files, a folder or a glob)', {
  args: [['<inputs...>', 'video file(s), a frame folder, a folder of videos or a quoted glob']],
  required: ['-o, --output <path>', 'output video (.mp4/.mkv/.mov/.webm), PNG folder ({n:08d}.png, n = 7i + j), or with several inputs a folder of outputs'],
  records: VIDEO_OPTIONS,
  run: ([inputs], cli, ctx) => runVideo(inputs as string[], cli, ctx),
});
