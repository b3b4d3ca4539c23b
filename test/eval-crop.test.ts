import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writePng } from '../pipeline/io/image.js';
import { writeNpy } from '../pipeline/io/npy.js';
import { bboxPath, blurPath, guidancePath, sharpPath } from '../pipeline/io/dataset-layout.js';
import { bboxToRect, cropRgb, resizeArea, resizeNearestGuidance } from '../pipeline/eval/crop.js';
import { evenSubset, loadSample, selectSamples } from '../pipeline/eval/dataset.js';
import type { RgbImage } from '../pipeline/math/types.js';
import { makeTempDir, removeTempDir } from './helpers/media.js';

const rgb = (width: number, height: number, values: number[]): RgbImage => ({ width, height, data: Uint8Array.from(values) });

describe('crop and resize (OpenCV semantics)', () => {
  it('INTER_AREA 3 -> 2 pixels: exact fractional coverage (1 + 0.5 of the middle pixel) / 1.5', () => {
    const out = resizeArea(rgb(3, 1, [30, 0, 0, 60, 0, 0, 90, 0, 0]), 2, 1);
    expect([out.data[0], out.data[3]]).toEqual([40, 80]); // (30 + 30) / 1.5, (30 + 90) / 1.5
  });

  it('INTER_AREA 4x4 -> 2x2 averages 2x2 blocks and rounds', () => {
    // R: each block holds base + (0,1,0,0) -> mean base + 0.25 -> base; G: base + (1,1,1,0) -> base + 0.75 -> base + 1
    const src = new Uint8Array(4 * 4 * 3);
    for (let y = 0; y < 4; y++) {
      for (let x = 0; x < 4; x++) {
        const base = 10 * (1 + (x >> 1) + 2 * (y >> 1));
        const inBlock = (x & 1) + 2 * (y & 1);
        src[(y * 4 + x) * 3] = base + (inBlock === 1 ? 1 : 0);
        src[(y * 4 + x) * 3 + 1] = base + (inBlock === 3 ? 0 : 1);
      }
    }
    const out = resizeArea({ width: 4, height: 4, data: src }, 2, 2);
    expect(Array.from(out.data.filter((_, i) => i % 3 === 0))).toEqual([10, 20, 30, 40]);
    expect(Array.from(out.data.filter((_, i) => i % 3 === 1))).toEqual([11, 21, 31, 41]);
  });

  it('INTER_AREA upscaling by 2 replicates pixels (OpenCV behaviour)', () => {
    const out = resizeArea(rgb(2, 1, [10, 0, 0, 20, 0, 0]), 4, 1);
    expect(Array.from(out.data.filter((_, i) => i % 3 === 0))).toEqual([10, 10, 20, 20]);
  });

  it('bbox -> rectangle: int() truncation, clipped like a numpy slice; empty is an error', () => {
    expect(bboxToRect([5.9, -3, 29.7, 1000], 40, 30)).toEqual({ x0: 5, y0: 0, x1: 29, y1: 30 });
    expect(() => bboxToRect([20, 5, 10, 9], 40, 30)).toThrow(/\[20,5,10,9\]/);
    const img = rgb(3, 2, [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5]);
    expect(Array.from(cropRgb(img, { x0: 1, y0: 1, x1: 3, y1: 2 }).data)).toEqual([4, 4, 4, 5, 5, 5]);
  });

  it('nearest guidance resize from half resolution replicates each vector', () => {
    const g = resizeNearestGuidance({ width: 2, height: 1, channels: 2, data: Int8Array.from([1, -1, -1, 1]) }, 4, 2);
    expect(Array.from(g.data)).toEqual([1, -1, 1, -1, -1, 1, -1, 1, 1, -1, 1, -1, -1, 1, -1, 1]);
  });

  it('evenly spaced subsets keep the ends', () => {
    expect(evenSubset([0, 1, 2, 3, 4, 5, 6, 7, 8], 3)).toEqual([0, 4, 8]);
    expect(evenSubset([1, 2], 5)).toEqual([1, 2]);
  });
});

