// `afb queue add|status|retry-failed|clean`: put conversions on a BullMQ queue in Redis and
// look after it; `afb worker` (cli/worker.ts) runs them on any number of machines.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { CLEAN_OPTIONS, CONNECTION_OPTIONS, ENQUEUE_OPTIONS } from '../../configs/queue-options.js';
import { VIDEO_OPTIONS } from '../../configs/video-options.js';
import { InvalidOptionError } from '../errors.js';
import { ensureWritableDir } from '../io/atomic.js';
import { enqueueJobs, summarizeEnqueue } from '../queue/enqueue.js';
import { absolutizePaths, givenOptions } from '../queue/forward-options.js';
import { openQueue, type OpenedQueue } from '../queue/open-queue.js';
import { formatQueueStatus, readQueueStatus } from '../queue/status.js';
import { planVideoJobs } from '../queue/video-jobs.js';
import { expandInputs } from '../video/batch.js';
import { checkVideoOptions } from '../video/session.js';
import type { CommandContext } from './context.js';
import type { CommandModule } from './define-command.js';

/** Every key of the `queue` config section (each subcommand reads the ones it needs). */
export const QUEUE_SECTION_OPTIONS = [...CONNECTION_OPTIONS, ...ENQUEUE_OPTIONS, ...CLEAN_OPTIONS] as const;

/** Resolve the `queue` options and open the queue; `use` runs with it, the queue is always closed. */
async function withQueue<T>(ctx: CommandContext, cli: Record<string, unknown>, use: (q: OpenedQueue, o: ReturnType<typeof resolveQueue>) => Promise<T>): Promise<T> {
  const o = resolveQueue(ctx, cli);
  const opened = await openQueue(o);
  try {
    return await use(opened, o);
  } finally {
    await opened.queue.close().catch(() => undefined);
  }
}

function resolveQueue(ctx: CommandContext, cli: Record<string, unknown>) {
  return ctx.resolve('queue', QUEUE_SECTION_OPTIONS, cli);
}

async function runAdd(args: string[], cli: Record<string, unknown>, ctx: CommandContext): Promise<void> {
  const outDir = cli['output'];
  if (typeof outDir !== 'string' || outDir === '') throw new InvalidOptionError('-o/--output', 'the output folder every worker writes into', outDir);
  // Everything is checked here, before anything is added: the workers check it again.
  resolveQueue(ctx, cli);
  const video = ctx.resolve('video', VIDEO_OPTIONS, cli);
  await checkVideoOptions(video);
  const { inputs } = await expandInputs(args);
  await ensureWritableDir(outDir);
  const given = absolutizePaths(givenOptions(ctx, 'video', VIDEO_OPTIONS, cli), process.cwd());
  const specs = await planVideoJobs(inputs, resolve(outDir), given, video);
  await withQueue(ctx, cli, async ({ queue }, o) => {
    const entries = await enqueueJobs(queue, specs, { attempts: o.attempts, backoff: o.backoff, force: video.force });
    const sum = summarizeEnqueue(entries);
    ctx.log.info(`queue ${o.queueName}: ${sum.added} added, ${sum.queued} already queued, ${sum.done} already done (output exists)`);
    ctx.emitJson({ queue: o.queueName, ...sum, jobs: entries });
  });
}

async function runStatus(cli: Record<string, unknown>, ctx: CommandContext): Promise<void> {
  await withQueue(ctx, cli, async ({ queue }) => {
    const status = await readQueueStatus(queue);
    if (ctx.globals.json) ctx.emitJson(status);
    else process.stdout.write(`${formatQueueStatus(status)}\n`);
  });
}

async function runRetryFailed(cli: Record<string, unknown>, ctx: CommandContext): Promise<void> {
  await withQueue(ctx, cli, async ({ queue }, o) => {
    const failed = await queue.getFailedCount();
    await queue.retryJobs({ state: 'failed' });
    ctx.log.info(`queue ${o.queueName}: ${failed} failed job(s) moved back to waiting`);
    ctx.emitJson({ queue: o.queueName, retried: failed });
  });
}

async function runClean(cli: Record<string, unknown>, ctx: CommandContext): Promise<void> {
  await withQueue(ctx, cli, async ({ queue }, o) => {
    let removed: number;
    if (o.state === 'all') {
      removed = Object.values(await queue.getJobCounts()).reduce((a, b) => a + b, 0);
      await queue.obliterate(); // refuses while a job is active
    } else {
      removed = (await queue.clean(o.olderThan * 1000, 0, o.state)).length;
    }
    ctx.log.info(`queue ${o.queueName}: removed ${removed} job(s) (${o.state}); outputs on disk are untouched`);
    ctx.emitJson({ queue: o.queueName, state: o.state, removed });
  });
}

/** Add the connection flags (and extra records) to a subcommand. */
function addFlags(cmd: Command, records: readonly { flag: string; description: string }[]): Command {
  for (const r of [...CONNECTION_OPTIONS, ...records]) cmd.option(r.flag, r.description);
  return cmd.exitOverride();
}

/** The `queue` command and its subcommands. */
export const queueCommand: CommandModule = {
  name: 'queue',
  register(program: Command, getContext: () => Promise<CommandContext>): void {
    const queue = program.command('queue').description('Batch conversion on a shared job queue (BullMQ on Redis): add jobs, watch them, retry or clean');
    const add = queue.command('add')
      .description('add one 7x conversion job per input (files, folders, quoted globs); a job already queued or done is not added again')
      .argument('<inputs...>', 'video file(s), frame folders, folders of videos or quoted globs, on a path every worker can read')
      .requiredOption('-o, --output <dir>', 'folder every worker writes the outputs into (a shared mount)');
    addFlags(add, [...ENQUEUE_OPTIONS, ...VIDEO_OPTIONS]);
    add.action(async (inputs: string[], opts: Record<string, unknown>) => runAdd(inputs, opts, await getContext()));
    addFlags(queue.command('status').description('jobs waiting / active / done / failed, progress of running jobs, throughput, errors of failed jobs'), [])
      .action(async (opts: Record<string, unknown>) => runStatus(opts, await getContext()));
    addFlags(queue.command('retry-failed').description('move every failed job back to waiting'), [])
      .action(async (opts: Record<string, unknown>) => runRetryFailed(opts, await getContext()));
    addFlags(queue.command('clean').description('remove finished jobs from the queue (outputs on disk stay; a removed job can be added again)'), CLEAN_OPTIONS)
      .action(async (opts: Record<string, unknown>) => runClean(opts, await getContext()));
  },
};
