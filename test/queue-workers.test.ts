// The job queue end to end with a real redis-server: two worker processes, one killed with -9
// mid-job, a Redis restart mid-run, a corrupt clip, re-adding, retry-failed, clean, SIGTERM, and
// one worker running two jobs at once (--concurrency 2).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostname } from 'node:os';
import { copyFile, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue, QueueEvents } from 'bullmq';
import { makeTempDir, makeTestClip, removeTempDir } from './helpers/media.js';
import { runAfb, startAfb, type RunningCli } from './helpers/cli.js';
import { startTestRedis, type TestRedis } from '../bench/lib/redis-server.js';
import { probe } from '../pipeline/io/probe.js';
import type { JobProgress } from '../pipeline/queue/job-types.js';
import type { ActiveJobStatus, QueueStatus } from '../pipeline/queue/status.js';

const model = fileURLToPath(new URL('./fixtures/decomposer-linear.onnx', import.meta.url));
const CLIPS = 6;
/** Input frames of clip i: long enough (a few seconds of work) that a kill lands mid-job. */
const framesOf = (i: number) => 90 + 10 * i;
// Short lock and stall check so that a dead worker's job comes back within seconds.
const WORKER_FLAGS = ['--lock-duration', '2000', '--stalled-interval', '1000', '--progress-interval', '100', '--exit-when-drained'];

let dir = '';
let redis: TestRedis;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  dir = await makeTempDir('queue-');
  await mkdir(join(dir, 'redis'));
  redis = await startTestRedis(join(dir, 'redis'), { persist: true });
  await mkdir(join(dir, 'clips'));
  for (let i = 0; i < CLIPS; i++) await makeTestClip(join(dir, 'clips', `clip${i}.mp4`), { width: 64, height: 48, fps: { num: 25, den: 1 }, frames: framesOf(i) });
  // A clip cut in half (index first, so decoding starts and then breaks): CorruptInputError.
  const whole = await makeTestClip(join(dir, 'whole.mp4'), { width: 64, height: 48, fps: { num: 25, den: 1 }, frames: 60, extra: ['-movflags', '+faststart'] });
  const bytes = await readFile(whole);
  await writeFile(join(dir, 'clips', 'corrupt.mp4'), bytes.subarray(0, Math.floor(bytes.length / 2)));
}, 300_000);

afterAll(async () => {
  await redis?.stop();
  await removeTempDir(dir);
});

function worker(queueName: string): RunningCli {
  return startAfb(['--workers', '1', '--json', 'worker', '--redis', redis.url, '--queue-name', queueName, ...WORKER_FLAGS]);
}

