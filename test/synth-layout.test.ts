// The dataset layout module every reader and writer of datasets shares: paths, lists, manifest hash.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  blurPath, bboxPath, canonicalJson, detectLayout, guidancePath, hashConfig, listSampleIndices, listVideos,
  readManifest, readVideoList, sharpPath, videoListPath, writeVideoList,
} from '../pipeline/io/dataset-layout.js';
import { InputError } from '../pipeline/errors.js';
import { makeTempDir, removeTempDir } from './helpers/media.js';

let dir: string;
beforeAll(async () => { dir = await makeTempDir('layout-'); });
afterAll(async () => removeTempDir(dir));

describe('dataset layout', () => {
  it('builds the reference paths', () => {
    expect(blurPath('/d', 'v', 12)).toBe('/d/v/blur/00000012.png');
    expect(sharpPath('/d', 'v', 12, 6)).toBe('/d/v/sharp/00000012_006.png');
    expect(guidancePath('/d', 'v', 3)).toBe('/d/v/trend+/00000003_trend.npy');
    expect(guidancePath('/d', 'v', 3, 'baistpp')).toBe('/d/v/trend+_avg/00000003_trend.npy');
    expect(bboxPath('/d', 'v', 3)).toBe('/d/v/blur_anno/00000003.pkl');
    expect(videoListPath('/d', 'valid')).toBe('/d/valid_videos.yaml');
  });
  it('hashes configs independently of key order, and differently for different values', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 2], c: null } })).toBe('{"a":{"c":null,"d":[1,2]},"b":1}');
    expect(hashConfig({ a: 1, b: 2 })).toBe(hashConfig({ b: 2, a: 1 }));
    expect(hashConfig({ a: 1, b: 2 })).not.toBe(hashConfig({ a: 1, b: 3 }));
    expect(hashConfig({ a: 1 })).toMatch(/^[0-9a-f]{16}$/);
  });
  it('round-trips YAML video lists and discovers videos and samples', async () => {
    const root = join(dir, 'ds');
    await mkdir(join(root, 'v1', 'blur'), { recursive: true });
    await mkdir(join(root, 'v0', 'blur'), { recursive: true });
    await mkdir(join(root, 'not-a-video'), { recursive: true });
    for (const n of ['00000002.png', '00000000.png', 'notes.txt']) await writeFile(join(root, 'v1', 'blur', n), '');
    expect(await listVideos(root)).toEqual(['v0', 'v1']); // no lists: folders holding blur/
    expect(await listSampleIndices(root, 'v1')).toEqual([0, 2]);
    expect(await readVideoList(root, 'train')).toEqual([]);
    await writeVideoList(root, 'train', ['v1']);
    await writeVideoList(root, 'valid', []);
    expect(await readVideoList(root, 'train')).toEqual(['v1']);
    expect(await readVideoList(root, 'valid')).toEqual([]);
    expect(await listVideos(root)).toEqual(['v1']);
    expect(await detectLayout(root)).toBe('genblur');
    await mkdir(join(root, 'v1', 'trend+_avg'));
    expect(await detectLayout(root)).toBe('baistpp');
    expect(await readManifest(root)).toBeUndefined();
    await writeFile(join(root, 'manifest.json'), '{"format": "something-else"}');
    await expect(readManifest(root)).rejects.toBeInstanceOf(InputError);
    await writeFile(videoListPath(root, 'train'), 'a: 1\n');
    await expect(readVideoList(root, 'train')).rejects.toBeInstanceOf(InputError);
  });
});
