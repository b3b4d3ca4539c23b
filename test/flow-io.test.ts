import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../pipeline/errors.js';
import { decodeFlo, encodeFlo, FLO_MAGIC, readFlowFile, writeFlowFile, writeFlowPng } from '../pipeline/io/flo.js';
import { readImage } from '../pipeline/io/image.js';
import type { FlowField } from '../pipeline/math/types.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'afb-flo-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

const flow: FlowField = { width: 3, height: 2, data: Float32Array.from([1.5, -2, 0, 0, -3.25, 4, 0.5, 0.5, 7, -7, -1, 1]) };

describe('Middlebury .flo', () => {
  it('writes the documented layout byte for byte', () => {
    const b = encodeFlo(flow);
    expect(b.length).toBe(12 + 12 * 4);
    expect(Buffer.from(b.subarray(0, 4)).toString('latin1')).toBe('PIEH');
    const v = new DataView(b.buffer);
    expect(v.getFloat32(0, true)).toBe(FLO_MAGIC);
    expect([v.getInt32(4, true), v.getInt32(8, true)]).toEqual([3, 2]);
    expect(v.getFloat32(12 + 4 * 4, true)).toBe(-3.25); // pixel (2, 0) u
    expect(decodeFlo(b)).toEqual(flow);
  });
  it('round-trips through files (.flo and .npy) and rejects bad files', async () => {
    for (const name of ['f.flo', 'f.npy']) {
      await writeFlowFile(join(dir, name), flow);
      expect(await readFlowFile(join(dir, name))).toEqual(flow);
    }
    const bad = encodeFlo(flow);
    bad[0] = 0;
    await writeFile(join(dir, 'bad.flo'), bad);
    await expect(readFlowFile(join(dir, 'bad.flo'))).rejects.toThrow(InputError);
    await expect(readFlowFile(join(dir, 'bad.flo'))).rejects.toThrow(/magic/);
    await writeFile(join(dir, 'short.flo'), encodeFlo(flow).subarray(0, 30));
    await expect(readFlowFile(join(dir, 'short.flo'))).rejects.toThrow(/truncated/);
    await expect(writeFlowFile(join(dir, 'f.txt'), flow)).rejects.toThrow(/f\.txt/);
  });
  it('writes the colour-wheel PNG', async () => {
    const p = join(dir, 'viz.png');
    await writeFlowPng(p, { width: 2, height: 1, data: Float32Array.from([-1, 0, 0, 0]) });
    const img = await readImage(p);
    expect(Array.from(img.data)).toEqual([0, 209, 255, 255, 255, 255]);
    expect((await readFile(p)).length).toBeGreaterThan(0);
  });
});
