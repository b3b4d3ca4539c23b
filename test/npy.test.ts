import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FormatError, InputError } from '../pipeline/errors.js';
import { decodeNpy, encodeNpy, readNpy, writeNpy } from '../pipeline/io/npy.js';
import { makeTempDir, removeTempDir } from './helpers/media.js';

let dir: string;
beforeAll(async () => { dir = await makeTempDir(); });
afterAll(async () => { await removeTempDir(dir); });

describe('.npy', () => {
  it('round-trips every supported dtype and shape', () => {
    const cases = [
      [Int8Array.from([-1, 0, 1, 1, 0, -1]), [1, 3, 2]],
      [Uint8Array.from([0, 255, 7]), [3]],
      [Int16Array.from([-32768, 32767]), [2, 1]],
      [Uint16Array.from([65535, 1, 2, 3]), [2, 2]],
      [Int32Array.from([-5, 5]), [2]],
      [Float32Array.from([0.5, -1.25, 3e8]), [3]],
      [Float64Array.from([Math.PI, -0]), [2]],
    ] as const;
    for (const [data, shape] of cases) {
      const bytes = encodeNpy(data, shape);
      expect((bytes.length - data.byteLength) % 64).toBe(0); // header padded to 64 bytes
      const back = decodeNpy(bytes);
      expect(back.shape).toEqual(shape);
      expect(back.data.constructor).toBe(data.constructor);
      expect(Array.from(back.data)).toEqual(Array.from(data));
    }
  });

  it('writes the exact header NumPy writes for int8 (H, W, 2)', () => {
    const bytes = encodeNpy(new Int8Array(12), [2, 3, 2]);
    const header = new TextDecoder('latin1').decode(bytes.subarray(10, 10 + (bytes[8]! | (bytes[9]! << 8))));
    expect(Array.from(bytes.subarray(0, 8))).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    expect(header.trimEnd()).toBe("{'descr': '|i1', 'fortran_order': False, 'shape': (2, 3, 2), }");
    expect(header.endsWith('\n')).toBe(true);
  });

  it('rejects malformed data with a message naming the problem', () => {
    expect(() => decodeNpy(new Uint8Array([1, 2, 3]))).toThrow(/bad magic/);
    const bytes = encodeNpy(new Float32Array(4), [4]);
    expect(() => decodeNpy(bytes.subarray(0, bytes.length - 2))).toThrow(/truncated .npy data: expected 16 bytes, found 14/);
    expect(() => decodeNpy(bytes.subarray(0, 40))).toThrow(/truncated .npy header: 118 bytes announced, 30 present/);
    // A version 1.0 file with a hand-written header and 16 data bytes.
    const withShape = (shape: string) => {
      const header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }\n`;
      return Uint8Array.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length, 0, ...Array.from(header, (c) => c.charCodeAt(0)), ...new Array<number>(16).fill(0)]);
    };
    expect(() => decodeNpy(withShape('(-4,)'))).toThrow(/bad .npy shape \(-4,\): dimensions must be non-negative integers/);
    expect(() => decodeNpy(withShape('(4.5,)'))).toThrow(FormatError);
    expect(() => decodeNpy(withShape('(2, 2, 99999999999999)'))).toThrow(/truncated .npy data/);
    expect(decodeNpy(withShape('(4,)')).shape).toEqual([4]);
    expect(decodeNpy(withShape('(2, 2)')).shape).toEqual([2, 2]);
    expect(decodeNpy(withShape('()')).shape).toEqual([]);
    expect(() => encodeNpy(new Int8Array(3), [2, 2])).toThrow(RangeError);
  });

  it('reads and writes files atomically; missing files raise InputError', async () => {
    const path = join(dir, 'g.npy');
    await writeNpy(path, Int8Array.from([1, -1]), [1, 1, 2]);
    const back = await readNpy(path);
    expect(back.shape).toEqual([1, 1, 2]);
    expect(Array.from(back.data)).toEqual([1, -1]);
    await expect(readNpy(join(dir, 'missing.npy'))).rejects.toBeInstanceOf(InputError);
    await writeFile(join(dir, 'bad.npy'), 'nope');
    await expect(readNpy(join(dir, 'bad.npy'))).rejects.toThrow(/Invalid \.npy file/);
    expect(((await readFile(path)).length - 2) % 64).toBe(0);
  });
});