describe('B-Aist++ layout: 40-frame skip, bbox annotations, crop to 160x192', () => {
  const W = 400;
  const H = 420;
  let work: string;
  let root: string;
  afterAll(() => removeTempDir(work));
  /** A frame where every 2x2 block of the crop (bbox origin (10,20)) holds base + (0,1,0,0) in R. */
  const pattern = (seed: number): Uint8Array => {
    const d = new Uint8Array(W * H * 3);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const base = (((x - 10) >> 1) + ((y - 20) >> 1) * 7 + seed) % 250;
        d[(y * W + x) * 3] = base + ((x - 10) & 1 && !((y - 20) & 1) ? 1 : 0);
        d[(y * W + x) * 3 + 2] = seed;
      }
    }
    return d;
  };
  // protocol-2 pickle of {'bbox': [10, 20, 330, 404]} (as printed by Python 3's pickle.dumps)
  const bboxPickle = Buffer.from('80027d7100580400000062626f7871015d7102284b0a4b144d4a014d940165732e', 'hex');

  beforeAll(async () => {
    work = await makeTempDir('eval-crop-');
    root = join(work, 'b-aist++');
    for (let i = 0; i < 84; i++) {
      const path = blurPath(root, 'd1', i);
      if (i < 40 || i > 43) {
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, ''); // only the names of skipped frames are ever read
        continue;
      }
      await writePng(path, { width: W, height: H, data: pattern(i) });
      for (let j = 0; j < 7; j++) await writePng(sharpPath(root, 'd1', i, j), { width: W, height: H, data: pattern(i + j) });
      const g = Int8Array.from({ length: (W / 2) * (H / 2) * 2 }, (_, k) => (k % 2 === 0 ? 1 : -1));
      await writeNpy(guidancePath(root, 'd1', i, 'baistpp'), g, [H / 2, W / 2, 2]); // half resolution, as upstream may store it
      if (i !== 42) {
        await mkdir(dirname(bboxPath(root, 'd1', i)), { recursive: true });
        await writeFile(bboxPath(root, 'd1', i), bboxPickle);
      }
    }
  });

  it('selects frames 40..43 of 84, minus the one without annotation; needs-previous drops frame 40', async () => {
    const set = await selectSamples(root, { split: 'all', needPrevious: false, needBbox: true, maxSamples: 0 });
    expect(set.layout).toBe('baistpp');
    expect(set.samples.map((s) => s.index)).toEqual([40, 41, 43]);
    const video = await selectSamples(root, { split: 'all', needPrevious: true, needBbox: true, maxSamples: 0 });
    expect(video.samples.map((s) => s.index)).toEqual([41, 43]);
  });

  it('crops the bbox [10,20,330,404] and area-resizes it to 160x192, guidance by nearest', async () => {
    const set = await selectSamples(root, { split: 'all', needPrevious: true, needBbox: true, maxSamples: 0 });
    const s = await loadSample(set, set.samples[0]!, { guidance: true, previous: true, crop: true });
    expect(s.crop).toEqual({ x0: 10, y0: 20, x1: 330, y1: 404 });
    for (const img of [s.blurry, s.previous!, ...s.sharp]) expect([img.width, img.height]).toEqual([160, 192]);
    // every output pixel is the mean of one 2x2 block: base + 0.25 -> base
    for (const [x, y] of [[0, 0], [7, 3], [159, 191]] as const) {
      expect(s.blurry.data[(y * 160 + x) * 3]).toBe((x + y * 7 + 41) % 250);
      expect(s.previous!.data[(y * 160 + x) * 3 + 2]).toBe(40);
    }
    expect([s.guidance!.width, s.guidance!.height]).toEqual([160, 192]);
    expect(s.guidance!.data.every((v, k) => v === (k % 2 === 0 ? 1 : -1))).toBe(true);
    // sharp: false (the exposure estimate's read): the same blurry frames, no sharp frames, no guidance
    const light = await loadSample(set, set.samples[0]!, { guidance: false, previous: true, crop: true, sharp: false });
    expect(light.sharp).toEqual([]);
    expect(light.guidance).toBeUndefined();
    expect(light.blurry.data).toEqual(s.blurry.data);
    expect(light.previous!.data).toEqual(s.previous!.data);
  });
});
