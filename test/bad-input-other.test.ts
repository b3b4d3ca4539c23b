// Bad inputs to the other commands (decompose, guidance, flow, info, synth), to models and config
// files, and writes that fail (a full disk, an unwritable folder). The same checks as
// bad-input-video.test.ts: exit code, a message naming the bad value or file, nothing new (or
// gone) in the output location, every input byte-identical (helpers/bad-input.ts).
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFlo } from '../pipeline/io/flo.js';
import { encodeNpy } from '../pipeline/io/npy.js';
import { makePng } from './helpers/awkward-media.js';
import { expectRefused } from './helpers/bad-input.js';
import { makeTempDir, makeTestClip, removeTempDir } from './helpers/media.js';
import { fileSizeLimitPrefix, makeReadOnlyDir, makeSmallDisk } from './helpers/small-disk.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await removeTempDir(d);
});
async function caseDir(): Promise<string> {
  const d = await makeTempDir('bad-other-');
  dirs.push(d);
  return d;
}
const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);
const QUIET = ['--log-level', 'warn'];

/** A 96x72 PNG of noise (it does not compress, so its outputs fill a small disk). */
async function noisePng(path: string): Promise<string> {
  let s = 12345;
  const data = Buffer.alloc(96 * 72 * 3);
  for (let i = 0; i < data.length; i++) data[i] = (s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 24;
  await sharp(data, { raw: { width: 96, height: 72, channels: 3 } }).png().toFile(path);
  return path;
}

describe('afb decompose', () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await caseDir();
    await mkdir(join(cwd, 'X'));
    await makePng(join(cwd, 'X', '000.png'), 64, 48);
    await makePng(join(cwd, 'img.png'), 64, 48);
    await writeFile(join(cwd, 'fake.png'), 'not an image');
    await writeFile(join(cwd, 'g3.npy'), encodeNpy(new Int8Array(48 * 64 * 3), [48, 64, 3]));
    await writeFile(join(cwd, 'g.npy'), encodeNpy(new Int8Array(48 * 64 * 2), [48, 64, 2]));
    await mkdir(join(cwd, 'mine'));
    await writeFile(join(cwd, 'mine', 'thesis.txt'), 'keep me');
    await writeFile(join(cwd, 'text.onnx'), 'not a model');
    await copyFile(fixture('decomposer-wrong.onnx'), join(cwd, 'wrong.onnx'));
  });
  it('the folder of the input image as output (X/000.png -o X) is refused [1]', async () => {
    await expectRefused({ cwd, args: ['decompose', 'X/000.png', '-o', 'X', '--guidance', 'g.npy', ...QUIET], inputs: ['X', 'g.npy'], code: 1, message: /The output folder holds the input X\/000\.png.*: X/ });
  });
  it('a folder of unrelated files is refused, naming --force [2]', async () => {
    await expectRefused({ cwd, args: ['decompose', 'img.png', '-o', 'mine', '--guidance', 'g.npy', ...QUIET], inputs: ['img.png', 'mine', 'g.npy'], code: 1, message: /holds 1 file\(s\) afb did not write \("thesis\.txt"\).*--force.*: mine/ });
  });
  it('a 3-channel guidance .npy names the file [6]', async () => {
    await expectRefused({ cwd, args: ['decompose', 'img.png', '-o', 'anim', '--guidance', 'g3.npy', ...QUIET], inputs: ['img.png', 'g3.npy'], code: 1, message: /Guidance has 3 channel\(s\) but the model takes 2.*: g3\.npy/ });
  });
  it('an image file that is not an image', async () => {
    await expectRefused({ cwd, args: ['decompose', 'fake.png', '-o', 'anim', '--guidance', 'g.npy', ...QUIET], inputs: ['fake.png', 'g.npy'], code: 1, message: /Cannot decode image .*: fake\.png/ });
  });
  it('a missing image', async () => {
    await expectRefused({ cwd, args: ['decompose', 'nope.png', '-o', 'anim', ...QUIET], inputs: [], code: 1, message: /Image not found: nope\.png/ });
  });
  it('a model with the wrong inputs', async () => {
    await expectRefused({ cwd, args: ['decompose', 'img.png', '-o', 'anim', '--guidance', 'g.npy', '--model', 'wrong.onnx', ...QUIET], inputs: ['img.png', 'g.npy', 'wrong.onnx'], code: 1, message: /ModelError: Model inputs are .* \(model: wrong\.onnx\)/ });
  });
  it('a model that is not ONNX', async () => {
    await expectRefused({ cwd, args: ['decompose', 'img.png', '-o', 'anim', '--guidance', 'g.npy', '--model', 'text.onnx', ...QUIET], inputs: ['img.png', 'g.npy', 'text.onnx'], code: 1, message: /onnxruntime cannot load the model .*\(model: text\.onnx\)/ });
  });
  it('a missing model', async () => {
    await expectRefused({ cwd, args: ['decompose', 'img.png', '-o', 'anim', '--guidance', 'g.npy', '--model', 'none.onnx', ...QUIET], inputs: ['img.png', 'g.npy'], code: 1, message: /Model file not found: none\.onnx/ });
  });
});

