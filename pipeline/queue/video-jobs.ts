// Video work for the queue: plan one job per input (ids from content + options + output) and
// run one on a worker with the same pipeline and pool as `afb video`.
import { existsSync } from 'node:fs';
import { totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import { VIDEO_OPTIONS } from '../../configs/video-options.js';
import { InputError } from '../errors.js';
import { ensureWritableDir } from '../io/atomic.js';
import type { Logger } from '../log.js';
import { batchOutputPath } from '../video/batch.js';
import { convertVideo } from '../video/convert.js';
import { checkVideoOptions, poolModels, videoDepsFor, videoJobFor, type VideoOptions } from '../video/session.js';
import type { JobSpec } from './enqueue.js';
import { LOCAL_ONLY_KEYS, reviveOptions } from './forward-options.js';
import { hashInput, jobIdFor } from './job-key.js';
import { parseVideoJobData, type JobResult } from './job-types.js';
import type { PoolCache } from './pool-cache.js';
import { removeTempsFor } from '../io/temp-files.js';

/** One job spec per input: output OUTDIR/<name>.<container>, id from the input's bytes and the options. */
export async function planVideoJobs(inputs: readonly string[], outDir: string, given: Record<string, unknown>, resolved: VideoOptions): Promise<JobSpec[]> {
  const specs: JobSpec[] = [];
  const outputs = new Map<string, string>();
  // The id covers the resolved values (equal work spelled differently is one job), not batch-only keys.
  const identity = Object.fromEntries(Object.entries(resolved).filter(([k]) => !LOCAL_ONLY_KEYS.includes(k)));
  for (const rel of inputs) {
    const input = resolve(rel);
    const output = resolve(batchOutputPath(input, outDir, resolved.container));
    const other = outputs.get(output);
    if (other) throw new InputError(input, `Two inputs would write the same output ${output} (also ${other})`);
    outputs.set(output, input);
    const inputHash = await hashInput(input);
    specs.push({
      kind: 'video',
      id: jobIdFor({ kind: 'video', inputHash, output, options: identity }),
      data: { input, output, inputHash, options: given, force: false },
      output,
    });
  }
  return specs;
}

/** What a worker lends a video job. */
export interface VideoJobEnv {
  readonly pools: PoolCache;
  readonly workers: number;
  readonly log: Logger;
  readonly signal: AbortSignal;
  readonly worker: string;
  readonly onFrames: (done: number, total: number) => void;
}

/** Run one queued conversion; an existing output is finished work (skipped unless forced). */
export async function runVideoJob(rawData: unknown, env: VideoJobEnv): Promise<JobResult> {
  const data = parseVideoJobData(rawData);
  const o = reviveOptions(VIDEO_OPTIONS, data.options);
  const t0 = Date.now();
  if (!data.force && existsSync(data.output)) {
    env.log.info(`skip ${data.input}: ${data.output} exists`);
    return { output: data.output, skipped: true, done: 0, unit: 'frames', seconds: 0, worker: env.worker };
  }
  const models = await checkVideoOptions(o);
  if (!existsSync(data.input)) throw new InputError(data.input, 'Input not found on this worker (is the shared mount there?)');
  await ensureWritableDir(dirname(data.output));
  // A worker killed mid-job leaves its temporary output behind; this job owns that name now.
  const stale = await removeTempsFor(data.output);
  if (stale.length > 0) env.log.info(`removed the temporary output of an earlier attempt: ${stale.join(', ')}`);
  const pool = await env.pools.get(poolModels(models), o.provider);
  const deps = videoDepsFor(o, models, pool, { workers: env.workers, totalMemory: totalmem(), log: env.log, signal: env.signal, progress: false });
  const summary = await convertVideo(videoJobFor(data.input, data.output, o, models.method), { ...deps, onFrames: env.onFrames });
  env.log.info(`wrote ${summary.output}: ${summary.outputFrames} frames at ${summary.outputFps} fps in ${summary.seconds.toFixed(1)} s`);
  return {
    output: data.output, skipped: false, done: summary.outputFrames, unit: 'frames', seconds: (Date.now() - t0) / 1000, worker: env.worker,
    details: { inputFrames: summary.inputFrames, outputFps: summary.outputFps, width: summary.width, height: summary.height, tile: summary.tile },
  };
}
