// The `afb synth` command layer (pipeline/cli/synth.ts): flags and config-file keys become exactly
// the generator config the functions under it are tested with, and wrong mixes of the two modes
// fail with typed errors before anything is written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { blurPath, readManifest, readVideoList } from '../pipeline/io/dataset-layout.js';
import { readImage } from '../pipeline/io/image.js';
import { Logger } from '../pipeline/log.js';
import { DEFAULT_PROCEDURAL_CONFIG as D } from '../pipeline/math/procedural/config.js';
import { runProcedural } from '../pipeline/synth/procedural.js';
import { runAfb } from './helpers/cli.js';
import { makeTempDir, makeTestClip, removeTempDir } from './helpers/media.js';

let dir = '';
let photos = '';

beforeAll(async () => {
  dir = await makeTempDir('synth-cli-');
  photos = join(dir, 'photos');
  await mkdir(photos);
  for (let k = 0; k < 2; k++) {
    const [w, h] = [120 + 20 * k, 90];
    const px = Buffer.alloc(w * h * 3);
    for (let i = 0; i < px.length; i++) px[i] = (i * (7 + k) + (i >> 5)) & 255;
    await sharp(px, { raw: { width: w, height: h, channels: 3 } }).png().toFile(join(photos, `p${k}.png`));
  }
});
afterAll(() => removeTempDir(dir));

describe('afb synth --procedural (command line)', () => {
  it('flags and config keys give the same config (hash and pixels) as the generator called directly', async () => {
    await writeFile(join(dir, 'cfg.yaml'), 'synth:\n  count: 3\n  size: 40x24\n');
    const out = join(dir, 'proc');
    const r = await runAfb(['--json', '--workers', '1', '--config', join(dir, 'cfg.yaml'), 'synth', '--procedural', '--photos', photos, '-o', out,
      '--frames-per-video', '2', '--subframes', '14', '--seed', '5', '--max-sprites', '1', '--camera-shift', '6', '--split', 'valid']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { videos: number; samples: number; written: number; configHash: string };
    expect(summary).toMatchObject({ videos: 2, samples: 3, written: 3 });
    expect(await readVideoList(out, 'valid')).toEqual(['proc-valid-00000', 'proc-valid-00001']);

    const direct = join(dir, 'proc-direct');
    const config = {
      ...D, width: 40, height: 24, framesPerVideo: 2, subframes: 14, subframeStep: 1.5,
      camera: { ...D.camera, maxShift: 6 }, sprites: { ...D.sprites, maxCount: 1 },
    };
    const ref = await runProcedural({
      root: direct, photosDir: photos, count: 3, seed: 5, split: 'valid', config, layout: 'genblur', pngLevel: 3, force: false, workers: 1, log: new Logger('silent'),
    });
    expect(summary.configHash).toBe(ref.configHash);
    const a = blurPath(out, 'proc-valid-00001', 0);
    expect(await readFile(a)).toEqual(await readFile(blurPath(direct, 'proc-valid-00001', 0)));
    expect([(await readImage(a)).width, (await readImage(a)).height]).toEqual([40, 24]);
  });

  it('refuses inputs, footage options or no --photos with --procedural, before writing anything', async () => {
    const out = join(dir, 'refused');
    const clip = join(dir, 'x.mp4');
    const cases: [string[], string][] = [
      [['synth', '--procedural', '--photos', photos, clip, '-o', out], 'Expected no input files with --procedural for inputs'],
      [['synth', '--procedural', '--photos', photos, '--window', '7', '-o', out], 'Expected no footage options'],
      [['synth', '--procedural', '-o', out], 'Expected a folder of photos with --procedural for --photos'],
      [['synth', '-o', out], 'Expected input videos/frame folders, or --procedural --photos DIR for inputs'],
      [['synth', clip, '--count', '3', '-o', out], 'Expected no --procedural options'],
      [['synth', '--procedural', '--photos', photos, '--size', '4x4', '-o', out], 'Expected a size between 8x8 and 16384x16384 for --size'],
    ];
    for (const [args, message] of cases) {
      const r = await runAfb(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(message);
    }
    expect(existsSync(out)).toBe(false);
  });
});

describe('afb synth INPUT (command line)', () => {
  it('--window 7: one blurry frame per 7 input frames at the input size; --gts above --window is refused', async () => {
    const clip = await makeTestClip(join(dir, 'clip.mp4'), { width: 32, height: 24, frames: 15 });
    const out = join(dir, 'footage');
    const r = await runAfb(['--json', '--workers', '1', 'synth', clip, '-o', out, '--window', '7', '--split', 'valid']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { samples: number; written: number; videos: { video: string; frames: number }[] };
    expect(summary).toMatchObject({ samples: 2, written: 2 });
    expect(summary.videos).toMatchObject([{ video: 'clip', frames: 15 }]);
    const video = 'clip';
    expect(await readVideoList(out, 'valid')).toEqual([video]);
    const blur = await readImage(blurPath(out, video, 1));
    expect([blur.width, blur.height]).toEqual([32, 24]);
    const bad = await runAfb(['synth', clip, '-o', join(dir, 'footage-bad'), '--window', '7', '--gts', '8']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Expected at most --window (7) ground-truth frames for --gts but received 8');
    expect(existsSync(join(dir, 'footage-bad'))).toBe(false);
  });

  it('--duty-cycle 0.5 --window 7: a gap of 7 sub-frames between windows, recorded in the manifest; with --gap or a range it is refused', async () => {
    const clip = await makeTestClip(join(dir, 'clip-duty.mp4'), { width: 32, height: 24, frames: 22 });
    const out = join(dir, 'footage-duty');
    const r = await runAfb(['--json', '--workers', '1', 'synth', clip, '-o', out, '--window', '7', '--duty-cycle', '0.5', '--split', 'valid']);
    expect(r.code, r.stderr).toBe(0);
    // 22 frames, windows of 7 every 14: frames 0-6 and 14-20
    expect(JSON.parse(r.stdout)).toMatchObject({ samples: 2 });
    const manifest = (await readManifest(out))!;
    expect(manifest.dutyCycles).toEqual({ 'clip-duty': 0.5 });
    expect(manifest.config['gap']).toBe(7);
    for (const [args, message] of [
      [['--duty-cycle', '0.5', '--gap', '3'], 'either --gap or --duty-cycle, not both'],
      [['--duty-cycle', '0.25-1'], 'one exposure fraction for footage'],
      [['--duty-cycle', '1.5'], '--duty-cycle'],
      [['--motion-files', 'exact'], 'video only with footage'],
    ] as const) {
      const bad = await runAfb(['synth', clip, '-o', join(dir, 'footage-duty-bad'), '--window', '7', ...args]);
      expect(bad.code, args.join(' ')).toBe(2);
      expect(bad.stderr).toContain(message);
      expect(existsSync(join(dir, 'footage-duty-bad'))).toBe(false);
    }
  });
});
