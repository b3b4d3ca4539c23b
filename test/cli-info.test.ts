// The CLI as users run it: node bin/afb.js (needs dist/, which `npm test` builds first).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeTempDir, makeTestClip, removeTempDir, REPO_ROOT } from './helpers/media.js';

const run = promisify(execFile);
const BIN = join(REPO_ROOT, 'bin', 'afb.js');

/** Run afb; resolves with exit code, stdout and stderr (never rejects on a non-zero exit). */
async function afb(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env, cwd: REPO_ROOT });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

let dir: string;
let clip: string;
beforeAll(async () => {
  if (!existsSync(join(REPO_ROOT, 'dist', 'pipeline', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  dir = await makeTempDir();
  clip = await makeTestClip(join(dir, 'clip.mp4'), { width: 64, height: 48, frames: 9, audio: true });
});
afterAll(async () => { await removeTempDir(dir); });

describe('afb CLI', () => {
  it('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = await afb(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('info --json prints exact rate, size, frame count and audio', async () => {
    const r = await afb(['info', clip, '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(s).toMatchObject({ input: clip, kind: 'video', width: 64, height: 48, fps: '30000/1001', fpsNum: 30000, fpsDen: 1001, frameCount: 9, hasAudio: true, variableFrameRate: false, rotation: 0 });
    expect(s['duration'] as number).toBeCloseTo((9 * 1001) / 30000, 3);
  });

  it('info prints a readable summary without --json', async () => {
    const r = await afb(['info', clip]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/size:\s+64x48/);
    expect(r.stdout).toMatch(/frame rate:\s+30000\/1001 \(29\.97003 fps\)/);
    expect(r.stdout).toMatch(/frames:\s+9\n/);
  });

  it('fails with a clear message and non-zero exit for bad inputs and options', async () => {
    const missing = await afb(['info', join(dir, 'missing.mp4')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`InputError: Input not found: ${join(dir, 'missing.mp4')}`);
    const text = join(dir, 'text.mp4');
    await writeFile(text, 'not a video');
    const notVideo = await afb(['info', text]);
    expect(notVideo.code).toBe(1);
    expect(notVideo.stderr).toMatch(/Not a video/);
    const badFps = await afb(['info', dir, '--fps', 'fast']);
    expect(badFps.code).toBe(2);
    expect(badFps.stderr).toContain('Expected a frame rate like 30, 29.97 or 30000/1001 for --fps but received "fast"');
    const noProbe = await afb(['info', clip], { ...process.env, FFPROBE_PATH: '/nonexistent' });
    expect(noProbe.code).toBe(1);
    expect(noProbe.stderr).toMatch(/FfmpegNotFoundError: ffprobe not found.*FFPROBE_PATH/);
  });
});
