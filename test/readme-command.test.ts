// End to end: the README's main command, as a user types it (`npx afb video samples/rocket-pan.mp4
// -o out.mp4`, read from README.md itself), with the shipped default model on the shipped sample.
// `--max-frames 3` keeps it short; everything else is the command as documented.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, removeTempDir, REPO_ROOT } from './helpers/media.js';

const FRAMES = 3;
const W = 480;
const H = 272;
let dir = '';

/** The command of README's Quick start block: the part after `npm ci && `. */
async function readmeMainCommand(): Promise<string[]> {
  const readme = await readFile(join(REPO_ROOT, 'README.md'), 'utf8');
  const line = /```sh\n(npm ci && npx afb video [^\n]+)\n```/.exec(readme);
  if (!line) throw new Error('README.md has no `npm ci && npx afb video ...` quick-start line');
  return line[1]!.replace(/^npm ci && /, '').split(/\s+/);
}

/** ffprobe's view of a file (streams with exact rates and decoded frame counts). */
function ffprobe(path: string): { streams: { codec_type: string; r_frame_rate: string; nb_read_frames?: string; duration?: string }[] } {
  const r = spawnSync('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_type,r_frame_rate,nb_read_frames,duration', '-of', 'json', path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffprobe ${path}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** Decoded RGB frames of a video (ffmpeg straight from PATH, independent of afb's decoder). */
function decodeRgb(path: string): Uint8Array[] {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-i', path, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`ffmpeg ${path}: ${r.stderr.toString()}`);
  const size = W * H * 3;
  return Array.from({ length: r.stdout.length / size }, (_, i) => new Uint8Array(r.stdout.buffer, r.stdout.byteOffset + i * size, size));
}

function meanAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return s / a.length;
}

beforeAll(async () => {
  dir = await makeTempDir('readme-');
  await mkdir(join(dir, 'samples'));
  await copyFile(join(REPO_ROOT, 'samples/rocket-pan.mp4'), join(dir, 'samples/rocket-pan.mp4'));
});
afterAll(() => removeTempDir(dir));

describe('the README main command', () => {
  it('npx afb video samples/rocket-pan.mp4 -o out.mp4: exit 0, 7x the frames at 7x the rate, same duration, shipped model', async () => {
    const command = await readmeMainCommand();
    expect(command).toEqual(['npx', 'afb', 'video', 'samples/rocket-pan.mp4', '-o', 'out.mp4']);
    const input = ffprobe(join(dir, 'samples/rocket-pan.mp4'));
    expect(input.streams.map((s) => s.codec_type)).toEqual(['video']); // the sample has no audio (samples/README.md)
    expect(input.streams[0]!.r_frame_rate).toBe('24/1');

    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(command[0]!, [...command.slice(1), '--max-frames', String(FRAMES)], { cwd: dir });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('close', (c) => resolve({ code: c, stderr: err }));
    });
    expect(code, stderr).toBe(0);
    // The default method is learned, with the shipped motion-aware model resolved from the package, not the working folder.
    expect(stderr).toContain(`method learned, model ${join(REPO_ROOT, 'models', 'afb-motion.onnx')} on cpu`);

    const out = ffprobe(join(dir, 'out.mp4'));
    expect(out.streams.map((s) => s.codec_type)).toEqual(['video']); // audio is kept when there is some: here none
    const video = out.streams[0]!;
    expect(video.r_frame_rate).toBe('168/1'); // 7 x 24
    expect(Number(video.nb_read_frames)).toBe(7 * FRAMES);
    expect(Number(video.duration)).toBeCloseTo(FRAMES / 24, 2); // same duration as the 3 input frames

    // Content: each group of 7 averages back to its blurry frame, and its ends differ (motion recovered).
    const blurry = decodeRgb(join(dir, 'samples/rocket-pan.mp4')).slice(0, FRAMES);
    const frames = decodeRgb(join(dir, 'out.mp4'));
    for (let i = 0; i < FRAMES; i++) {
      const group = frames.slice(7 * i, 7 * i + 7);
      const mean = Float32Array.from(blurry[i]!, (_, k) => group.reduce((s, f) => s + f[k]!, 0) / 7);
      expect(meanAbs(mean, blurry[i]!)).toBeLessThan(6);
      expect(meanAbs(group[0]!, group[6]!)).toBeGreaterThan(1.5);
    }
  });
});
