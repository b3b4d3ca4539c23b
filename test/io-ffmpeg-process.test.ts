import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmod, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CancelledError, FfmpegError } from '../pipeline/errors.js';
import { FfmpegNotFoundError, resolveBinary } from '../pipeline/io/ffmpeg-binaries.js';
import { runFfmpeg, startFfmpeg } from '../pipeline/io/ffmpeg-process.js';
import { openVideoSink } from '../pipeline/io/frame-sink.js';
import { makeTempDir, removeTempDir } from './helpers/media.js';

let dir: string;
let fakeBin: string;

/** Write an executable shell script named `name` into the fake bin folder. */
async function fake(name: string, body: string): Promise<string> {
  const path = join(fakeBin, name);
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, 0o755);
  return path;
}

beforeAll(async () => {
  dir = await makeTempDir();
  fakeBin = join(dir, 'bin');
  await (await import('node:fs/promises')).mkdir(fakeBin);
});
afterAll(async () => { await removeTempDir(dir); });

describe('binary resolution', () => {
  it('prefers FFMPEG_PATH, then PATH, then the npm package', async () => {
    const onPath = await fake('ffmpeg', 'exit 0');
    expect(resolveBinary('ffmpeg', { PATH: fakeBin })).toEqual({ tool: 'ffmpeg', path: onPath, source: 'path' });
    expect(resolveBinary('ffmpeg', { PATH: fakeBin, FFMPEG_PATH: '/usr/bin/ffmpeg' })).toMatchObject({ path: '/usr/bin/ffmpeg', source: 'env' });
    const npm = resolveBinary('ffprobe', { PATH: join(dir, 'empty') });
    expect(npm.source).toBe('npm');
    expect(npm.path).toMatch(/@ffprobe-installer/);
  });

  it('throws FfmpegNotFoundError when FFMPEG_PATH points nowhere', () => {
    const err = (() => { try { resolveBinary('ffmpeg', { FFMPEG_PATH: '/nonexistent/ffmpeg' }); } catch (e) { return e; } return undefined; })();
    expect(err).toBeInstanceOf(FfmpegNotFoundError);
    expect(err).toBeInstanceOf(FfmpegError);
    expect(err).toMatchObject({ name: 'FfmpegNotFoundError', tool: 'ffmpeg', tried: ['/nonexistent/ffmpeg'], exitCode: 1 });
    expect((err as Error).message).toMatch(/FFMPEG_PATH.*"\/nonexistent\/ffmpeg"/);
  });
});

describe('process handling with fake executables', () => {
  it('reports command, exit code, signal and stderr tail of a failing ffmpeg', async () => {
    const bad = await fake('ffmpeg-fail', 'echo "line one" >&2\necho "Unknown encoder libfoo" >&2\nexit 3');
    const err = await runFfmpeg('ffmpeg', ['-i', 'x'], { env: { FFMPEG_PATH: bad } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FfmpegError);
    expect(err).toMatchObject({ command: [bad, '-i', 'x'], processExitCode: 3, signal: null, exitCode: 1 });
    expect((err as FfmpegError).stderrTail).toMatch(/line one\nUnknown encoder libfoo/);
    expect((err as Error).message).toMatch(/exited with code 3[\s\S]*Unknown encoder libfoo/);
  });

  it('keeps only the tail of a long stderr', async () => {
    const chatty = await fake('ffmpeg-chatty', 'i=0; while [ $i -lt 2000 ]; do echo "noise $i" >&2; i=$((i+1)); done; echo LAST >&2; exit 1');
    const err = (await runFfmpeg('ffmpeg', [], { env: { FFMPEG_PATH: chatty }, stderrTailBytes: 100 }).catch((e: unknown) => e)) as FfmpegError;
    expect(err.stderrTail.length).toBeLessThanOrEqual(100);
    expect(err.stderrTail).toMatch(/LAST\n$/);
  });

  it('kills a hanging ffmpeg that ignores SIGTERM after the timeout (hard-kill fallback)', async () => {
    const hang = await fake('ffmpeg-hang', "trap '' TERM\nexec sleep 30");
    const t0 = Date.now();
    const err = await runFfmpeg('ffmpeg', [], { env: { FFMPEG_PATH: hang }, timeoutMs: 300, killGraceMs: 300 }).catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(err).toBeInstanceOf(FfmpegError);
    expect(err).toMatchObject({ signal: 'SIGKILL' });
    expect((err as Error).message).toMatch(/timed out after 300 ms/);
  });

  it('cancels with an AbortSignal', async () => {
    const hang = await fake('ffmpeg-hang2', 'exec sleep 30');
    const ac = new AbortController();
    const proc = startFfmpeg('ffmpeg', [], { env: { FFMPEG_PATH: hang }, signal: ac.signal });
    setTimeout(() => ac.abort(), 100);
    await expect(proc.done).rejects.toBeInstanceOf(CancelledError);
  });

  it('a sink whose encoder dies reports the encoder error and leaves no partial file', async () => {
    const dies = await fake('ffmpeg-dies', 'head -c 100 >/dev/null\necho "Conversion failed!" >&2\nexit 1');
    const old = process.env['FFMPEG_PATH'];
    process.env['FFMPEG_PATH'] = dies;
    try {
      const out = join(dir, 'out', 'video.mp4');
      const sink = await openVideoSink(out, { width: 64, height: 48, fps: { num: 30, den: 1 } });
      const frame = { width: 64, height: 48, data: new Uint8Array(64 * 48 * 3) };
      const err = await (async () => {
        for (let i = 0; i < 100; i++) await sink.write(frame);
        await sink.finish();
      })().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FfmpegError);
      expect((err as FfmpegError).stderrTail).toMatch(/Conversion failed!/);
      expect(await readdir(join(dir, 'out'))).toEqual([]);
    } finally {
      if (old === undefined) delete process.env['FFMPEG_PATH'];
      else process.env['FFMPEG_PATH'] = old;
    }
  });
});
