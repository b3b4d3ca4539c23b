// `afb synth ... --queue`: plan the dataset here (checks, lists, incomplete manifest), then add one
// job per procedural/footage video and a finishing job to the queue; `afb worker`s render them.
import { resolve } from 'node:path';
import { FlowProducer } from 'bullmq';
import { enqueueFootage, enqueueProcedural } from '../queue/synth-jobs.js';
import { openQueue } from '../queue/open-queue.js';
import { summarizeEnqueue } from '../queue/enqueue.js';
import { prepareFootage, type FootageRunOptions } from '../synth/footage.js';
import { prepareProcedural, type ProceduralRunOptions } from '../synth/procedural.js';
import type { CommandContext } from './context.js';
import { QUEUE_SECTION_OPTIONS } from './queue.js';

/** A dataset to queue: the options of a procedural or a footage run (as `afb synth` resolved them). */
export type SynthToQueue =
  | { readonly procedural: true; readonly options: Omit<ProceduralRunOptions, 'workers' | 'log' | 'signal' | 'workerFile'> }
  | { readonly procedural: false; readonly options: Omit<FootageRunOptions, 'workers' | 'log' | 'signal'> };

/** Queue a procedural or footage dataset. */
export async function queueSynth(ctx: CommandContext, cli: Record<string, unknown>, what: SynthToQueue): Promise<void> {
  const q = ctx.resolve('queue', QUEUE_SECTION_OPTIONS, cli);
  // Workers run elsewhere: every path they get is absolute.
  const absolute = <T extends { root: string }>(o: T): T => ({ ...o, root: resolve(o.root) });
  const opened = await openQueue(q);
  const flows = new FlowProducer({ connection: opened.connection });
  flows.on('error', () => undefined);
  try {
    const policy = { attempts: q.attempts, backoff: q.backoff, force: false };
    let entries;
    if (what.procedural) {
      const o = absolute(what.options);
      const plan = await prepareProcedural({ ...o, photosDir: resolve(o.photosDir) });
      entries = await enqueueProcedural(flows, opened.queue, o.root, plan, { ...policy, force: o.force });
      ctx.log.info(`synth: ${plan.tasks.length} video job(s) for ${o.count} samples (${plan.skipped} already on disk)`);
    } else {
      const o = absolute(what.options);
      const plan = await prepareFootage(o);
      entries = await enqueueFootage(flows, opened.queue, o.root, plan, { settings: o.settings, flowBackend: o.flowBackend, ...(o.flowModel ? { flowModel: resolve(o.flowModel) } : {}) }, { ...policy, force: o.force });
      ctx.log.info(`synth: ${plan.inputs.length} video job(s)`);
    }
    const sum = summarizeEnqueue(entries);
    ctx.log.info(`queue ${q.queueName}: dataset ${sum.added ? 'added' : sum.queued ? 'already queued' : 'already complete'}`);
    ctx.emitJson({ queue: q.queueName, ...sum, jobs: entries });
  } finally {
    await flows.close().catch(() => undefined);
    await opened.queue.close().catch(() => undefined);
  }
}
