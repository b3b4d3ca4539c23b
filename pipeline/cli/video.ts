// `afb video IN... -o OUT`: 7x frame rate from motion blur, one input or a batch sharing one pool.
import { availableParallelism, totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import { VIDEO_OPTIONS } from '../../configs/video-options.js';
import { CancelledError, InvalidOptionError } from '../errors.js';
import { ensureWritableDir } from '../io/atomic.js';
import { DecomposePool } from '../frame/pool.js';
import { batchOutputPath, expandInputs, runBatch } from '../video/batch.js';
import { convertVideo, type VideoSummary } from '../video/convert.js';
import { checkVideoOptions, poolModels, videoDepsFor, videoJobFor } from '../video/session.js';
import type { CommandContext } from './context.js';
import { defineCommand } from './define-command.js';

/** Human-readable line for one finished conversion. */
export function formatVideoSummary(s: VideoSummary): string {
  const st = s.stages;
  return `wrote ${s.output} (${s.method}, exposure ${s.exposure.toFixed(2)}): ${s.outputFrames} frames (${s.inputFrames} in) at ${s.outputFps} fps, ${s.seconds.toFixed(1)} s, `
    + `${s.outputFramesPerSecond.toFixed(2)} output frames/s; stage totals decode ${(st.decode / 1000).toFixed(1)} s, `
    + `flow ${(st.flow / 1000).toFixed(1)} s, physics ${(st.physics / 1000).toFixed(1)} s, inference ${(st.inference / 1000).toFixed(1)} s (all workers), encode ${(st.encode / 1000).toFixed(1)} s; tiles ${s.tile}`;
}

/** Install SIGINT/SIGTERM handlers that cancel the job; returns the uninstaller. */
export function onInterrupt(handler: (signal: NodeJS.Signals) => void): () => void {
  const h = (sig: NodeJS.Signals) => handler(sig);
  process.on('SIGINT', h);
  process.on('SIGTERM', h);
  return () => {
    process.off('SIGINT', h);
    process.off('SIGTERM', h);
  };
}

async function runVideo(args: string[], cli: Record<string, unknown>, ctx: CommandContext): Promise<void> {
  const output = cli['output'];
  if (typeof output !== 'string' || output === '') throw new InvalidOptionError('-o/--output', 'an output path', output);
  const o = ctx.resolve('video', VIDEO_OPTIONS, cli);
  const { log, globals } = ctx;
  // Everything is validated before any process or worker starts.
  const { inputs, batch } = await expandInputs(args);
  const models = await checkVideoOptions(o);
  const { method, modelPath } = models;
  // The folder that will hold the output (a file, a PNG folder or the batch folder) must be writable
  // before decoding starts: OutputError naming it, nothing started, nothing written.
  await ensureWritableDir(batch ? output : dirname(resolve(output)));
  const cores = availableParallelism();
  if (globals.workers * globals.threads > cores) {
    log.warn(`--workers ${globals.workers} x --threads ${globals.threads} exceeds the ${cores} cores: expect contention`);
  }
  const controller = new AbortController();
  let pool: DecomposePool | undefined;
  let interrupts = 0;
  const uninstall = onInterrupt((sig) => {
    if (++interrupts > 1) {
      log.error(`${sig} again: exiting now`);
      process.exit(130);
    }
    log.error(`${sig}: stopping (temporary output removed, running frames finish, workers stop; repeat to exit at once)`);
    controller.abort(new CancelledError(`Interrupted by ${sig}`));
    void pool?.cancel().catch(() => undefined);
  });
  try {
    pool = await DecomposePool.create({
      ...poolModels(models), provider: o.provider, workers: globals.workers, threads: globals.threads, warn: (m) => log.warn(m),
    });
    if (controller.signal.aborted) throw controller.signal.reason;
    log.info(`method ${method}${modelPath ? `, model ${modelPath}` : ''} on ${pool.provider}, ${globals.workers} worker(s) x ${globals.threads} thread(s)`);
    const deps = videoDepsFor(o, models, pool, {
      workers: globals.workers, totalMemory: totalmem(), log, signal: controller.signal, progress: !globals.json && log.enabled('info'),
    });
    if (!batch) {
      const summary = await convertVideo(videoJobFor(inputs[0]!, output, o, method), deps);
      log.info(formatVideoSummary(summary));
      ctx.emitJson({ ...summary, model: modelPath ?? null, provider: pool.provider, workers: globals.workers, threads: globals.threads });
    } else {
      await ensureWritableDir(output);
      const pairs = inputs.map((input) => ({ input, output: batchOutputPath(input, output, o.container) }));
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
    // cancel(), not destroy(): terminating a worker inside an onnxruntime run aborts the process.
    await pool?.cancel().catch(() => undefined);
    throw controller.signal.aborted ? controller.signal.reason : error;
  } finally {
    uninstall();
  }
}

/** The `video` command. */
export const videoCommand = defineCommand('video', '7x frame rate from motion blur: each blurry frame becomes 7 sharp frames (video file, frame folder, several files, a folder or a glob)', {
  args: [['<inputs...>', 'video file(s), a frame folder, a folder of videos or a quoted glob']],
  required: ['-o, --output <path>', 'output video (.mp4/.mkv/.mov/.webm), PNG folder ({n:08d}.png, n = 7i + j), or with several inputs a folder of outputs'],
  records: VIDEO_OPTIONS,
  run: ([inputs], cli, ctx) => runVideo(inputs as string[], cli, ctx),
});
