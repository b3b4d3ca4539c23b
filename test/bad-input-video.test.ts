// Bad and awkward inputs to `afb video`, run as a user runs them (node bin/afb.js, in the folder
// that holds the files). Every refused case checks the exit code, that the message names the bad
// value or file, that nothing new is left (or gone) in the output location and that every input
// is byte-identical afterwards (see helpers/bad-input.ts). Issue #14 items in brackets.
import { copyFile, link, mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe } from '../pipeline/io/probe.js';
import { makeAwkwardMedia, makePng, type AwkwardMedia } from './helpers/awkward-media.js';
import { expectAccepted, expectRefused } from './helpers/bad-input.js';
import { runAfb } from './helpers/cli.js';
import { makeTempDir, removeTempDir } from './helpers/media.js';
import { encodeNpy } from '../pipeline/io/npy.js';

let shared: string;
let media: AwkwardMedia;
const dirs: string[] = [];
beforeAll(async () => {
  shared = await makeTempDir('bad-video-media-');
  media = await makeAwkwardMedia(shared);
});
afterAll(async () => {
  for (const d of [shared, ...dirs]) await removeTempDir(d);
});

/** A fresh folder for one case (its output location), with copies of the named fixtures. */
async function caseDir(...fixtures: (keyof AwkwardMedia)[]): Promise<string> {
  const d = await makeTempDir('bad-video-');
  dirs.push(d);
  for (const f of fixtures) await copyFile(media[f], join(d, basename(media[f])));
  return d;
}

const FAST = ['--workers', '1', '--log-level', 'warn'];

describe('afb video: an input is never an output [1]', () => {
  it('output = input (same name) is refused', async () => {
    const cwd = await caseDir('clip');
    await expectRefused({ cwd, args: ['video', 'clip.mp4', '-o', 'clip.mp4', ...FAST], inputs: ['clip.mp4'], code: 1, message: /The output is the input clip\.mp4.*: clip\.mp4/ });
  });
  it('output = input by another spelling (../same/./clip.mp4) is refused', async () => {
    const cwd = await caseDir();
    await mkdir(join(cwd, 'same'));
    await copyFile(media.clip, join(cwd, 'same', 'clip.mp4'));
    await expectRefused({ cwd, args: ['video', 'same/clip.mp4', '-o', `../${basename(cwd)}/same/./clip.mp4`, ...FAST], inputs: ['same/clip.mp4'], code: 1, message: /The output is the input same\/clip\.mp4/ });
  });
  it('output = a symlink to the input is refused', async () => {
    const cwd = await caseDir('clip');
    await symlink('clip.mp4', join(cwd, 'link.mp4'));
    await expectRefused({ cwd, args: ['video', 'clip.mp4', '-o', 'link.mp4', ...FAST], inputs: ['clip.mp4'], code: 1, message: /The output is the input clip\.mp4.*: link\.mp4/ });
  });
  it('output = a hard link to the input is refused', async () => {
    const cwd = await caseDir('clip');
    await link(join(cwd, 'clip.mp4'), join(cwd, 'hard.mp4'));
    await expectRefused({ cwd, args: ['video', 'clip.mp4', '-o', 'hard.mp4', ...FAST], inputs: ['clip.mp4', 'hard.mp4'], code: 1, message: /The output is the input clip\.mp4.*: hard\.mp4/ });
  });
  it('a frame folder as its own output folder is refused', async () => {
    const cwd = await caseDir();
    await mkdir(join(cwd, 'frames'));
    for (let i = 0; i < 3; i++) await makePng(join(cwd, 'frames', `f${i}.png`), 32, 24, { shift: i });
    await expectRefused({ cwd, args: ['video', 'frames/', '-o', 'frames/', ...FAST], inputs: ['frames'], code: 1, message: /The output is the input frames\/ \(the same folder\)/ });
  });
  it('a batch folder written into itself with --force is refused (its outputs are its inputs)', async () => {
    const cwd = await caseDir();
    await mkdir(join(cwd, 'dir'));
    await copyFile(media.clip, join(cwd, 'dir', 'a.mp4'));
    await copyFile(media.clip, join(cwd, 'dir', 'b.mp4'));
    await expectRefused({ cwd, args: ['video', 'dir', '-o', 'dir', '--force', ...FAST], inputs: ['dir'], code: 1, message: /The output is the input dir\/a\.mp4/ });
  });
  it('a PNG output folder holding the guidance file is refused', async () => {
    const cwd = await caseDir('clip');
    await mkdir(join(cwd, 'g'));
    await writeFile(join(cwd, 'g', 'g.npy'), encodeNpy(new Int8Array(64 * 48 * 2), [48, 64, 2]));
    await expectRefused({ cwd, args: ['video', 'clip.mp4', '-o', 'g', '--guidance', 'g/g.npy', '--force', ...FAST], inputs: ['clip.mp4', 'g'], code: 1, message: /The output folder holds the input g\/g\.npy/ });
  });
});

