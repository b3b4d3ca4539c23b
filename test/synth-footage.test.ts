// Blur synthesis from footage: linear-light window means, ground-truth indices, guidance of a
// known motion, resume, the B-Aist++ layout (pickle bbox), interpolation maths, naming and splits.
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBboxPickle } from '../pipeline/io/pickle/decode.js';
import { existsSync } from 'node:fs';
import { BuiltinFlowEstimator } from '../pipeline/flow/builtin.js';
import { bboxPath, blurPath, guidancePath, hashConfig, manifestPath, motionPath, readManifest, readVideoList, sharpPath } from '../pipeline/io/dataset-layout.js';
import { readImage } from '../pipeline/io/image.js';
import { negateFlowInPlace } from '../pipeline/math/guidance-transforms.js';
import { meanMotion } from '../pipeline/math/motion/motion-field.js';
import { decodeNpy } from '../pipeline/io/npy.js';
import { encodeIntListDictPickle } from '../pipeline/io/pickle/encode.js';
import { Logger } from '../pipeline/log.js';
import { flowInconsistency, interpolateFrame } from '../pipeline/math/blur-interpolate.js';
import { Rng } from '../pipeline/math/prng.js';
import { staticMotion } from '../pipeline/math/procedural/affine.js';
import { renderInstant, type Texture } from '../pipeline/math/procedural/render.js';
import { assignSplits, runFootage, videoNames, type FootageRunOptions } from '../pipeline/synth/footage.js';
import type { FootageSettings } from '../pipeline/synth/footage-video.js';
import { makeTempDir, removeTempDir } from './helpers/media.js';

const W = 48, H = 32;
let dir: string;
let frames: string;
let codes: Uint8Array[] = [];

/** Smooth random texture in linear light. */
function texture(w: number, h: number, seed: number): Texture {
  const rng = new Rng(seed);
  const waves = Array.from({ length: 12 }, () => [rng.uniform(0.1, 0.45), rng.uniform(0.1, 0.45), rng.uniform(0, 6.28)] as const);
  const data = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) {
    let v = 0;
    for (let k = 0; k < 4; k++) { const [fx, fy, ph] = waves[c * 4 + k]!; v += Math.sin(fx * x + fy * y + ph); }
    data[(y * w + x) * 3 + c] = Math.min(1, Math.max(0, 0.45 + 0.12 * v));
  }
  return { width: w, height: h, channels: 3, data };
}

const srgbEncode = (v: number) => (v <= 0.0031308 ? 12.92 * v : 1.055 * Math.pow(v, 1 / 2.4) - 0.055);
const srgbDecode = (c: number) => { const v = c / 255; return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };

function settings(extra: Partial<FootageSettings> = {}): FootageSettings {
  return { window: 7, gap: 1, curve: 'srgb', interpolate: 1, gts: 7, guidanceRes: 'full', staticThreshold: 0.5, layout: 'genblur', pngLevel: 1, flowWidth: 320, ...extra };
}

function options(root: string, extra: Partial<FootageRunOptions> = {}): FootageRunOptions {
  return { inputs: [frames], root, settings: settings(), split: 'train', validFraction: 0, flowBackend: 'builtin', force: false, workers: 1, log: new Logger('silent'), ...extra };
}

beforeAll(async () => {
  dir = await makeTempDir('synth-footage-');
  frames = join(dir, 'clip');
  await mkdir(frames, { recursive: true });
  // 20 frames of a textured scene moving right-down by (1.5, 1) px per frame
  const tex = texture(W + 80, H + 60, 3);
  const lin = new Float32Array(W * H * 3);
  codes = [];
  for (let f = 0; f < 20; f++) {
    renderInstant([{ texture: tex, motion: staticMotion([10, 10], [1.5 * f, f]) }], 0, W, H, lin);
    const c = new Uint8Array(lin.length);
    for (let i = 0; i < lin.length; i++) c[i] = Math.round(255 * srgbEncode(lin[i]!));
    codes.push(c);
    await sharp(Buffer.from(c), { raw: { width: W, height: H, channels: 3 } }).png().toFile(join(frames, `f${String(f).padStart(3, '0')}.png`));
  }
});