describe('afb guidance, afb flow, afb info', () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await caseDir();
    await makePng(join(cwd, 'A.png'), 32, 24);
    await makePng(join(cwd, 'B.png'), 32, 24, { shift: 3 });
    await writeFile(join(cwd, 'f.npy'), encodeNpy(new Float32Array(24 * 32 * 2), [24, 32, 2]));
    const flo = encodeFlo({ width: 4, height: 3, data: new Float32Array(24) });
    flo[0] = 0; // bad magic
    await writeFile(join(cwd, 'bad.flo'), flo);
    await writeFile(join(cwd, 'bad.json'), '{"shapes": [');
  });
  it('guidance --frames A.png,B.png -o A.png is refused [1]', async () => {
    await expectRefused({ cwd, args: ['guidance', '--frames', 'A.png,B.png', '-o', 'A.png', ...QUIET], inputs: ['A.png', 'B.png'], code: 1, message: /The output is the input A\.png.*: A\.png/ });
  });
  it('guidance --flow f.npy -o f.npy is refused [1]', async () => {
    await expectRefused({ cwd, args: ['guidance', '--flow', 'f.npy', '-o', 'f.npy', ...QUIET], inputs: ['f.npy'], code: 1, message: /The output is the input f\.npy/ });
  });
  it('flow --viz over an input image is refused [1]', async () => {
    await expectRefused({ cwd, args: ['flow', 'A.png', 'B.png', '-o', 'ab.flo', '--viz', 'B.png', ...QUIET], inputs: ['A.png', 'B.png'], code: 1, message: /The output is the input B\.png.*: B\.png/ });
  });
  it('a .flo with a bad magic number', async () => {
    await expectRefused({ cwd, args: ['guidance', '--flow', 'bad.flo', '-o', 'g.npy', ...QUIET], inputs: ['bad.flo'], code: 1, message: /Invalid flow file \(bad \.flo magic \d+ \(expected 202021\.25\)\): bad\.flo/ });
  });
  it('a labelme file that is not valid JSON', async () => {
    await expectRefused({ cwd, args: ['guidance', '--labelme', 'bad.json', '-o', 'g.npy', ...QUIET], inputs: ['bad.json'], code: 1, message: /Cannot read labelme annotation \(not valid JSON.*: bad\.json/ });
  });
  it('an output extension afb does not write', async () => {
    await expectRefused({ cwd, args: ['guidance', '--frames', 'A.png,B.png', '-o', 'g.txt', ...QUIET], inputs: ['A.png', 'B.png'], code: 2, message: /received "g\.txt"/ });
    await expectRefused({ cwd, args: ['flow', 'A.png', 'B.png', '-o', 'ab.txt', ...QUIET], inputs: ['A.png', 'B.png'], code: 2, message: /a path ending in \.flo or \.npy for -o\/--output but received "ab\.txt"/ });
  });
  it('info on a missing file', async () => {
    await expectRefused({ cwd, args: ['info', 'ghost.mp4'], inputs: [], code: 1, message: /not found: ghost\.mp4/i });
  });
});

describe('config files and options', () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await caseDir();
    await makeTestClip(join(cwd, 'clip.mp4'), { frames: 3 });
    await writeFile(join(cwd, 'broken.yaml'), 'video: [crf: 18\n');
    await writeFile(join(cwd, 'typo.yaml'), 'workerz: 2\n');
    await writeFile(join(cwd, 'wrongtype.json'), JSON.stringify({ video: { crf: 'high' } }));
  });
  const run = (config: string, message: RegExp, code: number) => expectRefused({
    cwd, args: ['--config', config, 'video', 'clip.mp4', '-o', 'out.mp4', ...QUIET], inputs: ['clip.mp4', ...(config === 'none.yaml' ? [] : [config])], code, message,
  });
  it('a config file that is not valid YAML names the file', () => run('broken.yaml', /Config file is not valid YAML .*: broken\.yaml/, 1));
  it('an unknown config key names the key', () => run('typo.yaml', /for config file but received "workerz"/, 2));
  it('a config value of the wrong type names the key and the value', () => run('wrongtype.json', /for crf \(config file\) but received "high"/, 2));
  it('a missing config file', () => run('none.yaml', /Cannot read config file: none\.yaml/, 1));
  it('a config file of another kind', () => run('clip.mp4', /a \.json, \.yaml or \.yml file for --config but received "clip\.mp4"/, 2));
});

