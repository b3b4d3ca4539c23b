// Dataset generation on the queue (`afb synth ... --queue`): one job per procedural or footage
// video, and a parent job that writes the complete manifest once all of its videos are done
// (a BullMQ flow). Samples already on disk are never rendered again.
import type { FlowProducer, Job, Queue } from 'bullmq';
import { videoDir, writeManifest, type DatasetManifest } from '../io/dataset-layout.js';
import type { Logger } from '../log.js';
import { createFlowEstimator, type FlowBackend } from '../flow/estimator.js';
import { synthesizeFootageVideo, type FootageSettings } from '../synth/footage-video.js';
import type { FootagePlan } from '../synth/footage.js';
import type { ProceduralPlan } from '../synth/procedural.js';
import { isSampleComplete, renderProceduralVideo, type ProceduralVideoTask } from '../synth/procedural-video.js';
import { jobOptions, type EnqueueEntry, type EnqueuePolicy } from './enqueue.js';
import { jobIdFor } from './job-key.js';
import { dataString, type JobKind, type JobResult } from './job-types.js';

/** Data of a footage video job. */
export interface FootageJobData {
  readonly input: string;
  readonly root: string;
  readonly video: string;
  readonly settings: FootageSettings;
  readonly flowBackend: FlowBackend;
  readonly flowModel?: string;
  readonly force: boolean;
}

/** What a worker lends a synth job. */
export interface SynthJobEnv {
  readonly log: Logger;
  readonly signal: AbortSignal;
  readonly worker: string;
  readonly onSamples: (done: number, total: number) => void;
}

/** Add a dataset as a flow: the finishing job is the parent of one job per video. */
async function addDatasetFlow(
  flows: FlowProducer, queue: Queue, root: string, configHash: string, manifest: DatasetManifest,
  children: { kind: JobKind; video: string; data: Record<string, unknown> }[], policy: EnqueuePolicy,
): Promise<EnqueueEntry[]> {
  const parentId = jobIdFor({ kind: 'synth-finish', inputHash: configHash, output: root, options: {} });
  const existing = await queue.getJob(parentId);
  if (existing) return [{ id: parentId, output: root, status: 'queued', state: await existing.getState() }];
  await flows.add({
    name: 'synth-finish', queueName: queue.name, data: { root, manifest }, opts: jobOptions(parentId, policy),
    children: children.map((c) => ({
      name: c.kind, queueName: queue.name, data: c.data,
      // A video that fails for good fails the dataset (its parent) instead of leaving it waiting forever.
      opts: { ...jobOptions(jobIdFor({ kind: c.kind, inputHash: configHash, output: videoDir(root, c.video), options: {} }), policy), failParentOnFailure: true },
    })),
  });
  return [{ id: parentId, output: root, status: 'added' }];
}

/** Queue the videos of a prepared procedural dataset. */
export async function enqueueProcedural(flows: FlowProducer, queue: Queue, root: string, plan: ProceduralPlan, policy: EnqueuePolicy): Promise<EnqueueEntry[]> {
  if (plan.tasks.length === 0) return [{ id: '', output: root, status: 'done' }];
  const children = plan.tasks.map((t) => ({ kind: 'synth-procedural' as const, video: t.video, data: { ...t, force: policy.force } as unknown as Record<string, unknown> }));
  return addDatasetFlow(flows, queue, root, plan.configHash, plan.manifest(true), children, policy);
}

/** Queue the inputs of a prepared footage dataset. */
export async function enqueueFootage(
  flows: FlowProducer, queue: Queue, root: string, plan: FootagePlan,
  job: { settings: FootageSettings; flowBackend: FlowBackend; flowModel?: string }, policy: EnqueuePolicy,
): Promise<EnqueueEntry[]> {
  const children = plan.inputs.map((input, k) => {
    const data: FootageJobData = { input, root, video: plan.names[k]!, ...job, force: policy.force };
    return { kind: 'synth-footage' as const, video: plan.names[k]!, data: data as unknown as Record<string, unknown> };
  });
  return addDatasetFlow(flows, queue, root, plan.configHash, plan.manifest({}, true), children, policy);
}

/** Run one synth job on a worker. */
export async function runSynthJob(kind: JobKind, job: Job, env: SynthJobEnv): Promise<JobResult> {
  const t0 = Date.now();
  const root = dataString(job.data, 'root');
  const force = (job.data as { force?: unknown }).force === true;
  const result = (output: string, done: number, details: Record<string, unknown>, skipped = done === 0): JobResult =>
    ({ output, skipped, done, unit: 'samples', seconds: (Date.now() - t0) / 1000, worker: env.worker, details });
  if (kind === 'synth-procedural') {
    const task = job.data as ProceduralVideoTask;
    const video = dataString(job.data, 'video');
    const exposures = force ? task.exposures : task.exposures.filter((i) => !isSampleComplete(root, video, i));
    env.onSamples(0, exposures.length);
    const r = await renderProceduralVideo({ ...task, exposures });
    env.onSamples(r.written, exposures.length);
    return result(videoDir(root, video), r.written, { video });
  }
  if (kind === 'synth-footage') {
    const d = job.data as FootageJobData;
    const flow = await createFlowEstimator({ backend: d.flowBackend, modelPath: d.flowModel, log: env.log });
    try {
      let n = 0;
      const r = await synthesizeFootageVideo(dataString(d, 'input'), root, dataString(d, 'video'), d.settings, {
        flow, log: env.log, force, signal: env.signal, onSample: () => env.onSamples(++n, 0),
      });
      return result(videoDir(root, d.video), r.written, { video: d.video, samples: r.samples });
    } finally {
      await flow.release();
    }
  }
  // synth-finish: every video is done; footage datasets learn their sample counts from the children.
  const manifest = (job.data as { manifest: DatasetManifest }).manifest;
  const framesPerVideo = { ...manifest.framesPerVideo };
  for (const v of Object.values(await job.getChildrenValues<JobResult>())) {
    const d = v?.details as { video?: string; samples?: number } | undefined;
    if (d?.video && typeof d.samples === 'number') framesPerVideo[d.video] = d.samples;
  }
  const samples = Object.values(framesPerVideo).reduce((a, b) => a + b, 0);
  await writeManifest(root, { ...manifest, framesPerVideo, counts: { ...manifest.counts, samples }, complete: true, updatedAt: new Date().toISOString() });
  env.log.info(`dataset ${root} complete: ${samples} samples`);
  return result(root, 0, { samples }, false);
}
