// Benchmark of the job queue: the same clips converted (a) by `afb video` in one process, (b) by
// one `afb worker` process, (c) by two `afb worker` processes, each configuration timed as whole
// processes in the same run (rounds interleaved), against a private redis-server on 127.0.0.1.
// Reports output frames/s, ratios to `afb video`, and the per-job cost of the queue: the add
// (hashing + Redis) per job, the hand-over gap between consecutive jobs on one worker, and
// (one worker - afb video) / jobs. Same thread budget everywhere: `--workers W` for (a) and (b),
// W/2 per process for (c).
// Usage: node dist/bench/queue.js [--model FILE.onnx] [--clips 6] [--frames 24] [--size 320x180]
//        [--workers W (default: cores)] [--rounds 2]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { runFfmpeg } from '../pipeline/io/ffmpeg-process.js';
import type { JobResult } from '../pipeline/queue/job-types.js';
import { resolveModelPath } from '../pipeline/video/defaults.js';
import { intFlag, median, parseBenchFlags } from './lib/bench-args.js';
import { buildTestClipArgs } from './lib/ffmpeg-dev-args.js';
import { startTestRedis } from './lib/redis-server.js';

/** Run `afb ARGS` as a process; wall seconds; throws on a non-zero exit. */
function afb(args: readonly string[]): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/afb.js', '--log-level', 'warn', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('close', (code) => (code === 0 ? resolve((performance.now() - t0) / 1000) : reject(new Error(`afb ${args.join(' ')} exited with ${code}`))));
  });
}

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

async function main(): Promise<void> {
  const cores = availableParallelism();
  const flags = parseBenchFlags('npm run bench:queue --', {
    model: { type: 'string', help: 'decomposition model (default: the shipped CPU model)' },
    clips: { type: 'string', default: '6', help: 'clips converted by each configuration' },
    frames: { type: 'string', default: '24', help: 'input frames per clip' },
    size: { type: 'string', default: '320x180', help: 'clip size WxH' },
    workers: { type: 'string', default: String(cores), help: 'decomposition workers in total (afb video and one worker process: all; two worker processes: half each)' },
    rounds: { type: 'string', default: '2', help: 'rounds of the three configurations (medians reported)' },
  });
  const clips = intFlag('clips', flags.clips);
  const frames = intFlag('frames', flags.frames);
  const rounds = intFlag('rounds', flags.rounds);
  const workers = intFlag('workers', flags.workers);
  const perProcess = Math.max(1, Math.floor(workers / 2));
  const size = /^(\d+)x(\d+)$/.exec(flags.size);
  if (!size) throw new RangeError(`--size must be WxH, received ${flags.size}`);
  const [width, height] = [Number(size[1]), Number(size[2])];
  const model = resolveModelPath(flags.model);
  const dir = join(process.cwd(), 'bench', '.work.tmp', 'queue');
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, 'clips'), { recursive: true });
  await mkdir(join(dir, 'redis'));
  for (let i = 0; i < clips; i++) {
    // Different content per clip (testsrc2 moves with time): start each clip at another second.
    await runFfmpeg('ffmpeg', buildTestClipArgs({ output: join(dir, 'clips', `c${i}.mp4`), width, height, fps: { num: 25, den: 1 }, frames, extra: ['-ss', String(i)] }));
  }
  const outFrames = clips * frames * 7;
  console.log(`model ${model}; ${clips} clips x ${frames} frames at ${width}x${height}; ${workers} decomposition workers in total on ${cores} cores; load before ${loadavg()}`);
  const redis = await startTestRedis(join(dir, 'redis'));
  // Interrupted: stop the private Redis too (the worker processes stop on the same signal).
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void redis.stop().finally(() => process.exit(130)));
  const connection = { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null };
  const common = ['--redis', redis.url, '--exit-when-drained'];
  const times: Record<'video' | 'worker1' | 'workers2' | 'add', number[]> = { video: [], worker1: [], workers2: [], add: [] };
  const gaps: number[] = [];
  try {
    for (let r = 0; r < rounds; r++) {
      times.video.push(await afb(['--workers', String(workers), 'video', join(dir, 'clips'), '-o', join(dir, `video-${r}`), '--model', model]));
      for (const [key, procs] of [['worker1', 1], ['workers2', 2]] as const) {
        const name = `bench-${key}-${r}`;
        const out = join(dir, name);
        times.add.push(await afb(['queue', 'add', join(dir, 'clips'), '-o', out, '--model', model, '--redis', redis.url, '--queue-name', name]) / clips);
        const w = String(procs === 1 ? workers : perProcess);
        const t = await Promise.all(Array.from({ length: procs }, () => afb(['--workers', w, 'worker', ...common, '--queue-name', name])));
        times[key].push(Math.max(...t));
        if (procs === 1) {
          // Hand-over: from one job's finish to the next job's start on the same worker.
          const q = new Queue(name, { connection });
          const done = (await q.getCompleted(0, clips)).sort((a, b) => (a.processedOn ?? 0) - (b.processedOn ?? 0));
          for (let k = 1; k < done.length; k++) gaps.push(done[k]!.processedOn! - done[k - 1]!.finishedOn!);
          const bad = done.filter((j) => (j.returnvalue as JobResult).done !== frames * 7);
          if (done.length !== clips || bad.length > 0) throw new Error(`queue ${name}: ${done.length} completed, ${bad.length} with the wrong frame count`);
          await q.close();
        }
      }
    }
  } finally {
    await redis.stop();
  }
  const m = { video: median(times.video), worker1: median(times.worker1), workers2: median(times.workers2) };
  const fps = (s: number) => (outFrames / s).toFixed(2);
  console.log(`load after ${loadavg()}`);
  console.log(`afb video (1 process, ${workers} workers):       ${m.video.toFixed(1)} s, ${fps(m.video)} output frames/s`);
  console.log(`afb worker x1 (${workers} workers):                ${m.worker1.toFixed(1)} s, ${fps(m.worker1)} output frames/s, ratio to afb video ${(m.video / m.worker1).toFixed(2)}`);
  console.log(`afb worker x2 (${perProcess} worker(s) each):            ${m.workers2.toFixed(1)} s, ${fps(m.workers2)} output frames/s, ratio to afb video ${(m.video / m.workers2).toFixed(2)}, to one worker process ${(m.worker1 / m.workers2).toFixed(2)}`);
  console.log(`queue cost per job: add (hash + Redis, incl. CLI start / ${clips}) ${(1000 * median(times.add)).toFixed(0)} ms; hand-over between jobs on a worker ${median(gaps).toFixed(0)} ms (median of ${gaps.length}); ` +
    `(worker x1 - afb video) / ${clips} jobs ${((1000 * (m.worker1 - m.video)) / clips).toFixed(0)} ms`);
  console.log(JSON.stringify({ clips, frames, width, height, workers, cores, rounds, seconds: times, medians: m, handOverMs: gaps }));
}

await main();
