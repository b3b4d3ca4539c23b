// End-to-end procedural synthesis on a tiny generated photo pool: layout, lists, manifest,
// determinism per seed, byte-identical resume after an interruption, config-change refusal.
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutputError } from '../pipeline/errors.js';
import { bboxPath, blurPath, guidancePath, readManifest, readVideoList, sharpPath } from '../pipeline/io/dataset-layout.js';
import { parseBboxPickle } from '../pipeline/io/pickle/decode.js';
import { decodeNpy } from '../pipeline/io/npy.js';
import { readImage } from '../pipeline/io/image.js';
import { Logger } from '../pipeline/log.js';
import { DEFAULT_PROCEDURAL_CONFIG, type ProceduralConfig } from '../pipeline/math/procedural/config.js';
import { runProcedural, type ProceduralRunOptions } from '../pipeline/synth/procedural.js';
import { makeTempDir, removeTempDir } from './helpers/media.js';

let dir: string;
let photos: string;
const config: ProceduralConfig = { ...DEFAULT_PROCEDURAL_CONFIG, width: 48, height: 32, framesPerVideo: 3, subframes: 21 };

async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string, rel: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      if (e.isDirectory()) await walk(join(d, e.name), join(rel, e.name));
      else out.push(join(rel, e.name));
    }
  };
  await walk(root, '');
  return out.sort();
}

/** The files that hold pixels (the manifest holds a timestamp). */
async function sampleFiles(root: string): Promise<string[]> {
  return (await listFiles(root)).filter((f) => /\.(png|npy|yaml)$/.test(f));
}

function options(root: string, extra: Partial<ProceduralRunOptions> = {}): ProceduralRunOptions {
  return { root, photosDir: photos, count: 5, seed: 7, split: 'train', config, layout: 'genblur', pngLevel: 1, force: false, workers: 1, log: new Logger('silent'), ...extra };
}

beforeAll(async () => {
  dir = await makeTempDir('synth-proc-');
  photos = join(dir, 'photos');
  // three "photos": smooth colour patterns with some detail, different per photo
  for (let k = 0; k < 3; k++) {
    const w = 160 + 40 * k, h = 120;
    const px = Buffer.alloc(w * h * 3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      px[i] = 128 + 100 * Math.sin(x / (7 + k) + y / 11);
      px[i + 1] = 128 + 100 * Math.cos(y / (5 + k) - x / 13);
      px[i + 2] = ((x * (k + 1)) ^ y) & 255;
    }
    await mkdir(photos, { recursive: true });
    await sharp(px, { raw: { width: w, height: h, channels: 3 } }).png().toFile(join(photos, `p${k}.png`));
  }
});

afterAll(async () => removeTempDir(dir));

describe('afb synth --procedural', () => {
  it('writes the reference layout, lists and manifest', async () => {
    const root = join(dir, 'a');
    const summary = await runProcedural(options(root));
    expect(summary).toMatchObject({ videos: 2, samples: 5, written: 5, skipped: 0 });
    expect(await readVideoList(root, 'train')).toEqual(['proc-train-00000', 'proc-train-00001']);
    expect(await readVideoList(root, 'valid')).toEqual([]);
    const m = await readManifest(root);
    expect(m).toMatchObject({ generator: 'procedural', layout: 'genblur', complete: true, counts: { videos: 2, samples: 5, train: 2, valid: 0 } });
    expect(m!.framesPerVideo).toEqual({ 'proc-train-00000': 3, 'proc-train-00001': 2 });
    const blur = await readImage(blurPath(root, 'proc-train-00001', 1));
    expect([blur.width, blur.height]).toEqual([48, 32]);
    for (let j = 0; j < 7; j++) expect((await readImage(sharpPath(root, 'proc-train-00001', 1, j))).width).toBe(48);
    const g = decodeNpy(await readFile(guidancePath(root, 'proc-train-00000', 2)));
    expect(g.shape).toEqual([32, 48, 2]);
    expect(g.data).toBeInstanceOf(Int8Array);
    expect(Array.from(g.data).every((v) => v === -1 || v === 0 || v === 1)).toBe(true);
    expect((await listFiles(root)).some((f) => f.includes('.afb-tmp-'))).toBe(false);
  });

  it('is deterministic per seed and depends on the seed', async () => {
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    await runProcedural(options(b));
    const files = await sampleFiles(a);
    expect(await sampleFiles(b)).toEqual(files);
    for (const f of files) expect(Buffer.compare(await readFile(join(a, f)), await readFile(join(b, f)))).toBe(0);
    const c = join(dir, 'c');
    await runProcedural(options(c, { seed: 8, count: 1 }));
    expect(Buffer.compare(await readFile(blurPath(a, 'proc-train-00000', 0)), await readFile(blurPath(c, 'proc-train-00000', 0)))).not.toBe(0);
  });

  it('resumes an interrupted run to byte-identical output', async () => {
    const a = join(dir, 'a');
    const r = join(dir, 'resume');
    await runProcedural(options(r));
    // interruption: sample (1, 1) lost its blurry frame (written last) and a sharp frame; (0, 2) only its blurry frame
    await rm(blurPath(r, 'proc-train-00001', 1));
    await rm(sharpPath(r, 'proc-train-00001', 1, 4));
    await rm(blurPath(r, 'proc-train-00000', 2));
    await writeFile(join(r, 'proc-train-00000', 'blur', '.afb-tmp-dead-00000002.png'), 'partial');
    const again = await runProcedural(options(r));
    expect(again).toMatchObject({ written: 2, skipped: 3 });
    for (const f of await sampleFiles(a)) expect(Buffer.compare(await readFile(join(a, f)), await readFile(join(r, f)))).toBe(0);
    // growing the count keeps the existing samples and adds the new ones
    const grown = await runProcedural(options(r, { count: 7 }));
    expect(grown).toMatchObject({ written: 2, skipped: 5 });
    expect(Buffer.compare(await readFile(blurPath(a, 'proc-train-00001', 1)), await readFile(blurPath(r, 'proc-train-00001', 1)))).toBe(0);
  });

  it('refuses a changed config unless forced', async () => {
    const a = join(dir, 'a');
    const changed = { ...config, sprites: { ...config.sprites, maxCount: 1 } };
    await expect(runProcedural(options(a, { config: changed }))).rejects.toBeInstanceOf(OutputError);
    await expect(runProcedural(options(a, { seed: 99 }))).rejects.toThrow(/different config/);
    const forced = await runProcedural(options(a, { config: changed, force: true, count: 2 }));
    expect(forced).toMatchObject({ written: 2, videos: 1 });
    expect(await readVideoList(a, 'train')).toEqual(['proc-train-00000']);
    expect((await readdir(a)).includes('proc-train-00001')).toBe(false);
  });

  it('writes a blur_anno bbox pickle per sample with --layout baistpp, as footage mode does (issue #14)', async () => {
    const root = join(dir, 'baistpp');
    await runProcedural(options(root, { layout: 'baistpp', count: 2 }));
    for (const i of [0, 1]) {
      const [x0, y0, x1, y1] = parseBboxPickle(await readFile(bboxPath(root, 'proc-train-00000', i)));
      // a box inside the frame, around what moves (the whole frame when everything does)
      expect(0 <= x0 && x0 < x1 && x1 <= config.width && 0 <= y0 && y0 < y1 && y1 <= config.height).toBe(true);
    }
    expect(guidancePath(root, 'proc-train-00000', 0, 'baistpp')).toContain('trend+_avg');
  });
});