afterAll(async () => removeTempDir(dir));

async function rgb(path: string): Promise<Uint8Array> {
  const { data } = await sharp(path).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return new Uint8Array(data);
}

describe('afb synth INPUT (footage)', () => {
  it('averages each window in linear light, takes evenly spaced ground truths, writes lists and manifest', async () => {
    const root = join(dir, 'a');
    const s = await runFootage(options(root));
    expect(s).toMatchObject({ samples: 2, written: 2, skipped: 0 }); // period 8: windows at frames 0..6 and 8..14
    expect(await readVideoList(root, 'train')).toEqual(['clip']);
    expect((await readManifest(root))!.framesPerVideo).toEqual({ clip: 2 });
    for (const [w, first] of [[0, 0], [1, 8]] as const) {
      const blur = await rgb(blurPath(root, 'clip', w));
      let worst = 0;
      for (let i = 0; i < blur.length; i++) {
        let m = 0;
        for (let f = first; f < first + 7; f++) m += srgbDecode(codes[f]![i]!) / 7;
        worst = Math.max(worst, Math.abs(blur[i]! - 255 * srgbEncode(m)));
      }
      expect(worst).toBeLessThanOrEqual(0.5 + 1e-6);
      for (let j = 0; j < 7; j++) expect(Buffer.compare(Buffer.from(await rgb(sharpPath(root, 'clip', w, j))), Buffer.from(codes[first + j]!))).toBe(0);
    }
  });

  it('guidance of content moving right-down is (1, 1)', async () => {
    const g = decodeNpy(await readFile(guidancePath(join(dir, 'a'), 'clip', 0)));
    expect(g.shape).toEqual([H, W, 2]);
    let good = 0;
    for (let y = 4; y < H - 4; y++) for (let x = 4; x < W - 4; x++) {
      const p = y * W + x;
      if (g.data[2 * p] === 1 && g.data[2 * p + 1] === 1) good++;
    }
    expect(good / ((H - 8) * (W - 8))).toBeGreaterThan(0.95);
  });

  it('uses the gamma 2.2 curve when asked', async () => {
    const root = join(dir, 'g22');
    await runFootage(options(root, { settings: settings({ curve: 'gamma2.2', gap: 0 }) }));
    const blur = await rgb(blurPath(root, 'clip', 1));
    let worst = 0;
    for (let i = 0; i < blur.length; i++) {
      let m = 0;
      for (let f = 7; f < 14; f++) m += Math.pow(codes[f]![i]! / 255, 2.2) / 7;
      worst = Math.max(worst, Math.abs(blur[i]! - 255 * Math.pow(m, 1 / 2.2)));
    }
    expect(worst).toBeLessThanOrEqual(0.5 + 1e-6);
  });

  it('resumes to byte-identical output and refuses a changed config', async () => {
    const a = join(dir, 'a');
    const r = join(dir, 'resume');
    await runFootage(options(r));
    await rm(blurPath(r, 'clip', 1));
    await rm(sharpPath(r, 'clip', 1, 3));
    const again = await runFootage(options(r));
    expect(again).toMatchObject({ written: 1, skipped: 1 });
    const paths = [(x: string) => blurPath(x, 'clip', 1), (x: string) => sharpPath(x, 'clip', 1, 3), (x: string) => guidancePath(x, 'clip', 1)];
    for (const p of paths) expect(Buffer.compare(await readFile(p(a)), await readFile(p(r)))).toBe(0);
    await expect(runFootage(options(r, { settings: settings({ window: 5 }) }))).rejects.toThrow(/different config/);
  });

  it('keys the config by each input\'s name and size, not its path; accepts a dataset hashed with the path', async () => {
    const r = join(dir, 'moved');
    const first = await runFootage(options(r));
    // the same frames in another folder (another clone, a moved pool): the same dataset, resumed
    const elsewhere = join(dir, 'elsewhere', 'clip');
    await mkdir(elsewhere, { recursive: true });
    for (const f of await readdir(frames)) await copyFile(join(frames, f), join(elsewhere, f));
    const moved = await runFootage(options(r, { inputs: [elsewhere] }));
    expect(moved).toMatchObject({ written: 0, skipped: first.written, configHash: first.configHash });
    // a manifest written before the rule (its hash covered the absolute path) resumes in place and is re-keyed
    const manifest = (await readManifest(r))!;
    const input = (manifest.config['inputs'] as Record<string, unknown>[])[0]!;
    const legacy = hashConfig({ ...manifest.config, inputs: [{ path: elsewhere, bytes: input['bytes'], video: input['video'], split: input['split'] }] });
    expect(legacy).not.toBe(first.configHash);
    await writeFile(manifestPath(r), JSON.stringify({ ...manifest, configHash: legacy }));
    const resumed = await runFootage(options(r, { inputs: [elsewhere] }));
    expect(resumed).toMatchObject({ written: 0, configHash: first.configHash });
    expect((await readManifest(r))!.configHash).toBe(first.configHash);
    // the legacy hash of another path is a changed config
    await writeFile(manifestPath(r), JSON.stringify({ ...manifest, configHash: legacy }));
    await expect(runFootage(options(r))).rejects.toThrow(/different config/);
  });

  it('resumes around a complete window (output buffers reused safely)', async () => {
    const full = join(dir, 'w6-full');
    const part = join(dir, 'w6-part');
    const six = settings({ window: 6, gap: 0, gts: 3 });
    expect((await runFootage(options(full, { settings: six }))).written).toBe(3);
    await runFootage(options(part, { settings: six }));
    await rm(blurPath(part, 'clip', 0));
    await rm(blurPath(part, 'clip', 2));
    await rm(sharpPath(part, 'clip', 2, 0));
    expect(await runFootage(options(part, { settings: six }))).toMatchObject({ written: 2, skipped: 1 });
    for (const w of [0, 2]) {
      for (const p of [blurPath(full, 'clip', w), sharpPath(full, 'clip', w, 0), sharpPath(full, 'clip', w, 2)]) {
        expect(Buffer.compare(await readFile(p), await readFile(p.replace(full, part)))).toBe(0);
      }
    }
  });

  it('a forced run over a dataset removes the video folders its lists drop (issue #14)', async () => {
    const root = join(dir, 'forced');
    const second = join(dir, 'second');
    await mkdir(second);
    await copyFile(join(frames, 'f000.png'), join(second, 'f000.png'));
    for (let f = 1; f < 8; f++) await copyFile(join(frames, `f${String(f).padStart(3, '0')}.png`), join(second, `f${String(f).padStart(3, '0')}.png`));
    await runFootage(options(root, { inputs: [frames, second] }));
    expect((await readdir(root)).filter((n) => !n.includes('.'))).toEqual(['clip', 'second']);
    await runFootage(options(root, { force: true }));
    expect(await readVideoList(root, 'train')).toEqual(['clip']);
    expect((await readdir(root)).filter((n) => !n.includes('.'))).toEqual(['clip']);
  });

  it('writes trend+_avg and bbox pickles with --layout baistpp', async () => {
    const root = join(dir, 'b');
    await runFootage(options(root, { settings: settings({ layout: 'baistpp' }), validFraction: 1 }));
    expect(await readVideoList(root, 'valid')).toEqual(['clip']);
    const g = decodeNpy(await readFile(guidancePath(root, 'clip', 0, 'baistpp')));
    expect(g.shape).toEqual([H, W, 2]);
    expect(guidancePath(root, 'clip', 0, 'baistpp')).toContain('trend+_avg');
    const bbox = parseBboxPickle(await readFile(bboxPath(root, 'clip', 0)));
    expect(bbox).toEqual([0, 0, W, H]); // everything moves: the whole frame
  });

  it('--motion-files video: each blurry frame\'s motion from its neighbours, as afb video estimates it; resumed when missing', async () => {
    const root = join(dir, 'motion');
    const three = settings({ window: 3, gts: 3, gap: 0, motionFiles: ['video'] });
    const s = await runFootage(options(root, { settings: three }));
    expect(s.samples).toBe(6); // windows of 3 frames: the content moves (1.5, 1) x 3 = (4.5, 3) px between blurry frames
    expect((await readManifest(root))!.config['motionFiles']).toEqual(['video']);
    const blurs = await Promise.all([0, 1, 2].map((w) => readImage(blurPath(root, 'clip', w))));
    const flow = new BuiltinFlowEstimator();
    const expected = [
      await flow.estimate(blurs[0]!, blurs[1]!), // the first frame: to the next frame only
      meanMotion(negateFlowInPlace(await flow.estimate(blurs[1]!, blurs[0]!)), await flow.estimate(blurs[1]!, blurs[2]!)), // inner: both
    ];
    for (const w of [0, 1]) {
      const npy = decodeNpy(await readFile(motionPath(root, 'clip', w, 'video')));
      expect(npy.shape).toEqual([H, W, 2]);
      expect(Array.from(npy.data as Float32Array)).toEqual(Array.from(expected[w]!.data));
      let [mx, my] = [0, 0];
      for (let p = 0; p < W * H; p++) { mx += npy.data[2 * p]! / (W * H); my += npy.data[2 * p + 1]! / (W * H); }
      expect(mx).toBeGreaterThan(2); // right
      expect(my).toBeGreaterThan(1); // and down
    }
    const before = await readFile(motionPath(root, 'clip', 1, 'video'));
    await rm(motionPath(root, 'clip', 1, 'video'));
    expect(await runFootage(options(root, { settings: three }))).toMatchObject({ written: 0, skipped: 6 });
    expect(Buffer.compare(await readFile(motionPath(root, 'clip', 1, 'video')), before)).toBe(0);
    // without the option no motion folder is written and the config (hash) is the one it always was
    expect(existsSync(join(dir, 'a', 'clip', 'motion_video'))).toBe(false);
    expect((await readManifest(join(dir, 'a')))!.config).not.toHaveProperty('motionFiles');
  });

  it('interpolates: twice the sub-frames per interval', async () => {
    const root = join(dir, 'interp');
    const s = await runFootage(options(root, { settings: settings({ interpolate: 2, window: 14, gap: 0 }) }));
    expect(s.samples).toBe(2); // 20 frames -> 39 sub-frames -> 2 windows of 14
    // ground truths at local sub-frames round((j + 0.5) * 2 - 0.5) = 2j + 1 (rounded half up): interpolated frames
    const gt0 = await rgb(sharpPath(root, 'clip', 0, 0));
    let err = 0;
    for (let i = 0; i < gt0.length; i++) err += Math.abs(gt0[i]! - codes[0]![i]!);
    expect(err / gt0.length).toBeGreaterThan(0.5); // not frame 0 itself
  });
});