describe('afb video: a folder afb did not write is never replaced [2]', () => {
  it('a non-empty folder of unrelated files is refused, naming a file and --force', async () => {
    const cwd = await caseDir('clip');
    await mkdir(join(cwd, 'd'));
    await writeFile(join(cwd, 'd', 'notes.txt'), 'mine');
    await expectRefused({ cwd, args: ['video', 'clip.mp4', '-o', 'd', ...FAST], inputs: ['clip.mp4', 'd'], code: 1, message: /holds 1 file\(s\) afb did not write \("notes\.txt"\).*--force.*: d/ });
  });
});

describe('afb video: unreadable inputs fail before any worker starts, without an abort [3]', () => {
  it('a text file named .mp4, 10 runs: always exit 1 naming it, never 134', async () => {
    const cwd = await caseDir('text');
    for (let run = 0; run < 10; run++) {
      await expectRefused({ cwd, args: ['video', 'notes.mp4', '-o', 'out.mp4', ...FAST], inputs: ['notes.mp4'], code: 1, message: /Not a video: ffprobe cannot read it .*: notes\.mp4/ });
    }
  });
  it('a 0-byte file', async () => {
    const cwd = await caseDir('empty');
    await expectRefused({ cwd, args: ['video', 'empty.mp4', '-o', 'out.mp4', ...FAST], inputs: ['empty.mp4'], code: 1, message: /Not a video.*: empty\.mp4/ });
  });
  it('a truncated file (no index)', async () => {
    const cwd = await caseDir('truncated');
    await expectRefused({ cwd, args: ['video', 'truncated.mp4', '-o', 'out.mp4', ...FAST], inputs: ['truncated.mp4'], code: 1, message: /Not a video.*: truncated\.mp4/ });
  });
  it('a file cut mid-stream names the frame where it broke', async () => {
    const cwd = await caseDir('cutMidStream');
    await expectRefused({ cwd, args: ['video', 'cut.mp4', '-o', 'out.mp4', ...FAST], inputs: ['cut.mp4'], code: 1, message: /CorruptInputError: .*\(at frame \d+\): cut\.mp4/ });
  });
  it('an audio-only file', async () => {
    const cwd = await caseDir('audioOnly');
    await expectRefused({ cwd, args: ['video', 'audio-only.mp4', '-o', 'out.mp4', ...FAST], inputs: ['audio-only.mp4'], code: 1, message: /Not a video: no video stream found: audio-only\.mp4/ });
  });
  it('an output extension no codec writes (-o out.avi)', async () => {
    const cwd = await caseDir('clip');
    await expectRefused({ cwd, args: ['video', 'clip.mp4', '-o', 'out.avi', ...FAST], inputs: ['clip.mp4'], code: 2, message: /for -o\/--output but received "out\.avi"/ });
  });
  it('a missing input', async () => {
    const cwd = await caseDir();
    await expectRefused({ cwd, args: ['video', 'nope.mp4', '-o', 'out.mp4', ...FAST], inputs: [], code: 1, message: /Input not found: nope\.mp4/ });
  });
  it('a missing input among several (batch) stops before anything starts', async () => {
    const cwd = await caseDir('clip');
    await expectRefused({ cwd, args: ['video', 'clip.mp4', 'gone.mp4', '-o', 'outdir', ...FAST], inputs: ['clip.mp4'], code: 1, message: /Input not found: gone\.mp4/ });
  });
  it('a glob matching nothing', async () => {
    const cwd = await caseDir('clip');
    await expectRefused({ cwd, args: ['video', './*.mkv', '-o', 'outdir', ...FAST], inputs: ['clip.mp4'], code: 1, message: /No file matches the pattern: \.\/\*\.mkv/ });
  });
  it('a frame folder without images', async () => {
    const cwd = await caseDir();
    await mkdir(join(cwd, 'frames'));
    await writeFile(join(cwd, 'frames', 'readme.txt'), 'no frames here');
    await expectRefused({ cwd, args: ['video', 'frames', '-o', 'out.mp4', ...FAST], inputs: ['frames'], code: 1, message: /Folder has zero frames .*: frames/ });
  });
  it('a frame folder whose frames change size', async () => {
    const cwd = await caseDir();
    await mkdir(join(cwd, 'frames'));
    await makePng(join(cwd, 'frames', 'f0.png'), 32, 24);
    await makePng(join(cwd, 'frames', 'f1.png'), 40, 24);
    await expectRefused({ cwd, args: ['video', 'frames', '-o', 'out.mp4', ...FAST], inputs: ['frames'], code: 1, message: /differs from the first frame's 32x24: .*frames\/f1\.png/ });
  });
});

describe('afb video: guidance files checked against the video before any work [6]', () => {
  const npyCase = async (name: string, data: Int8Array, shape: number[], message: RegExp) => {
    const cwd = await caseDir('clip');
    await writeFile(join(cwd, name), encodeNpy(data, shape));
    await expectRefused({ cwd, args: ['video', 'clip.mp4', '-o', 'out.mp4', '--guidance', name, ...FAST], inputs: ['clip.mp4', name], code: 1, message });
  };
  it('an empty (0x0) .npy', () => npyCase('empty.npy', new Int8Array(0), [0, 0, 2], /guidance is empty.*: empty\.npy/));
  it('a 1-channel .npy', () => npyCase('one.npy', new Int8Array(48 * 64), [48, 64, 1], /Guidance has 1 channel\(s\) but the model takes 2.*: one\.npy/));
  it('a 3-channel .npy', () => npyCase('three.npy', new Int8Array(48 * 64 * 3), [48, 64, 3], /Guidance has 3 channel\(s\) but the model takes 2.*: three\.npy/));
  it('a .npy of another shape than the video', () => npyCase('square.npy', new Int8Array(200), [10, 10, 2], /Guidance is 10x10 but the image is 64x48.*: square\.npy/));
  it('a missing guidance file', async () => {
    const cwd = await caseDir('clip');
    await expectRefused({ cwd, args: ['video', 'clip.mp4', '-o', 'out.mp4', '--guidance', 'absent.npy', ...FAST], inputs: ['clip.mp4'], code: 1, message: /Guidance file not found: absent\.npy/ });
  });
  it('a labelme file with an unknown label names the file and the label', async () => {
    const cwd = await caseDir('clip');
    await writeFile(join(cwd, 'ann.json'), JSON.stringify({ imageWidth: 64, imageHeight: 48, shapes: [{ label: 'sideways', points: [[0, 0], [10, 10]], shape_type: 'rectangle' }] }));
    await expectRefused({ cwd, args: ['video', 'clip.mp4', '-o', 'out.mp4', '--guidance', 'ann.json', ...FAST], inputs: ['clip.mp4', 'ann.json'], code: 2, message: /labelme shape 0 label in ann\.json but received "sideways"/ });
  });
});

describe('afb video: smaller cases [9]', () => {
  it('a header-only Matroska file: "Video has zero frames", also in afb info', async () => {
    const cwd = await caseDir('headerOnly');
    await expectRefused({ cwd, args: ['video', 'header-only.mkv', '-o', 'out.mp4', ...FAST], inputs: ['header-only.mkv'], code: 1, message: /Video has zero frames: header-only\.mkv/ });
    await expectRefused({ cwd, args: ['info', 'header-only.mkv'], inputs: ['header-only.mkv'], code: 1, message: /Video has zero frames: header-only\.mkv/ });
  });
  it('--tile 66 is refused (tiles are multiples of 4), not run as 64', async () => {
    const cwd = await caseDir('clip');
    await expectRefused({ cwd, args: ['video', 'clip.mp4', '-o', 'out.mp4', '--tile', '66', ...FAST], inputs: ['clip.mp4'], code: 2, message: /multiple of 4 in \[64, 16384\] for --tile but received "66"/ });
  });
  it('several inputs with -o out.mp4 are refused (no folder named out.mp4 appears)', async () => {
    const cwd = await caseDir('clip', 'single');
    await expectRefused({ cwd, args: ['video', 'clip.mp4', 'single.mp4', '-o', 'out.mp4', ...FAST], inputs: ['clip.mp4', 'single.mp4'], code: 2, message: /a folder for 2 inputs .* for -o\/--output but received "out\.mp4"/ });
  });
  it('a wrong option value names the flag and the value', async () => {
    const cwd = await caseDir('clip');
    await expectRefused({ cwd, args: ['video', 'clip.mp4', '-o', 'out.mp4', '--crf', '99', ...FAST], inputs: ['clip.mp4'], code: 2, message: /for --crf but received "99"/ });
    await expectRefused({ cwd, args: ['--workers', '0', 'video', 'clip.mp4', '-o', 'out.mp4'], inputs: ['clip.mp4'], code: 2, message: /Expected an integer in \[1, 256\] for --workers but received "0"/ });
    await expectRefused({ cwd, args: ['video', 'clip.mp4', '-o', 'out.mp4', '--method', 'guidance', '--ensemble', '2', ...FAST], inputs: ['clip.mp4'], code: 2, message: /Expected 1 with --method guidance .* for --ensemble but received 2/ });
  });
});

describe('afb video: awkward inputs that convert', () => {
  const frames = async (path: string) => (await probe(path)).frameCount;
  it('a single frame: 7 frames out, and the documented warning', async () => {
    const cwd = await caseDir('single');
    await expectAccepted({ cwd, args: ['video', 'single.mp4', '-o', 'out.mp4', ...FAST], inputs: ['single.mp4'], outputs: ['out.mp4'], warning: /single-frame input has no neighbour/ });
    expect(await frames(join(cwd, 'out.mp4'))).toBe(7);
  });
  it('odd size 65x49 to a PNG folder keeps the size', async () => {
    const cwd = await caseDir('odd');
    await expectAccepted({ cwd, args: ['video', 'odd.mkv', '-o', 'odd-frames', ...FAST], inputs: ['odd.mkv'], outputs: ['odd-frames/'] });
    const names = (await readdir(join(cwd, 'odd-frames'))).filter((n) => n.endsWith('.png'));
    expect(names).toHaveLength(28);
    expect(await sharp(join(cwd, 'odd-frames', names[0]!)).metadata()).toMatchObject({ width: 65, height: 49 });
  });
  it('variable frame rate: warned, constant 7x output, progress never above 100%', async () => {
    const cwd = await caseDir('vfr');
    const r = await expectAccepted({ cwd, args: ['video', 'vfr.mkv', '-o', 'out.mp4', '--workers', '1'], inputs: ['vfr.mkv'], outputs: ['out.mp4'], warning: /variable frame rate/ });
    const percents = [...r.stderr.matchAll(/(\d+\.\d)%/g)].map((m) => Number(m[1]));
    expect(percents.length).toBeGreaterThan(0);
    expect(Math.max(...percents)).toBeLessThanOrEqual(100);
    const info = await probe(join(cwd, 'out.mp4'));
    expect(info.frameCount % 7).toBe(0);
  });
  it('rotated (90 degrees): upright 48x64 frames out', async () => {
    const cwd = await caseDir('rotated');
    await expectAccepted({ cwd, args: ['video', 'rotated.mp4', '-o', 'out.mp4', ...FAST], inputs: ['rotated.mp4'], outputs: ['out.mp4'] });
    expect(await probe(join(cwd, 'out.mp4'))).toMatchObject({ width: 48, height: 64, frameCount: 42 });
  });
  it('RGBA input: the dropped alpha is said', async () => {
    const cwd = await caseDir('rgba');
    await expectAccepted({ cwd, args: ['video', 'rgba.mov', '-o', 'out.mp4', ...FAST], inputs: ['rgba.mov'], outputs: ['out.mp4'], warning: /rgba\.mov: the alpha channel \(rgba\) is dropped/ });
  });
  it('16-bit PNG frames: the 8-bit processing is said', async () => {
    const cwd = await caseDir();
    await mkdir(join(cwd, 'deep'));
    for (let i = 0; i < 2; i++) await makePng(join(cwd, 'deep', `f${i}.png`), 32, 24, { bits16: true, shift: i });
    expect(await sharp(join(cwd, 'deep', 'f0.png')).metadata()).toMatchObject({ depth: 'ushort' });
    await expectAccepted({ cwd, args: ['video', 'deep', '-o', 'out.mp4', ...FAST], inputs: ['deep'], outputs: ['out.mp4'], warning: /f0\.png: 16-bit samples are processed and written at 8 bits/ });
  });
  it('4K (3840x2160): a frame through a tiny model with automatic tiles', async () => {
    const cwd = await caseDir('uhd');
    const model = join(cwd, 'linear.onnx');
    await copyFile(new URL('./fixtures/decomposer-linear.onnx', import.meta.url), model);
    const args = ['video', 'uhd.mp4', '-o', 'out.mp4', '--model', 'linear.onnx', '--max-frames', '1', '--preset', 'ultrafast', ...FAST];
    await expectAccepted({ cwd, args, inputs: ['uhd.mp4', 'linear.onnx'], outputs: ['out.mp4'] });
    expect(await probe(join(cwd, 'out.mp4'))).toMatchObject({ width: 3840, height: 2160, frameCount: 7 });
  });
  it('a second run replaces the PNG folder afb wrote (it carries afb\'s marker)', async () => {
    const cwd = await caseDir('clip');
    for (let i = 0; i < 2; i++) {
      const r = await runAfb(['video', 'clip.mp4', '-o', 'frames', ...FAST], { cwd });
      expect(r.code, r.stderr).toBe(0);
    }
  });
});
