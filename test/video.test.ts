import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readdir, readFile, writeFile, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { fileURLToPath } from 'node:url';
import { encodeNpy } from '../pipeline/io/npy.js';
import { probe } from '../pipeline/io/probe.js';
import { outputIndex, outputRate } from '../pipeline/video/rate.js';
import { makeTempDir, makeTestClip, removeTempDir, REPO_ROOT } from './helpers/media.js';

const model = fileURLToPath(new URL('./fixtures/decomposer-linear.onnx', import.meta.url));
let dir = '';

interface CliResult { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** Run the compiled CLI; `onStderr` may kill it. */
function afb(args: string[], onStderr?: (text: string, kill: (s: NodeJS.Signals) => void) => void): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/afb.js'), '--workers', '2', ...args], { cwd: REPO_ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      onStderr?.(stderr, (s) => child.kill(s));
    });
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Frame i of a folder input: a gradient shifted by 30*i so that frames differ. */
function folderFrame(i: number, w: number, h: number): Uint8Array {
  return Uint8Array.from({ length: w * h * 3 }, (_, k) => (Math.floor(k / 3) * 5 + (k % 3) * 40 + 30 * i) % 256);
}

async function readRgb(path: string): Promise<{ data: Uint8Array; width: number; height: number }> {
  const { data, info } = await sharp(path).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height };
}

async function tmpLeftovers(folder: string): Promise<string[]> {
  return (await readdir(folder)).filter((n) => n.includes('.afb-tmp'));
}

beforeAll(async () => {
  dir = await makeTempDir('video-');
}, 300_000);
afterAll(() => removeTempDir(dir));

describe('output timing', () => {
  it('is exactly 7x the rational input rate, or the input rate with --slowmo', () => {
    expect(outputRate({ num: 30000, den: 1001 })).toEqual({ num: 30000, den: 143 }); // = 210000/1001
    expect(outputRate({ num: 25, den: 1 })).toEqual({ num: 175, den: 1 });
    expect(outputRate({ num: 24000, den: 1001 }, true)).toEqual({ num: 24000, den: 1001 });
    expect(outputIndex(3, 5)).toBe(26);
  });
});

