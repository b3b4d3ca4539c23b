// `afb decompose IMAGE --motion FILE` end to end: one image with known motion (a .flo or .npy), the
// physics and learned methods, the exposure, and the typed errors of bad motion input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { encodeFlo } from '../pipeline/io/flo.js';
import { encodeNpy } from '../pipeline/io/npy.js';
import { linearToSrgb, srgbToLinear } from '../pipeline/math/colour.js';
import { decomposeWithMotion } from '../pipeline/math/motion/physics.js';
import { runAfb } from './helpers/cli.js';
import { makeTempDir, removeTempDir } from './helpers/media.js';

let dir = '';
let image = '';
let rgb = new Uint8Array(0);
const w = 160, h = 120;
const F: [number, number] = [16, -6]; // pixels per frame interval
const e = 0.5;
let motion = new Float32Array(0);

async function frame(path: string): Promise<Uint8Array> {
  return new Uint8Array(await sharp(path).removeAlpha().raw().toBuffer());
}

beforeAll(async () => {
  dir = await makeTempDir('decompose-motion-');
  // a real photo blurred along F over an exposure of e (linear light, 49 sub-frames, nearest-pixel shifts)
  const photo = new Uint8Array(await sharp(readFileSync(new URL('./fixtures/astronaut-160x120.png', import.meta.url))).removeAlpha().raw().toBuffer());
  const lin = Float32Array.from(photo, (v) => srgbToLinear(v / 255));
  const acc = new Float32Array(lin.length);
  const S = 49;
  for (let s = 0; s < S; s++) {
    const t = ((s + 0.5) / S - 0.5) * e;
    const dx = Math.round(t * F[0]);
    const dy = Math.round(t * F[1]);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const sx = Math.min(w - 1, Math.max(0, x - dx));
      const sy = Math.min(h - 1, Math.max(0, y - dy));
      for (let c = 0; c < 3; c++) acc[(y * w + x) * 3 + c] += lin[(sy * w + sx) * 3 + c]! / S;
    }
  }
  rgb = Uint8Array.from(acc, (v) => Math.round(linearToSrgb(v) * 255));
  image = join(dir, 'blur.png');
  await sharp(Buffer.from(rgb), { raw: { width: w, height: h, channels: 3 } }).png().toFile(image);
  // the top 20 rows are static (below 0.5 px per frame interval)
  motion = new Float32Array(w * h * 2);
  for (let p = 20 * w; p < w * h; p++) { motion[2 * p] = F[0]; motion[2 * p + 1] = F[1]; }
  await writeFile(join(dir, 'm.flo'), encodeFlo({ width: w, height: h, data: motion }));
  await writeFile(join(dir, 'm.npy'), encodeNpy(motion, [h, w, 2]));
});
afterAll(() => removeTempDir(dir));

