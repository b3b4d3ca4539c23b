import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { GuidancePredictor } from '../pipeline/runtime/predictor.js';
import { pingPongOrder, runDecompose, type DecomposeJob } from '../pipeline/decompose.js';
import { readGuidance } from '../pipeline/io/guidance-io.js';
import { encodeNpy } from '../pipeline/io/npy.js';
import { Logger } from '../pipeline/log.js';
import { probe } from '../pipeline/io/probe.js';
import { makeTempDir, removeTempDir } from './helpers/media.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const w = 11, h = 7;
const pixels = Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 29 + 3) % 256);
let dir = '';

async function readRgb(path: string): Promise<Uint8Array> {
  return new Uint8Array(await sharp(path).removeAlpha().raw().toBuffer());
}

/** Expected frame j of the linear test model, 8-bit. */
function expected(j: number, g: Int8Array): number[] {
  return Array.from(pixels, (v, i) => {
    const p = Math.floor(i / 3);
    const x = v / 255 + (j - 3) * 0.05 * g[p * 2]! + (j - 3) * 0.02 * g[p * 2 + 1]!;
    return Math.round(255 * Math.min(1, Math.max(0, x)));
  });
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

function job(over: Partial<DecomposeJob>): DecomposeJob {
  return {
    image: join(dir, 'blur.png'), outDir: join(dir, 'out'), method: 'guidance', exposure: 'auto', modelPath: fixture('decomposer-linear.onnx'), guidance: 'predict',
    predictorPath: fixture('predictor-tiny.onnx'), samples: 1, seed: 0, provider: 'cpu', threads: 1, tile: 0, consistency: false,
    gif: false, mp4: false, tileBudgetBytes: 1e9, log: new Logger('silent'), ...over,
  };
}

beforeAll(async () => {
  dir = await makeTempDir('decompose-');
  await sharp(Buffer.from(pixels), { raw: { width: w, height: h, channels: 3 } }).png().toFile(join(dir, 'blur.png'));
});
afterAll(() => removeTempDir(dir));

describe('afb decompose', () => {
  it('plays previews back and forth', () => {
    expect(pingPongOrder(7)).toEqual([0, 1, 2, 3, 4, 5, 6, 5, 4, 3, 2, 1]);
    expect(pingPongOrder(2)).toEqual([0, 1]);
  });

  it('writes DIR/000.png..006.png with exact values for a guidance file, and a GIF preview', async () => {
    const g = Int8Array.from({ length: w * h * 2 }, (_, k) => ((k * 7 + (k >> 3)) % 3) - 1);
    await writeFile(join(dir, 'g.npy'), encodeNpy(g, [h, w, 2]));
    const out = join(dir, 'file');
    const s = await runDecompose(job({ guidance: join(dir, 'g.npy'), outDir: out, gif: true }));
    expect(s.outputs).toHaveLength(1);
    expect(s.outputs[0]!.frames.map((p) => p.slice(out.length + 1))).toEqual(['000.png', '001.png', '002.png', '003.png', '004.png', '005.png', '006.png']);
    for (let j = 0; j < 7; j++) expect(maxDiff(await readRgb(join(out, `00${j}.png`)), expected(j, g))).toBeLessThanOrEqual(1);
    const gif = await probe(join(out, 'preview.gif'));
    expect(gif.frameCount).toBe(12);
  });

  it('rejects a folder or a missing file as the image with a typed error naming it, and writes nothing', async () => {
    const out = join(dir, 'bad-out');
    await expect(runDecompose(job({ image: dir, outDir: out }))).rejects.toMatchObject({
      name: 'InputError', message: expect.stringContaining(`Input is a folder, not an image file: ${dir}`),
    });
    await expect(runDecompose(job({ image: join(dir, 'nope.png'), outDir: out }))).rejects.toMatchObject({
      name: 'InputError', message: expect.stringContaining('Image not found'),
    });
    expect(existsSync(out)).toBe(false);
  });

  it('takes labelme guidance annotated on a larger copy of the image (scaled to the frame)', async () => {
    // Annotated at 2x (22x14): a rectangle over the left half labelled down-right -> (1, 1).
    const json = { imageWidth: 22, imageHeight: 14, shapes: [{ label: 'down-right', shape_type: 'rectangle', points: [[0, 0], [12, 14]] }] };
    await writeFile(join(dir, 'ann.json'), JSON.stringify(json));
    const out = join(dir, 'labelme');
    await runDecompose(job({ guidance: join(dir, 'ann.json'), outDir: out }));
    const g = Int8Array.from({ length: w * h * 2 }, (_, k) => (Math.floor(k / 2) % w < 6 ? 1 : 0));
    expect(maxDiff(await readRgb(join(out, '006.png')), expected(6, g))).toBeLessThanOrEqual(1);
    expect(maxDiff(await readRgb(join(out, '000.png')), expected(0, g))).toBeLessThanOrEqual(1);
  });

  it('writes N predictor samples to DIR/s{k}/, each following its own sampled guidance', async () => {
    const out = join(dir, 'predict');
    const s = await runDecompose(job({ outDir: out, samples: 2, seed: 11 }));
    expect(s.outputs.map((o) => o.dir)).toEqual([join(out, 's0'), join(out, 's1')]);
    const predictor = await GuidancePredictor.create(fixture('predictor-tiny.onnx'));
    const maps = await predictor.sample({ width: w, height: h, data: pixels }, 2, 11);
    await predictor.release();
    for (let k = 0; k < 2; k++) {
      const saved = await readGuidance(join(out, `s${k}`, 'guidance.png'));
      expect(Array.from(saved.data)).toEqual(Array.from(maps[k]!.data));
      expect(maxDiff(await readRgb(join(out, `s${k}`, '006.png')), expected(6, maps[k]!.data))).toBeLessThanOrEqual(1);
    }
  });
});