describe('afb video', () => {
  it('writes 7x the frames at 7x the rational rate with the same duration and the audio', async () => {
    const input = await makeTestClip(join(dir, 'clip.mp4'), { width: 32, height: 24, frames: 9, audio: true });
    const out = join(dir, 'clip-7x.mp4');
    const r = await afb(['--json', 'video', input, '-o', out, '--model', model]);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as { outputFrames: number; inputFrames: number; outputFps: string };
    expect(summary).toMatchObject({ inputFrames: 9, outputFrames: 63, outputFps: '30000/143' });
    const [src, dst] = [await probe(input), await probe(out)];
    expect(dst.fps).toEqual({ num: 30000, den: 143 });
    expect(dst.frameCount).toBe(63);
    expect(dst.hasAudio).toBe(true);
    expect(Math.abs(dst.duration - src.duration)).toBeLessThan(0.05);
  });

  it('--guidance predict: guidance sampled from the predictor drives the model, one class for a uniform frame', async () => {
    const folder = join(dir, 'uniform');
    await mkdir(folder, { recursive: true });
    const [w, h] = [24, 16];
    for (let i = 0; i < 2; i++) {
      const data = new Uint8Array(w * h * 3);
      for (let p = 0; p < w * h; p++) data.set([40, 128, 128], 3 * p);
      await sharp(Buffer.from(data), { raw: { width: w, height: h, channels: 3 } }).png().toFile(join(folder, `f${i}.png`));
    }
    const out = join(dir, 'predict-out');
    const predictor = fileURLToPath(new URL('./fixtures/predictor-tiny.onnx', import.meta.url));
    const r = await afb(['--json', 'video', folder, '--fps', '10', '-o', out, '--model', model, '--guidance', 'predict', '--predictor', predictor, '--seed', '3']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { outputFrames: number; guidance: string };
    expect(summary.outputFrames).toBe(14);
    expect(summary.guidance).toMatch(/predictor/);
    // decomposer-linear: frame j = blurry + (j-3)(0.05 gx + 0.02 gy); the uniform input gives one guidance class everywhere
    const f0 = await readRgb(join(out, '00000000.png'));
    const f3 = await readRgb(join(out, '00000003.png'));
    expect(Array.from(new Set(f3.data))).toEqual([40, 128]);
    const deltas = new Set<number>();
    for (let p = 0; p < w * h; p++) deltas.add(f0.data[3 * p + 1]! - 128);
    expect(deltas.size).toBe(1);
    const allowed = [[0, 0], [1, 1], [1, -1], [-1, 1], [-1, -1]].map(([gx, gy]) => Math.round(128 - 3 * (0.05 * gx! + 0.02 * gy!) * 255) - 128);
    expect(allowed).toContain([...deltas][0]);
    expect([...deltas][0]).not.toBe(0); // seed 3 samples a moving class (deterministic per seed), so the guidance really flows through
  });

  it('writes a PNG folder n = 7i + j with exact values for file guidance, odd sizes cropped back', async () => {
    const w = 13, h = 9, frames = 4;
    const input = join(dir, 'frames');
    await mkdir(input);
    for (let i = 0; i < frames; i++) {
      await sharp(Buffer.from(folderFrame(i, w, h)), { raw: { width: w, height: h, channels: 3 } }).png().toFile(join(input, `f${i + 1}.png`));
    }
    const g = Int8Array.from({ length: w * h * 2 }, (_, k) => ((k * 5 + (k >> 4)) % 3) - 1);
    await writeFile(join(dir, 'g.npy'), encodeNpy(g, [h, w, 2]));
    const out = join(dir, 'frames-out');
    const r = await afb(['video', input, '-o', out, '--fps', '24', '--model', model, '--guidance', join(dir, 'g.npy')]);
    expect(r.code, r.stderr).toBe(0);
    const all = (await readdir(out)).sort();
    // the frames, and the marker that lets a later run replace this folder
    expect(all).toEqual(['.afb-output', ...Array.from({ length: 28 }, (_, n) => `${String(n).padStart(8, '0')}.png`)]);
    const names = all.slice(1);
    let maxDiff = 0;
    for (let i = 0; i < frames; i++) {
      const src = folderFrame(i, w, h);
      for (let j = 0; j < 7; j++) {
        const img = await readRgb(join(out, names[outputIndex(i, j)]!));
        expect([img.width, img.height]).toEqual([w, h]);
        for (let p = 0; p < w * h; p++)
          for (let k = 0; k < 3; k++) {
            const v = src[p * 3 + k]! / 255 + (j - 3) * 0.05 * g[p * 2]! + (j - 3) * 0.02 * g[p * 2 + 1]!;
            maxDiff = Math.max(maxDiff, Math.abs(img.data[p * 3 + k]! - Math.round(255 * Math.min(1, Math.max(0, v)))));
          }
      }
    }
    expect(maxDiff).toBeLessThanOrEqual(1);
    // --slowmo keeps the input rate: 28 frames at 24 fps.
    const slow = join(dir, 'slow.mp4');
    const s = await afb(['video', input, '-o', slow, '--fps', '24', '--slowmo', '--model', model]);
    expect(s.code, s.stderr).toBe(0);
    const info = await probe(slow);
    expect(info.fps).toEqual({ num: 24, den: 1 });
    expect(info.frameCount).toBe(28);
  });

  it('batch: a bad file is reported and skipped, finished outputs are skipped on re-run', async () => {
    const inDir = join(dir, 'batch-in');
    await mkdir(inDir);
    await makeTestClip(join(inDir, 'a.mp4'), { width: 32, height: 24, frames: 3 });
    await writeFile(join(inDir, 'b.mp4'), Buffer.from('this is not a video'));
    const outDir = join(dir, 'batch-out');
    const first = await afb(['--json', 'video', inDir, '-o', outDir, '--model', model]);
    expect(first.code).toBe(1);
    const s1 = JSON.parse(first.stdout) as { done: number; failed: number; skipped: number; entries: { input: string; status: string; reason?: string }[] };
    expect([s1.done, s1.skipped, s1.failed]).toEqual([1, 0, 1]);
    expect(s1.entries.find((e) => e.status === 'failed')!.input).toMatch(/b\.mp4$/);
    expect(s1.entries.find((e) => e.status === 'failed')!.reason).toMatch(/b\.mp4/);
    expect((await readdir(outDir)).sort()).toEqual(['a.mp4']);
    expect((await probe(join(outDir, 'a.mp4'))).frameCount).toBe(21);
    const mtime = (await stat(join(outDir, 'a.mp4'))).mtimeMs;
    const second = await afb(['--json', 'video', join(inDir, '*.mp4'), '-o', outDir, '--model', model]);
    const s2 = JSON.parse(second.stdout) as typeof s1;
    expect([s2.done, s2.skipped, s2.failed]).toEqual([0, 1, 1]);
    expect((await stat(join(outDir, 'a.mp4'))).mtimeMs).toBe(mtime);
  });

  it('SIGTERM stops cleanly: non-zero exit, no output, no temporary files', async () => {
    const input = await makeTestClip(join(dir, 'long.mp4'), { width: 64, height: 48, frames: 400 });
    const out = join(dir, 'long-7x.mp4');
    const before = await tmpLeftovers(dir);
    let killed = false;
    const r = await afb(['video', input, '-o', out, '--model', model, '--log-level', 'debug'], (text, kill) => {
      // Kill once work is under way (the first progress line), not during start-up.
      if (!killed && /frames\/s/.test(text)) {
        killed = true;
        kill('SIGTERM');
      }
    });
    expect(killed).toBe(true);
    // A signal here (code null) means the process died instead of stopping: e.g. a worker
    // terminated inside an onnxruntime run aborts it.
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 143, signal: null }); // 128 + 15
    expect(r.stderr).toMatch(/CancelledError: Interrupted by SIGTERM/);
    await expect(stat(out)).rejects.toThrow();
    expect(await tmpLeftovers(dir)).toEqual(before); // (each test checks only what it left)
  });

  it('a video corrupt mid-stream fails naming the frame and leaves no output', async () => {
    const full = await makeTestClip(join(dir, 'full.mp4'), { width: 64, height: 48, frames: 40, extra: ['-g', '5', '-movflags', '+faststart'] });
    const bytes = await readFile(full);
    const cut = join(dir, 'cut.mp4');
    await writeFile(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const out = join(dir, 'cut-7x.mp4');
    const before = await tmpLeftovers(dir);
    const r = await afb(['video', cut, '-o', out, '--model', model]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/CorruptInputError: .*\(at frame \d+\)/);
    await expect(stat(out)).rejects.toThrow();
    expect(await tmpLeftovers(dir)).toEqual(before); // (each test checks only what it left)
  });

  it('an output folder that cannot be created fails before decoding with OutputError naming it', async () => {
    const blocker = join(dir, 'not-a-folder.txt');
    await writeFile(blocker, 'a file where the output folder should be');
    const out = join(blocker, 'sub', 'x.mp4');
    const before = await tmpLeftovers(dir);
    const r = await afb(['video', join(dir, 'clip.mp4'), '-o', out, '--model', model]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/OutputError: Output folder cannot be made: .*not-a-folder\.txt is a file: .*not-a-folder\.txt\/sub/);
    expect(r.stderr).not.toMatch(/frames\/s/); // nothing was decoded
    expect(await tmpLeftovers(dir)).toEqual(before); // (each test checks only what it left)
  });

  it('an output whose folder is an existing file fails before decoding with OutputError naming it', async () => {
    const blocker = join(dir, 'file-as-folder.txt');
    await writeFile(blocker, 'a file where the output folder should be');
    const before = await tmpLeftovers(dir);
    const r = await afb(['video', join(dir, 'clip.mp4'), '-o', join(blocker, 'x.mp4'), '--model', model]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/OutputError: Output folder is a file, not a folder: .*file-as-folder\.txt/);
    expect(r.stderr).not.toMatch(/frames\/s/); // nothing was decoded
    expect(await tmpLeftovers(dir)).toEqual(before);
  });

  it('names the expected inputs for a wrong model and the path of a missing one', async () => {
    const input = join(dir, 'clip.mp4');
    const wrongModel = fileURLToPath(new URL('./fixtures/decomposer-wrong.onnx', import.meta.url));
    // neither contract: the default method (learned, the motion is known from video) names its inputs
    const wrong = await afb(['video', input, '-o', join(dir, 'x.mp4'), '--model', wrongModel]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/ModelError: Model inputs are \[image, guide\] but expected \[blurry, motion, physics\]/);
    const wrongGuidance = await afb(['video', input, '-o', join(dir, 'x.mp4'), '--model', wrongModel, '--method', 'guidance']);
    expect(wrongGuidance.code).toBe(1);
    expect(wrongGuidance.stderr).toMatch(/ModelError: Model inputs are \[image, guide\] but expected \[blurry, guidance\]/);
    const missing = await afb(['video', input, '-o', join(dir, 'x.mp4'), '--model', join(dir, 'nope.onnx')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Model file not found: .*nope\.onnx/);
    await expect(stat(join(dir, 'x.mp4'))).rejects.toThrow();
  });
});