describe('afb decompose --motion', () => {
  it('--method physics writes exactly the physical decomposition (.flo and .npy alike); static rows stay the input', async () => {
    const want = decomposeWithMotion(rgb, { width: w, height: h, data: motion }, { exposure: e });
    for (const file of ['m.flo', 'm.npy']) {
      const out = join(dir, `physics-${file}`);
      const r = await runAfb(['decompose', image, '-o', out, '--motion', join(dir, file), '--method', 'physics', '--exposure', String(e)]);
      expect(r.code, r.stderr).toBe(0);
      for (let j = 0; j < 7; j++) {
        const got = await frame(join(out, `00${j}.png`));
        let maxDiff = 0;
        for (let i = 0; i < got.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i]! - Math.round(255 * want[Math.floor(i / 3) * 21 + 3 * j + (i % 3)]!)));
        expect(maxDiff, `frame ${j}`).toBeLessThanOrEqual(1);
        expect(Buffer.from(got.subarray(0, 20 * w * 3)).equals(Buffer.from(rgb.subarray(0, 20 * w * 3)))).toBe(true);
      }
      const f0 = await frame(join(out, '000.png'));
      const f6 = await frame(join(out, '006.png'));
      expect(f0.reduce((s, v, i) => s + Math.abs(v - f6[i]!), 0) / f0.length).toBeGreaterThan(2); // the ends differ: motion
    }
  });

  it('defaults to the learned method with the shipped motion-aware model, and estimates the exposure', async () => {
    const out = join(dir, 'learned');
    const r = await runAfb(['--json', 'decompose', image, '-o', out, '--motion', join(dir, 'm.flo')]);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { method: string; model: string; outputs: { exposure: number }[] };
    expect(summary.method).toBe('learned');
    expect(summary.model).toMatch(/models[/\\]afb-motion\.onnx$/);
    expect(Math.abs(summary.outputs[0]!.exposure - e)).toBeLessThanOrEqual(0.1); // estimated from the image and its motion
    const f3 = await frame(join(out, '003.png'));
    expect(Buffer.from(f3.subarray(0, 20 * w * 3)).equals(Buffer.from(rgb.subarray(0, 20 * w * 3)))).toBe(true);
  });

  it('--ensemble 4 averages the network over mirrored and reversed copies: close to one run, not equal; static rows stay the input', async () => {
    const runs: Uint8Array[][] = [];
    for (const n of ['1', '4']) {
      const out = join(dir, `ensemble-${n}`);
      const r = await runAfb(['decompose', image, '-o', out, '--motion', join(dir, 'm.flo'), '--exposure', String(e), '--ensemble', n]);
      expect(r.code, r.stderr).toBe(0);
      runs.push(await Promise.all(Array.from({ length: 7 }, (_, j) => frame(join(out, `00${j}.png`)))));
    }
    let sum = 0; let count = 0;
    for (let j = 0; j < 7; j++) {
      const [a, b] = [runs[0]![j]!, runs[1]![j]!];
      expect(Buffer.from(b.subarray(0, 20 * w * 3)).equals(Buffer.from(rgb.subarray(0, 20 * w * 3)))).toBe(true);
      for (let i = 0; i < a.length; i++) { sum += Math.abs(a[i]! - b[i]!); count++; }
    }
    const mad = sum / count;
    expect(mad).toBeGreaterThan(0.05);
    expect(mad).toBeLessThan(3);
  });

  it('refuses bad motion input with typed errors before writing anything', async () => {
    await writeFile(join(dir, 'short.flo'), Buffer.from([1, 2, 3]));
    await writeFile(join(dir, 'nan.npy'), encodeNpy(new Float32Array(w * h * 2).fill(NaN), [h, w, 2]));
    await writeFile(join(dir, 'square.npy'), encodeNpy(new Float32Array(50 * 50 * 2), [50, 50, 2]));
    // [arguments, exit code (1 InputError, 2 InvalidOptionError), message naming the bad value]
    const cases: [string[], number, RegExp][] = [
      [['--motion', join(dir, 'missing.flo')], 1, /InputError: Motion file not found: .*missing\.flo/],
      [['--motion', join(dir, 'm.txt')], 2, /Expected a \.flo or \.npy motion file for --motion but received .*m\.txt/],
      [['--motion', join(dir, 'short.flo')], 1, /InputError: .*short\.flo/],
      [['--motion', join(dir, 'nan.npy')], 1, /InputError: Motion file holds a non-finite value .*nan\.npy/],
      [['--motion', join(dir, 'square.npy')], 1, /InputError: Motion file is 50x50, which does not have the image's 160x120 aspect ratio.*square\.npy/],
      [['--method', 'physics'], 2, /Expected guidance without --motion FILE .* for --method but received "physics"/],
      [['--motion', join(dir, 'm.flo'), '--samples', '2'], 2, /--samples/],
      [['--motion', join(dir, 'm.flo'), '--exposure', '1.5'], 2, /--exposure/],
      [['--motion', join(dir, 'm.flo'), '--ensemble', '3'], 2, /InvalidOptionError: Expected one of 1, 2, 4, 8 for --ensemble but received "?3"?/],
      [['--motion', join(dir, 'm.flo'), '--method', 'physics', '--ensemble', '2'], 2, /Expected 1 with --method physics .* for --ensemble but received 2/],
    ];
    for (const [args, code, message] of cases) {
      const out = join(dir, 'refused');
      const r = await runAfb(['decompose', image, '-o', out, ...args]);
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(existsSync(out) ? readdirSync(out) : [], args.join(' ')).toEqual([]);
    }
  });
});
