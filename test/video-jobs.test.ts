// `afb video --jobs N` (N > 1): several files in flight at once sharing one worker pool. The batch
// runner really overlaps N conversions, and the frames of files converted together never mix.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { encodeNpy } from '../pipeline/io/npy.js';
import { Logger } from '../pipeline/log.js';
import { runBatch } from '../pipeline/video/batch.js';
import { runAfb } from './helpers/cli.js';
import { makeTempDir, makeTestClip, removeTempDir } from './helpers/media.js';

const model = fileURLToPath(new URL('./fixtures/decomposer-linear.onnx', import.meta.url));
const W = 32;
const H = 24;
let dir = '';

beforeAll(async () => {
  dir = await makeTempDir('video-jobs-');
});
afterAll(() => removeTempDir(dir));

/** Decoded RGB frames of a clip, straight from ffmpeg (the same rgb24 conversion afb asks for). */
function decodeRgb(path: string): Uint8Array[] {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-i', path, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(r.stderr.toString());
  const size = W * H * 3;
  return Array.from({ length: r.stdout.length / size }, (_, i) => new Uint8Array(r.stdout.subarray(i * size, (i + 1) * size)));
}

describe('batch runner', () => {
  it('keeps exactly `jobs` conversions in flight and reports each file', async () => {
    let running = 0;
    let most = 0;
    const pairs = ['a', 'b', 'c', 'd', 'e'].map((n) => ({ input: join(dir, `${n}.mp4`), output: join(dir, 'none', `${n}.mp4`) }));
    const summary = await runBatch(pairs, async (input) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 30));
      running--;
      if (input.endsWith('c.mp4')) throw new Error('bad file');
      return input;
    }, { jobs: 2, force: false, log: new Logger('silent') });
    expect(most).toBe(2);
    expect([summary.done, summary.skipped, summary.failed]).toEqual([4, 0, 1]);
    expect(summary.entries.map((e) => e.status)).toEqual(['done', 'done', 'failed', 'done', 'done']);
  });
});

describe('afb video --jobs 2', () => {
  it('converts three files two at a time through one pool; every output frame belongs to its own file', async () => {
    const inDir = join(dir, 'in');
    await mkdir(inDir);
    // Three different clips: plain, negated and mirrored test patterns, with different lengths.
    const clips = [
      await makeTestClip(join(inDir, 'a.mp4'), { width: W, height: H, frames: 5 }),
      await makeTestClip(join(inDir, 'b.mp4'), { width: W, height: H, frames: 4, extra: ['-vf', 'negate'] }),
      await makeTestClip(join(inDir, 'c.mp4'), { width: W, height: H, frames: 3, extra: ['-vf', 'hflip'] }),
    ];
    // Uniform guidance (1, 0): the linear test model gives frame j = blurry + (j - 3) * 0.05.
    const g = Int8Array.from({ length: W * H * 2 }, (_, k) => (k % 2 === 0 ? 1 : 0));
    await writeFile(join(dir, 'g.npy'), encodeNpy(g, [H, W, 2]));
    const outDir = join(dir, 'out');
    const r = await runAfb(['--json', '--workers', '2', 'video', inDir, '-o', outDir, '--container', 'png', '--jobs', '2',
      '--model', model, '--guidance', join(dir, 'g.npy')]);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { done: number; failed: number; entries: { input: string; status: string }[] };
    expect([summary.done, summary.failed]).toEqual([3, 0]);
    expect((await readdir(outDir)).sort()).toEqual(['a', 'b', 'c']);
    for (const clip of clips) {
      const name = clip.slice(-5, -4);
      const inputs = decodeRgb(clip);
      const all = (await readdir(join(outDir, name))).sort();
      expect(all[0]).toBe('.afb-output'); // afb's marker: a later run may replace the folder
      const names = all.slice(1);
      expect(names).toHaveLength(7 * inputs.length);
      let worst = 0;
      for (let n = 0; n < names.length; n++) {
        const [i, j] = [Math.floor(n / 7), n % 7];
        const out = new Uint8Array(await sharp(join(outDir, name, names[n]!)).removeAlpha().raw().toBuffer());
        const src = inputs[i]!;
        for (let k = 0; k < src.length; k++) {
          const want = Math.round(255 * Math.min(1, Math.max(0, src[k]! / 255 + (j - 3) * 0.05)));
          worst = Math.max(worst, Math.abs(out[k]! - want));
        }
      }
      expect(worst, `${name}: largest difference from its own frames`).toBeLessThanOrEqual(1);
    }
  });
});