describe('exposure and motion files', () => {
  it('--duty-cycle: each video draws its exposure in the range, the manifest records it (1 by default)', async () => {
    const ranged = join(dir, 'ranged');
    await runProcedural(options(ranged, { count: 9, config: { ...config, dutyCycle: [0.25, 0.75] } }));
    const m = (await readManifest(ranged))!;
    const es = Object.values(m.dutyCycles!);
    expect(es).toHaveLength(3);
    for (const e of es) expect(e >= 0.25 && e <= 0.75).toBe(true);
    expect(new Set(es).size).toBe(3); // drawn per video
    const plain = join(dir, 'duty-default');
    await runProcedural(options(plain));
    expect((await readManifest(plain))!.dutyCycles).toEqual({ 'proc-train-00000': 1, 'proc-train-00001': 1 });
  });

  it('a shorter shutter blurs less: the blurry frame is closer to its middle ground truth at e = 0.25 than at e = 1', async () => {
    const diff = async (e: number) => {
      const root = join(dir, `blur-${e}`);
      await runProcedural(options(root, { count: 3, config: { ...config, dutyCycle: [e, e], camera: { ...config.camera, staticProb: 0, slowProb: 0, maxShift: 12 } } }));
      let s = 0;
      for (let i = 0; i < 3; i++) {
        const b = await readImage(blurPath(root, 'proc-train-00000', i));
        const g = await readImage(sharpPath(root, 'proc-train-00000', i, 3));
        for (let k = 0; k < b.data.length; k++) s += Math.abs(b.data[k]! - g.data[k]!);
      }
      return s;
    };
    expect(await diff(0.25)).toBeLessThan(0.6 * (await diff(1)));
  });

  it('--motion-files exact,video: float32 (H, W, 2) motion per sample; the exact motion of a camera pan is its speed', async () => {
    const root = join(dir, 'motion-files');
    const pan = { ...config, framesPerVideo: 3, camera: { ...config.camera, staticProb: 0, slowProb: 0, maxRotation: 0, maxZoom: 0 }, sprites: { ...config.sprites, maxCount: 0 }, dutyCycle: [0.5, 0.5] as const };
    await runProcedural(options(root, { count: 3, config: pan, motionFiles: ['exact', 'video'] }));
    for (const kind of ['motion', 'motion_video']) {
      const npy = decodeNpy(await readFile(join(root, 'proc-train-00000', kind, '00000001_motion.npy')));
      expect(npy.shape).toEqual([32, 48, 2]);
      expect(npy.data).toBeInstanceOf(Float32Array);
    }
    // a pure pan: the exact motion is the same vector everywhere; the flow estimated from the blurry frames agrees in direction
    const exact = decodeNpy(await readFile(join(root, 'proc-train-00000', 'motion', '00000001_motion.npy'))).data as Float32Array;
    const est = decodeNpy(await readFile(join(root, 'proc-train-00000', 'motion_video', '00000001_motion.npy'))).data as Float32Array;
    for (let p = 1; p < 32 * 48; p++) {
      expect(exact[2 * p]).toBeCloseTo(exact[0]!, 3);
      expect(exact[2 * p + 1]).toBeCloseTo(exact[1]!, 3);
    }
    let dot = 0;
    for (let p = 0; p < 32 * 48; p++) dot += exact[2 * p]! * est[2 * p]! + exact[2 * p + 1]! * est[2 * p + 1]!;
    expect(dot).toBeGreaterThan(0);
    expect((await readManifest(root))!.config['motionFiles']).toEqual(['exact', 'video']);
  });
});
