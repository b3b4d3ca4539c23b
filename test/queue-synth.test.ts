// `afb synth ... --queue` with a real redis-server: one job per video plus a finishing job; a
// worker renders them; the dataset equals the one a local run writes, byte for byte.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { runFfmpeg } from '../pipeline/io/ffmpeg-process.js';
import { canonicalJson } from '../pipeline/io/dataset-layout.js';
import { makeTempDir, makeTestClip, removeTempDir } from './helpers/media.js';
import { runAfb } from './helpers/cli.js';
import { startTestRedis, type TestRedis } from '../bench/lib/redis-server.js';
import type { QueueStatus } from '../pipeline/queue/status.js';

let dir = '';
let redis: TestRedis;

beforeAll(async () => {
  dir = await makeTempDir('queue-synth-');
  await mkdir(join(dir, 'redis'));
  redis = await startTestRedis(join(dir, 'redis'));
  await mkdir(join(dir, 'photos'));
  for (let k = 0; k < 3; k++) {
    await runFfmpeg('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=1', '-ss', String(k), '-frames:v', '1', join(dir, 'photos', `p${k}.png`)]);
  }
  await mkdir(join(dir, 'footage'));
  for (let k = 0; k < 2; k++) await makeTestClip(join(dir, 'footage', `f${k}.mp4`), { width: 64, height: 48, fps: { num: 240, den: 1 }, frames: 105 + 10 * k });
}, 300_000);

afterAll(async () => {
  await redis?.stop();
  await removeTempDir(dir);
});

/** Every file under `root` with its bytes, the manifest without its time stamp. */
async function snapshot(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name === 'manifest.json') {
        const manifest = JSON.parse(await readFile(p, 'utf8')) as Record<string, unknown>;
        delete manifest['updatedAt'];
        out.set(relative(root, p), canonicalJson(manifest)); // key order aside
      } else out.set(relative(root, p), (await readFile(p)).toString('base64'));
    }
  };
  await walk(root);
  return out;
}

async function queueThenWork(args: string[], queueName: string): Promise<QueueStatus> {
  const q = ['--redis', redis.url, '--queue-name', queueName];
  const first = await runAfb(['--json', 'synth', ...args, '--queue', ...q]);
  expect(first.code, first.stderr).toBe(0);
  expect(JSON.parse(first.stdout)).toMatchObject({ added: 1 });
  const again = await runAfb(['--json', 'synth', ...args, '--queue', ...q]);
  expect(JSON.parse(again.stdout)).toMatchObject({ added: 0, queued: 1 }); // the same dataset twice: nothing added
  const w = await runAfb(['--workers', '1', 'worker', ...q, '--exit-when-drained']);
  expect(w.code, w.stderr).toBe(0);
  const s = await runAfb(['--json', 'queue', 'status', ...q]);
  return JSON.parse(s.stdout) as QueueStatus;
}

describe('afb synth --queue', () => {
  it('procedural: one job per video and a finishing job; the same files as a local run', async () => {
    const common = ['--procedural', '--photos', join(dir, 'photos'), '--count', '5', '--frames-per-video', '2', '--size', '64x64', '--seed', '3'];
    const s = await queueThenWork([...common, '-o', join(dir, 'proc-q')], 'proc');
    expect(s.counts).toMatchObject({ completed: 4, failed: 0, waiting: 0, waitingChildren: 0 }); // 3 videos + finish
    const local = await runAfb(['--workers', '1', 'synth', ...common, '-o', join(dir, 'proc-l')]);
    expect(local.code, local.stderr).toBe(0);
    const [q, l] = [await snapshot(join(dir, 'proc-q')), await snapshot(join(dir, 'proc-l'))];
    expect([...q.keys()].filter((k) => k.includes('/blur/'))).toHaveLength(5);
    expect(JSON.parse(q.get('manifest.json')!)).toMatchObject({ complete: true, counts: { samples: 5 } });
    expect(q).toEqual(l);
  }, 300_000);

  it('footage: one job per input; sample counts reach the manifest; the same files as a local run', async () => {
    const inputs = [join(dir, 'footage', 'f0.mp4'), join(dir, 'footage', 'f1.mp4')];
    const s = await queueThenWork([...inputs, '-o', join(dir, 'foot-q')], 'foot');
    expect(s.counts).toMatchObject({ completed: 3, failed: 0 });
    const local = await runAfb(['--workers', '1', 'synth', ...inputs, '-o', join(dir, 'foot-l')]);
    expect(local.code, local.stderr).toBe(0);
    const [q, l] = [await snapshot(join(dir, 'foot-q')), await snapshot(join(dir, 'foot-l'))];
    // 105 and 115 frames, windows of 49: 2 samples each.
    expect(JSON.parse(q.get('manifest.json')!)).toMatchObject({ complete: true, framesPerVideo: { f0: 2, f1: 2 } });
    expect(q).toEqual(l);
  }, 300_000);
});
