import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError, InvalidOptionError } from '../pipeline/errors.js';
import { readImage } from '../pipeline/io/image.js';
import { decodeGuidanceNpy, encodeGuidanceNpy, readGuidance, writeGuidance } from '../pipeline/io/guidance-io.js';
import { encodeNpy } from '../pipeline/io/npy.js';
import type { GuidanceMap } from '../pipeline/math/types.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'afb-guidance-io-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

const sample: GuidanceMap = {
  width: 4, height: 3, channels: 2,
  data: Int8Array.from([0, 0, 1, -1, -1, -1, -1, 1, 1, 1, 0, 0, 1, -1, 1, -1, -1, 1, -1, 1, 0, 0, 1, 1]),
};

describe('guidance .npy', () => {
  it('encodes int8 (H, W, 2) exactly as numpy does', () => {
    const bytes = encodeGuidanceNpy(sample);
    const header = new TextDecoder().decode(bytes.subarray(10, 128));
    expect(header).toContain("'descr': '|i1'");
    expect(header).toContain("'shape': (3, 4, 2)");
    expect(bytes.length % 64).toBe(24 % 64); // 64-byte header + 24 values
    expect(decodeGuidanceNpy(bytes)).toEqual(sample);
  });
  it('round-trips through a file, full and half resolution', async () => {
    const full = join(dir, 'g.npy');
    await writeGuidance(full, sample);
    expect(await readGuidance(full)).toEqual(sample);
    const half = join(dir, 'g-half.npy');
    await writeGuidance(half, sample, { half: true });
    const small = await readGuidance(half);
    expect([small.width, small.height]).toEqual([2, 2]);
    expect(Array.from(small.data)).toEqual([0, 0, -1, -1, -1, 1, 0, 0]);
    const back = await readGuidance(half, { width: 4, height: 3 });
    expect([back.width, back.height]).toEqual([4, 3]);
    // nearest: column x -> floor(x/2), row y -> floor(y*2/3)
    expect(Array.from(back.data.subarray(0, 8))).toEqual([0, 0, 0, 0, -1, -1, -1, -1]);
    expect(Array.from(back.data.subarray(16, 24))).toEqual([-1, 1, -1, 1, 0, 0, 0, 0]);
  });
  it('accepts other dtypes holding -1/0/1 and rejects other values naming them', async () => {
    const f = join(dir, 'float.npy');
    await writeFile(f, encodeNpy(Float32Array.from([1, -1, 0, 0]), [1, 2, 2]));
    expect(Array.from((await readGuidance(f)).data)).toEqual([1, -1, 0, 0]);
    const bad = join(dir, 'bad.npy');
    await writeFile(bad, encodeNpy(Int8Array.from([1, 2]), [1, 1, 2]));
    await expect(readGuidance(bad)).rejects.toThrow(InputError);
    await expect(readGuidance(bad)).rejects.toThrow(/found 2 at flat index 1/);
    await expect(readGuidance(join(dir, 'missing.npy'))).rejects.toThrow(/missing\.npy/);
    expect(() => decodeGuidanceNpy(encodeNpy(new Int8Array(5), [5]))).toThrow(/shape/);
  });
});

describe('guidance checked against the image it is for', () => {
  it('refuses an empty array, the wrong channel count and another shape, naming the file; accepts full, half and same-shape sizes', async () => {
    const write = async (name: string, data: Int8Array, shape: number[]) => {
      const p = join(dir, name);
      await writeFile(p, encodeNpy(data, shape));
      return p;
    };
    const empty = await write('empty.npy', new Int8Array(0), [0, 0, 2]);
    await expect(readGuidance(empty, { width: 64, height: 48, channels: 2 })).rejects.toThrow(/Invalid guidance file \(guidance is empty: shape \(0, 0, 2\)\): .*empty\.npy/);
    const one = await write('one.npy', new Int8Array(48 * 64), [48, 64, 1]);
    await expect(readGuidance(one, { width: 64, height: 48, channels: 2 })).rejects.toThrow(/Guidance has 1 channel\(s\) but the model takes 2 .*: .*one\.npy/);
    const three = await write('three.npy', new Int8Array(48 * 64 * 3), [48, 64, 3]);
    await expect(readGuidance(three, { width: 64, height: 48, channels: 2 })).rejects.toThrow(InputError);
    const square = await write('square.npy', new Int8Array(200), [10, 10, 2]);
    await expect(readGuidance(square, { width: 64, height: 48 })).rejects.toThrow(/Guidance is 10x10 but the image is 64x48: expected 64x48, half resolution 32x24/);
    for (const [w, h] of [[64, 48], [32, 24], [33, 25], [128, 96], [16, 12]]) {
      const p = await write(`ok-${w}.npy`, new Int8Array(w! * h! * 2), [h!, w!, 2]);
      const g = await readGuidance(p, { width: 65, height: 49, channels: 2 });
      expect([g.width, g.height, g.channels]).toEqual([65, 49, 2]);
    }
  });
});

describe('guidance colour PNG', () => {
  it('writes the reference colours and reads them back', async () => {
    const p = join(dir, 'g.png');
    await writeGuidance(p, sample);
    const img = await readImage(p);
    expect(Array.from(img.data.subarray(0, 12))).toEqual([0, 0, 0, 255, 0, 0, 0, 255, 0, 255, 255, 0]);
    expect(await readGuidance(p)).toEqual(sample);
    expect((await readFile(p)).subarray(1, 4).toString()).toBe('PNG');
  });
  it('refuses other direction counts and extensions', async () => {
    const g8: GuidanceMap = { width: 1, height: 1, channels: 3, data: Int8Array.from([1, 1, 1]) };
    await expect(writeGuidance(join(dir, 'g8.png'), g8)).rejects.toThrow(InvalidOptionError);
    await writeGuidance(join(dir, 'g8.npy'), g8);
    expect(await readGuidance(join(dir, 'g8.npy'))).toEqual(g8);
    await expect(writeGuidance(join(dir, 'g.txt'), sample)).rejects.toThrow(/g\.txt/);
  });
});
