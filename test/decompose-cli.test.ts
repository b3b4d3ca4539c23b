// The `afb decompose` command layer (pipeline/cli/decompose.ts): flags and config-file keys reach the
// run, bad combinations fail with typed errors before anything is written, --json reports it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { readGuidance } from '../pipeline/io/guidance-io.js';
import { encodeNpy } from '../pipeline/io/npy.js';
import { probe } from '../pipeline/io/probe.js';
import { GuidancePredictor } from '../pipeline/runtime/predictor.js';
import { runAfb } from './helpers/cli.js';
import { makeTempDir, removeTempDir } from './helpers/media.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const model = fixture('decomposer-linear.onnx');
const predictor = fixture('predictor-tiny.onnx');
const w = 10, h = 6;
const pixels = Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 37 + 11) % 256);
let dir = '';
let image = '';

/** Frame j of the linear test model for guidance g, 8-bit (written out from its definition). */
function expected(j: number, g: ArrayLike<number>): number[] {
  return Array.from(pixels, (v, i) => {
    const p = Math.floor(i / 3);
    return Math.round(255 * Math.min(1, Math.max(0, v / 255 + (j - 3) * (0.05 * g[p * 2]! + 0.02 * g[p * 2 + 1]!))));
  });
}

async function maxDiffTo(path: string, want: number[]): Promise<number> {
  const got = new Uint8Array(await sharp(path).removeAlpha().raw().toBuffer());
  return Math.max(...want.map((v, i) => Math.abs(v - got[i]!)));
}

beforeAll(async () => {
  dir = await makeTempDir('decompose-cli-');
  image = join(dir, 'blur.png');
  await sharp(Buffer.from(pixels), { raw: { width: w, height: h, channels: 3 } }).png().toFile(image);
});
afterAll(() => removeTempDir(dir));

describe('afb decompose (command line)', () => {
  it('a guidance file: 7 exact frames, an MP4 preview, and the --json summary', async () => {
    const g = Int8Array.from({ length: w * h * 2 }, (_, k) => ((k * 5 + 1) % 3) - 1);
    await writeFile(join(dir, 'g.npy'), encodeNpy(g, [h, w, 2]));
    const out = join(dir, 'file');
    const r = await runAfb(['--json', 'decompose', image, '-o', out, '--model', model, '--guidance', join(dir, 'g.npy'), '--mp4']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { width: number; height: number; model: string; provider: string; outputs: { frames: string[] }[] };
    expect(summary).toMatchObject({ width: w, height: h, model, provider: 'cpu' });
    expect(summary.outputs[0]!.frames).toEqual(Array.from({ length: 7 }, (_, j) => join(out, `00${j}.png`)));
    for (let j = 0; j < 7; j++) expect(await maxDiffTo(join(out, `00${j}.png`), expected(j, g))).toBeLessThanOrEqual(1);
    expect((await probe(join(out, 'preview.mp4'))).frameCount).toBe(4 * 12); // 4 cycles of 0..6..1, back and forth
  });

  it('--guidance predict --samples 2 --seed 11 from the flags or from the config file gives the same two animations', async () => {
    const viaFlags = join(dir, 'predict-flags');
    const a = await runAfb(['decompose', image, '-o', viaFlags, '--model', model, '--predictor', predictor, '--samples', '2', '--seed', '11']);
    expect(a.code, a.stderr).toBe(0);
    await writeFile(join(dir, 'cfg.yaml'), `decompose:\n  samples: 2\n  seed: 11\n  predictor: ${predictor}\n`);
    const viaConfig = join(dir, 'predict-config');
    const b = await runAfb(['--config', join(dir, 'cfg.yaml'), 'decompose', image, '-o', viaConfig, '--model', model]);
    expect(b.code, b.stderr).toBe(0);
    const net = await GuidancePredictor.create(predictor);
    const maps = await net.sample({ width: w, height: h, data: pixels }, 2, 11);
    await net.release();
    for (const out of [viaFlags, viaConfig]) {
      for (let k = 0; k < 2; k++) {
        expect(Array.from((await readGuidance(join(out, `s${k}`, 'guidance.png'))).data)).toEqual(Array.from(maps[k]!.data));
        expect(await maxDiffTo(join(out, `s${k}`, '006.png'), expected(6, maps[k]!.data))).toBeLessThanOrEqual(1);
      }
    }
  });

  it('refuses bad guidance and --samples with a file before writing anything', async () => {
    const out = join(dir, 'refused');
    const txt = await runAfb(['decompose', image, '-o', out, '--model', model, '--guidance', 'notes.txt']);
    expect(txt.code).toBe(2);
    expect(txt.stderr).toContain('Expected predict or a .npy/.png/labelme .json file for --guidance but received "notes.txt"');
    const samples = await runAfb(['decompose', image, '-o', out, '--model', model, '--guidance', join(dir, 'g.npy'), '--samples', '2']);
    expect(samples.code).toBe(2);
    expect(samples.stderr).toContain('Expected 1 unless --guidance predict for --samples but received 2');
    const missing = await runAfb(['decompose', image, '-o', out, '--model', model, '--guidance', join(dir, 'none.npy')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/InputError: Guidance file not found: .*none\.npy/);
    expect(existsSync(out)).toBe(false);
  });
});
