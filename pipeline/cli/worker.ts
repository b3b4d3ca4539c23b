// `afb worker --redis URL`: run queued jobs on this machine until SIGTERM/SIGINT.
import { CONNECTION_OPTIONS, WORKER_OPTIONS, redactRedisUrl } from '../../configs/queue-options.js';
import { loadRedisOptions, pingRedis } from '../queue/connection.js';
import { runWorker } from '../queue/worker-runtime.js';
import type { CommandContext } from './context.js';
import { defineCommand } from './define-command.js';

const RECORDS = [...CONNECTION_OPTIONS, ...WORKER_OPTIONS] as const;

async function runWorkerCommand(cli: Record<string, unknown>, ctx: CommandContext): Promise<void> {
  const o = ctx.resolve('worker', RECORDS, cli);
  // The worker handles SIGTERM/SIGINT itself (hands its jobs back): the CLI's first signal must not exit at once.
  ctx.cancellable();
  const connection = await loadRedisOptions(o);
  await pingRedis(connection, o.redis);
  ctx.log.info(`worker: connected to ${redactRedisUrl(o.redis)}`);
  const summary = await runWorker({
    connection, queueName: o.queueName, concurrency: o.concurrency, lockDuration: o.lockDuration, stalledInterval: o.stalledInterval,
    maxStalled: o.maxStalled, progressInterval: o.progressInterval, exitWhenDrained: o.exitWhenDrained, allowPaths: o.allowPaths,
    workers: ctx.globals.workers, threads: ctx.globals.threads, log: ctx.log,
  });
  ctx.log.info(`worker ${summary.worker}: ${summary.completed} completed, ${summary.failed} failed attempt(s), ${summary.handedBack} handed back; exiting (${summary.reason})`);
  ctx.emitJson(summary);
  // Without Redis, reconnect timers would keep the process alive: exit, reporting the failure.
  if (summary.unclean) {
    process.exitCode = 1;
    setTimeout(() => process.exit(1), 500).unref();
  }
}

/** The `worker` command. */
export const workerCommand = defineCommand('worker', 'run queued jobs (from `afb queue add` / `afb synth --queue`) with this machine\'s worker pool; SIGTERM hands running jobs back and exits', {
  records: RECORDS,
  run: (_args, cli, ctx) => runWorkerCommand(cli, ctx),
});
