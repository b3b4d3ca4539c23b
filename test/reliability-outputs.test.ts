// What afb does about leftovers and lifetimes: it removes its own temporary files from interrupted
// runs (only those, only from runs that are gone), and a pool is never torn down while a worker is
// still loading (terminating a thread inside onnxruntime's session creation aborted the process
// with exit 134).
import { spawnSync } from 'node:child_process';
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerLoadTracker } from '../pipeline/frame/worker-loading.js';
import { runAfb } from './helpers/cli.js';
import { makeTempDir, makeTestClip, removeTempDir } from './helpers/media.js';

let dir: string;
beforeAll(async () => { dir = await makeTempDir('reliability-'); });
afterAll(async () => removeTempDir(dir));

describe('leftovers of interrupted runs [14.8]', () => {
  it('a run removes afb\'s own stale temporary files in its output folder, and nothing else', async () => {
    const out = join(dir, 'out');
    await mkdir(out);
    const deadPid = spawnSync('true').pid!; // a process that has exited
    const old = new Date(Date.now() - 3600_000);
    const make = async (name: string, when = old, folder = false) => {
      const p = join(out, name);
      if (folder) {
        await mkdir(p);
        await writeFile(join(p, '00000000.png'), 'x');
      } else await writeFile(p, 'partial');
      await utimes(p, when, when);
      return name;
    };
    const removed = [
      await make(`.afb-tmp-p${deadPid}-deadbeef-clip-7x.mp4`),
      await make('.afb-tmp-0badcafe-older.mp4'), // afb 0.1's names carry no pid: by age only
      await make(`.afb-old-p${deadPid}-12345678-frames`, old, true),
    ];
    const kept = [
      await make(`.afb-tmp-p${process.pid}-cafebabe-other.mp4`), // a live process's (this test's pid)
      await make(`.afb-tmp-p${deadPid}-abcdef01-new.mp4`, new Date(Date.now() + 3600_000)), // newer than the run
      await make('.afb-tmpfoo.mp4'), // not afb's pattern
      await make('holiday.mp4'),
    ];
    const clip = await makeTestClip(join(dir, 'clip.mp4'), { frames: 2 });
    const r = await runAfb(['video', clip, '-o', join(out, 'clip-7x.mp4'), '--workers', '1']);
    expect(r.code, r.stderr).toBe(0);
    for (const name of removed) expect(r.stderr).toContain(`removed ${join(out, name)}, left by an interrupted run`);
    expect((await readdir(out)).sort()).toEqual([...kept, 'clip-7x.mp4'].sort());
  });
});

describe('worker loading', () => {
  const worker = fileURLToPath(new URL('./fixtures/slow-loading-worker.mjs', import.meta.url));
  const pool = (state: SharedArrayBuffer, loadMs: number) => new Piscina({ filename: worker, minThreads: 2, maxThreads: 2, workerData: { state, loadMs } });
  it('settled() waits until every worker has loaded, so destroying the pool never meets one loading', async () => {
    const state = new SharedArrayBuffer(12);
    const p = pool(state, 400);
    const tracker = new WorkerLoadTracker(p);
    await tracker.settled();
    expect(Array.from(new Int32Array(state))).toEqual([2, 2, 2]);
    expect(tracker.loadedCount).toBe(2);
    await p.destroy();
  });
  it('(control) destroying at once terminates the workers while they load: what settled() prevents', async () => {
    const state = new SharedArrayBuffer(12);
    const p = pool(state, 3000);
    const s = new Int32Array(state);
    while (s[0]! < 2) await new Promise((r) => setTimeout(r, 10)); // both have started loading
    await p.destroy();
    expect(s[0]).toBe(2);
    expect([s[1], s[2]]).toContain(1); // cut off mid-load
  });
});
