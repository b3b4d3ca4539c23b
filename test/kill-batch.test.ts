// kill -9 in the middle of a batch, then the same command again: the second run resumes (finished
// outputs are kept), removes what the killed run left (its temporary files), and ends with every
// output complete: 7x the frames at exactly 7x the rate, and no temporary file anywhere.
import { execFileSync, spawn } from 'node:child_process';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe } from '../pipeline/io/probe.js';
import { runAfb } from './helpers/cli.js';
import { makeTempDir, makeTestClip, REPO_ROOT, removeTempDir } from './helpers/media.js';

let dir: string;
beforeAll(async () => { dir = await makeTempDir('kill-batch-'); });
afterAll(async () => removeTempDir(dir));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Processes whose command line mentions `needle`. */
function processesWith(needle: string): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.includes(needle) && !l.includes('ps -eo')).map((l) => Number(l.trim().split(/\s+/)[0]));
}

/** Every entry under `root` whose name is one of afb's temporary names. */
async function temporaries(root: string): Promise<string[]> {
  const all = await readdir(root, { recursive: true });
  return all.filter((p) => /(^|\/)\.afb-(tmp|old)-/.test(p));
}

describe('kill -9 during a batch, then the same command again', () => {
  it('resumes to complete outputs (frame count and rate) with no temporary file left', async () => {
    const inputs = join(dir, 'in');
    const out = join(dir, 'converted');
    await mkdir(inputs);
    const rates = [{ num: 24, den: 1 }, { num: 25, den: 1 }, { num: 30000, den: 1001 }, { num: 30, den: 1 }];
    for (const [k, fps] of rates.entries()) await makeTestClip(join(inputs, `clip${k}.mp4`), { fps, frames: 30 });
    const args = ['video', inputs, '-o', out, '--workers', '1', '--method', 'guidance'];
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/afb.js'), ...args], { cwd: REPO_ROOT, stdio: 'ignore' });
    // Kill it once one output is finished and the next is being written (its temporary file exists).
    const t0 = Date.now();
    for (;;) {
      const names = await readdir(out).catch(() => [] as string[]);
      if (names.some((n) => !n.startsWith('.')) && names.some((n) => n.startsWith('.afb-tmp-'))) break;
      if (child.exitCode !== null || Date.now() - t0 > 240_000) throw new Error('the batch ended before it could be killed');
      await sleep(20);
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('close', r));
    const killedLeft = await temporaries(out);
    expect(killedLeft.length).toBeGreaterThan(0); // the kill really left a partial output behind
    // Its ffmpeg children see their pipes close and exit by themselves.
    while (processesWith(out).length > 0) await sleep(100);

    const again = await runAfb(args);
    expect(again.code, again.stderr).toBe(0);
    for (const t of killedLeft) expect(again.stderr).toContain(`removed ${join(out, t)}, left by an interrupted run`);
    expect(again.stderr).toMatch(/batch: \d done, [1-3] skipped, 0 failed/);
    expect(await temporaries(dir)).toEqual([]);
    expect((await readdir(out)).sort()).toEqual(rates.map((_, k) => `clip${k}.mp4`));
    for (const [k, fps] of rates.entries()) {
      const info = await probe(join(out, `clip${k}.mp4`));
      expect(info.frameCount).toBe(30 * 7);
      expect(info.fps.num * fps.den).toBe(7 * fps.num * info.fps.den); // exactly 7x the input's rational rate
    }
  }, 600_000);
});