describe('interpolation maths', () => {
  it('the midpoint of a translated smooth image is the half-way translation', () => {
    const tex = texture(60, 50, 5);
    const at = (dx: number, dy: number) => {
      const out = new Float32Array(W * H * 3);
      renderInstant([{ texture: tex, motion: staticMotion([0, 0], [dx - 5, dy - 5]) }], 0, W, H, out);
      return out;
    };
    const a = at(0, 0), b = at(4, 2), mid = at(2, 1);
    const f01 = new Float32Array(W * H * 2), f10 = new Float32Array(W * H * 2);
    for (let p = 0; p < W * H; p++) { f01[2 * p] = 4; f01[2 * p + 1] = 2; f10[2 * p] = -4; f10[2 * p + 1] = -2; }
    const c0 = flowInconsistency(f01, f10, W, H);
    const c1 = flowInconsistency(f10, f01, W, H);
    expect(c0[W * 10 + 10]).toBe(0);
    const out = interpolateFrame(a, b, f01, f10, c0, c1, W, H, 0.5);
    let err = 0, n = 0, naive = 0;
    for (let y = 6; y < H - 6; y++) for (let x = 6; x < W - 6; x++) for (let c = 0; c < 3; c++) {
      const i = (y * W + x) * 3 + c;
      err += Math.abs(out[i]! - mid[i]!);
      naive += Math.abs((a[i]! + b[i]!) / 2 - mid[i]!);
      n++;
    }
    expect(err / n).toBeLessThan(0.01);
    expect(naive / n).toBeGreaterThan(3 * (err / n)); // plain cross-fading is much worse
    expect(() => interpolateFrame(a, b, f01, f10, c0, c1, W, H, 1)).toThrow(RangeError);
  });
});