async function status(queueName: string): Promise<QueueStatus> {
  const r = await runAfb(['--json', 'queue', 'status', '--redis', redis.url, '--queue-name', queueName]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as QueueStatus;
}

describe('afb queue + afb worker', () => {
  it('2 workers, one killed with -9 mid-job, Redis restarted: all 6 outputs once, corrupt clip failed after 2 attempts, re-add adds nothing', async () => {
    const out = join(dir, 'out');
    const add = ['queue', 'add', join(dir, 'clips'), '-o', out, '--model', model, '--redis', redis.url, '--queue-name', 'main', '--attempts', '2', '--backoff', '300'];
    const first = await runAfb(['--json', ...add]);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ added: CLIPS + 1, queued: 0, done: 0 });

    const connection = { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null };
    const queue = new Queue('main', { connection });
    const events = new QueueEvents('main', { connection, lastEventId: '0' });
    queue.on('error', () => undefined);
    events.on('error', () => undefined);
    const completions: string[] = [];
    events.on('completed', ({ jobId }) => completions.push(jobId));
    await events.waitUntilReady();
    try {
      const a = worker('main');
      const b = worker('main');
      // Kill whichever worker is in the middle of a job (frames written, not all).
      let killed: { jobId: string; output: string; victim: RunningCli } | undefined;
      for (let t = 0; t < 600 && !killed; t++) {
        for (const job of await queue.getActive()) {
          const p = job.progress as Partial<JobProgress>;
          const victim = [a, b].find((w) => p.worker === `${hostname()}:${w.child.pid}`);
          if (victim && p.done !== undefined && p.total !== undefined && p.done > 0 && p.done < p.total) {
            victim.child.kill('SIGKILL');
            killed = { jobId: job.id!, output: (job.data as { output: string }).output, victim };
            break;
          }
        }
        if (!killed) await sleep(50);
      }
      expect(killed, 'no job was seen mid-way').toBeDefined();
      // The half-written output exists only under a temporary name.
      expect(existsSync(killed!.output)).toBe(false);
      const victim = killed!.victim;
      const survivor = victim === a ? b : a;
      expect((await victim.done).signal).toBe('SIGKILL');
      // Restart Redis while the survivor is working (the append-only file keeps the queue).
      for (let t = 0; t < 600 && completions.length < 2; t++) await sleep(50);
      expect(completions.length).toBeLessThan(CLIPS); // mid-run: work is still left
      await redis.restart();
      const end = await survivor.done;
      expect(end.code, end.stderr).toBe(0);
      expect(JSON.parse(end.stdout)).toMatchObject({ reason: 'drained' });

      const s = await status('main');
      expect(s.counts).toMatchObject({ waiting: 0, active: 0, delayed: 0, completed: CLIPS, failed: 1 });
      // None twice: every job completed exactly once, and the killed one among them.
      expect(new Set(completions).size).toBe(CLIPS);
      expect(completions.length).toBe(CLIPS);
      expect(completions).toContain(killed!.jobId);
      // All outputs complete: 7x the frames at 7x the rate; nothing else in the folder.
      expect((await readdir(out)).sort()).toEqual(Array.from({ length: CLIPS }, (_, i) => `clip${i}.mp4`));
      for (let i = 0; i < CLIPS; i++) {
        const info = await probe(join(out, `clip${i}.mp4`));
        expect(info.frameCount).toBe(7 * framesOf(i));
        expect(info.fps).toEqual({ num: 175, den: 1 });
      }
      // The corrupt clip: failed after the configured 2 attempts, with its typed error.
      expect(s.failed).toHaveLength(1);
      const failed = s.failed[0]!;
      expect(failed.input).toBe(join(dir, 'clips', 'corrupt.mp4'));
      expect(failed.attempts).toBe(2);
      expect(failed.reason).toMatch(/^CorruptInputError: Video is corrupt or truncated/);
      expect(failed.error).toMatchObject({ name: 'CorruptInputError', fields: { path: failed.input } });
      expect(s.throughput.jobs).toBe(CLIPS);
      expect(s.throughput.done).toBe(7 * Array.from({ length: CLIPS }, (_, i) => framesOf(i)).reduce((x, y) => x + y, 0));

      // Adding the same inputs again adds nothing.
      const again = await runAfb(['--json', ...add]);
      expect(again.code, again.stderr).toBe(0);
      expect(JSON.parse(again.stdout)).toMatchObject({ added: 0, queued: CLIPS + 1, done: 0 });
      expect((await status('main')).counts).toMatchObject({ waiting: 0, completed: CLIPS, failed: 1 });

      // retry-failed puts the corrupt clip back; clean removes finished jobs but never outputs,
      // and a cleaned job is not added again while its output exists.
      const retry = await runAfb(['--json', 'queue', 'retry-failed', '--redis', redis.url, '--queue-name', 'main']);
      expect(JSON.parse(retry.stdout)).toMatchObject({ retried: 1 });
      expect((await status('main')).counts).toMatchObject({ waiting: 1, failed: 0 });
      const clean = await runAfb(['--json', 'queue', 'clean', '--redis', redis.url, '--queue-name', 'main']);
      expect(JSON.parse(clean.stdout)).toMatchObject({ removed: CLIPS });
      expect(await readdir(out)).toHaveLength(CLIPS);
      const third = await runAfb(['--json', ...add]);
      expect(JSON.parse(third.stdout)).toMatchObject({ added: 0, queued: 1, done: CLIPS });
    } finally {
      await events.close();
      await queue.close();
    }
  }, 300_000);

  it('SIGTERM hands the running job back and exits 0, leaving no temporary output', async () => {
    const clip = await makeTestClip(join(dir, 'long.mp4'), { width: 160, height: 120, fps: { num: 25, den: 1 }, frames: 150 });
    const out = join(dir, 'out-term');
    const added = await runAfb(['queue', 'add', clip, '-o', out, '--model', model, '--redis', redis.url, '--queue-name', 'term']);
    expect(added.code, added.stderr).toBe(0);
    const w = worker('term');
    let progress: ActiveJobStatus | undefined;
    for (let t = 0; t < 600; t++) {
      progress = (await status('term')).active[0];
      if (progress && progress.done > 0) break;
      await sleep(100);
    }
    expect(progress?.done).toBeGreaterThan(0);
    w.child.kill('SIGTERM');
    const end = await w.done;
    expect(end.code, end.stderr).toBe(0);
    expect(JSON.parse(end.stdout)).toMatchObject({ handedBack: 1, completed: 0, reason: 'signal' });
    const s = await status('term');
    expect(s.counts).toMatchObject({ waiting: 1, active: 0, failed: 0, completed: 0 });
    expect(await readdir(out)).toEqual([]);
    // A worker confined to other folders refuses the job at once (no retry), naming the path.
    const confined = await runAfb(['--workers', '1', 'worker', '--redis', redis.url, '--queue-name', 'term', '--allow-paths', join(dir, 'elsewhere'), ...WORKER_FLAGS]);
    expect(confined.code, confined.stderr).toBe(0);
    const refused = (await status('term')).failed[0];
    expect(refused).toMatchObject({ attempts: 1, error: { name: 'PathNotAllowedError', fields: { path: clip } } });
    expect(refused?.reason).toMatch(/^PathNotAllowedError: Path outside --allow-paths/);
  }, 300_000);

  it('--concurrency 2: one worker process runs two jobs at once and completes each once, whole', async () => {
    await mkdir(join(dir, 'conc'));
    for (let i = 0; i < 3; i++) await copyFile(join(dir, 'clips', `clip${i}.mp4`), join(dir, 'conc', `clip${i}.mp4`));
    const out = join(dir, 'out-conc');
    const add = await runAfb(['--json', 'queue', 'add', join(dir, 'conc'), '-o', out, '--model', model, '--redis', redis.url, '--queue-name', 'conc']);
    expect(add.code, add.stderr).toBe(0);
    const w = startAfb(['--workers', '2', '--json', 'worker', '--redis', redis.url, '--queue-name', 'conc', '--concurrency', '2', ...WORKER_FLAGS]);
    let most = 0;
    for (let t = 0; t < 1200 && w.child.exitCode === null; t++) {
      const active = (await status('conc')).active;
      // both active jobs belong to this one worker process
      if (active.every((j) => j.worker === `${hostname()}:${w.child.pid}`)) most = Math.max(most, active.length);
      if (most >= 2) break;
      await sleep(50);
    }
    const end = await w.done;
    expect(end.code, end.stderr).toBe(0);
    expect(JSON.parse(end.stdout)).toMatchObject({ reason: 'drained', completed: 3 });
    expect(most).toBe(2);
    expect((await status('conc')).counts).toMatchObject({ waiting: 0, active: 0, completed: 3, failed: 0 });
    expect((await readdir(out)).sort()).toEqual(['clip0.mp4', 'clip1.mp4', 'clip2.mp4']);
    for (let i = 0; i < 3; i++) {
      const info = await probe(join(out, `clip${i}.mp4`));
      expect(info.frameCount).toBe(7 * framesOf(i));
      expect(info.fps).toEqual({ num: 175, den: 1 });
    }
  }, 300_000);
});