describe('afb synth: a failed run leaves no dataset behind [9]', () => {
  it('a footage input that is not a video: no manifest, no lists', async () => {
    const cwd = await caseDir();
    await writeFile(join(cwd, 'notes.mp4'), 'text, not video');
    await expectRefused({ cwd, args: ['synth', 'notes.mp4', '-o', 'ds', ...QUIET], inputs: ['notes.mp4'], code: 1, message: /Not a video.*: .*notes\.mp4/ });
  });
  it('a missing photo folder', async () => {
    const cwd = await caseDir();
    await expectRefused({ cwd, args: ['synth', '--procedural', '--photos', 'nophotos', '-o', 'ds', ...QUIET], inputs: [], code: 1, message: /nophotos/ });
  });
});

describe('writes that fail: a full disk, an unwritable folder', () => {
  it('decompose on a full disk: a typed error, no partial folder (the 7 frames are one unit) [7]', async () => {
    const cwd = await caseDir();
    await noisePng(join(cwd, 'img.png'));
    await writeFile(join(cwd, 'g.npy'), encodeNpy(new Int8Array(72 * 96 * 2), [72, 96, 2]));
    const disk = await makeSmallDisk(join(cwd, 'disk'), 32);
    try {
      process.stdout.write(`disk full simulated by: ${disk.mode}\n`);
      await expectRefused({
        cwd, args: ['decompose', 'img.png', '-o', 'disk/anim', '--guidance', 'g.npy', ...QUIET], prefix: disk.prefix,
        inputs: ['img.png', 'g.npy'], locations: [cwd, join(cwd, 'disk')], code: 1,
        message: /OutputError: (No space left on the device|File size limit exceeded).*: disk\/anim/,
      });
    } finally {
      await disk.release();
    }
  });
  it('video on a full disk: a typed error naming the output, no temporary file [7]', async () => {
    const cwd = await caseDir();
    await makeTestClip(join(cwd, 'clip.mp4'), { width: 128, height: 96, frames: 8 });
    const disk = await makeSmallDisk(join(cwd, 'disk'), 4);
    try {
      await expectRefused({
        cwd, args: ['video', 'clip.mp4', '-o', 'disk/out.mp4', '--workers', '1', ...QUIET], prefix: disk.prefix,
        inputs: ['clip.mp4'], locations: [cwd, join(cwd, 'disk')], code: 1,
        message: /OutputError: (No space left on the device|File size limit exceeded).*: disk\/out\.mp4/,
      });
    } finally {
      await disk.release();
    }
  });
  it('decompose under a file size limit (the file-write double, whatever the machine allows)', async () => {
    const cwd = await caseDir();
    await noisePng(join(cwd, 'img.png'));
    await writeFile(join(cwd, 'g.npy'), encodeNpy(new Int8Array(72 * 96 * 2), [72, 96, 2]));
    await expectRefused({
      cwd, args: ['decompose', 'img.png', '-o', 'anim', '--guidance', 'g.npy', ...QUIET], prefix: fileSizeLimitPrefix(8),
      inputs: ['img.png', 'g.npy'], code: 1, message: /OutputError: File size limit exceeded \(EFBIG\): anim/,
    });
  });
  it('an unwritable output folder fails before any work', async () => {
    const cwd = await caseDir();
    await makeTestClip(join(cwd, 'clip.mp4'), { frames: 3 });
    const ro = await makeReadOnlyDir(join(cwd, 'ro'));
    try {
      const r = await expectRefused({ cwd, args: ['video', 'clip.mp4', '-o', 'ro/out.mp4', ...QUIET], inputs: ['clip.mp4'], locations: [cwd, join(cwd, 'ro')], code: 1, message: /Output folder is not writable: .*\/ro\n/ });
      expect(r.stderr).not.toMatch(/frames\/s/);
    } finally {
      await ro.release();
    }
  });
  it('a folder that refuses new files even with write permission (/proc, also as root) fails before any work', async () => {
    const cwd = await caseDir();
    await makeTestClip(join(cwd, 'clip.mp4'), { frames: 3 });
    const r = await expectRefused({ cwd, args: ['video', 'clip.mp4', '-o', '/proc/afb-out.mp4', ...QUIET], inputs: ['clip.mp4'], code: 1, message: /Output folder is not writable: \/proc\n/ });
    expect(r.stderr).not.toMatch(/frames\/s|Ffmpeg/);
  });
  it('an output folder below a file fails before any work', async () => {
    const cwd = await caseDir();
    await makeTestClip(join(cwd, 'clip.mp4'), { frames: 3 });
    await writeFile(join(cwd, 'afile'), 'x');
    await expectRefused({ cwd, args: ['video', 'clip.mp4', '-o', 'afile/sub/out.mp4', ...QUIET], inputs: ['clip.mp4', 'afile'], code: 1, message: /Output folder cannot be made: .*\/afile is a file: .*\/afile\/sub\n/ });
  });
});