describe('naming, splits, pickles', () => {
  it('names videos after their inputs, numbering duplicates', () => {
    expect(videoNames(['/x/clip one.mp4', '/y/clip one.mp4', 'frames/', 'a.b.mov'])).toEqual(['clip_one', 'clip_one-2', 'frames', 'a.b']);
  });
  it('spreads the valid fraction evenly over the sorted names', () => {
    const names = ['e', 'a', 'd', 'c', 'b', 'f', 'g', 'h'];
    const s = assignSplits(names, 'train', 0.25);
    expect(names.filter((_, i) => s[i] === 'valid').sort()).toEqual(['d', 'h']);
    expect(assignSplits(names, 'valid', 0).every((x) => x === 'valid')).toBe(true);
  });
  it('writes pickles the reference loader reads', () => {
    const bytes = encodeIntListDictPickle('bbox', [3, 4, 100, -2]);
    expect(parseBboxPickle(bytes)).toEqual([3, 4, 100, -2]);
    expect(() => encodeIntListDictPickle('bbox', [1.5])).toThrow(RangeError);
  });
});

describe('reduced-resolution guidance flow', () => {
  it('box-downscales by an integer factor and scales flow back up', async () => {
    const { boxDownscale8, downscaleFactor, upscaleFlow } = await import('../pipeline/math/blur-guidance.js');
    expect(downscaleFactor(960, 320)).toBe(3);
    expect(downscaleFactor(200, 320)).toBe(1);
    const img = { width: 4, height: 2, data: Uint8Array.from([0, 0, 0, 10, 10, 10, 20, 20, 20, 31, 31, 31, 2, 2, 2, 12, 12, 12, 22, 22, 22, 33, 33, 33]) };
    const half = boxDownscale8(img, 2);
    expect([half.width, half.height]).toEqual([2, 1]);
    expect(Array.from(half.data)).toEqual([6, 6, 6, 27, 27, 27]); // (0+10+2+12)/4 = 6, (20+31+22+33)/4 = 26.5 -> 27
    const up = upscaleFlow({ width: 2, height: 1, data: Float32Array.from([1, -1, 3, 0]) }, 2, 4, 2);
    // x = 0..3 samples the small flow at 0 (clamped), 0.25, 0.75, 1 (clamped); vectors x2
    expect(Array.from(up.data.subarray(0, 8))).toEqual([2, -2, 3, -1.5, 5, -0.5, 6, 0]);
    expect(Array.from(up.data.subarray(8, 16))).toEqual([2, -2, 3, -1.5, 5, -0.5, 6, 0]);
  });
});

describe('expected sample counts', () => {
  it('follows the window arithmetic', async () => {
    const { expectedSamples } = await import('../pipeline/synth/footage.js');
    expect(expectedSamples(20, 1, 7, 1)).toBe(2);
    expect(expectedSamples(20, 2, 14, 0)).toBe(2);
    expect(expectedSamples(6, 1, 7, 0)).toBe(0);
    expect(expectedSamples(0, 1, 7, 0)).toBe(0);
    expect(expectedSamples(49, 1, 49, 0)).toBe(1);
  });
});
