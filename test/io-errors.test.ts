// The named set of awkward inputs: each must give a typed error naming the bad value, and
// no partial output may remain.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CODEC_OPTIONS } from '../configs/codec-options.js';
import { resolveOptions } from '../configs/option-schema.js';
import { CancelledError, CorruptInputError, InputError, InvalidOptionError, OutputError } from '../pipeline/errors.js';
import { FfmpegNotFoundError } from '../pipeline/io/ffmpeg-binaries.js';
import { openFrameSource } from '../pipeline/io/frame-source.js';
import { openFrameSink, openPngFolderSink, openVideoSink } from '../pipeline/io/frame-sink.js';
import { makeTempDir, makeTestClip, removeTempDir } from './helpers/media.js';

let dir: string;
beforeAll(async () => { dir = await makeTempDir(); });
afterAll(async () => { await removeTempDir(dir); });

async function caught(p: Promise<unknown>): Promise<unknown> {
  return p.then(() => undefined, (e: unknown) => e);
}

describe('bad inputs', () => {
  it('missing input -> InputError naming the path', async () => {
    const path = join(dir, 'nope.mp4');
    const err = await caught(openFrameSource(path));
    expect(err).toBeInstanceOf(InputError);
    expect(err).toMatchObject({ path, exitCode: 1, message: `Input not found: ${path}` });
  });

  it('a text file named .mp4 -> InputError "Not a video"', async () => {
    const path = join(dir, 'text.mp4');
    await writeFile(path, 'hello, I am text\n');
    const err = await caught(openFrameSource(path));
    expect(err).toBeInstanceOf(InputError);
    expect(err).toMatchObject({ path });
    expect((err as Error).message).toMatch(/^Not a video/);
  });

  it('a truncated video -> CorruptInputError naming the frame index; the sink leaves nothing behind', async () => {
    const full = await makeTestClip(join(dir, 'full.mp4'), { width: 160, height: 120, fps: { num: 30, den: 1 }, frames: 60, extra: ['-g', '5', '-movflags', '+faststart'] });
    const bytes = await readFile(full);
    const cut = join(dir, 'cut.mp4');
    await writeFile(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const src = await openFrameSource(cut);
    expect(src.info.frameCount).toBe(60); // the header still promises 60 frames
    const outDir = join(dir, 'out-trunc');
    const sink = await openVideoSink(join(outDir, 'x7.mp4'), { width: 160, height: 120, fps: { num: 210, den: 1 }, preset: 'ultrafast' });
    let delivered = 0;
    const err = await caught((async () => {
      for await (const f of src) {
        await sink.write(f);
        f.release();
        delivered++;
      }
      await sink.finish();
    })());
    await sink.abort();
    expect(err).toBeInstanceOf(CorruptInputError);
    const e = err as CorruptInputError;
    expect(e.path).toBe(cut);
    expect(e.frameIndex).toBe(delivered);
    expect(e.frameIndex).toBeGreaterThan(0);
    expect(e.frameIndex).toBeLessThan(60);
    expect(e.message).toMatch(new RegExp(`at frame ${delivered}\\)`));
    expect(await readdir(outDir)).toEqual([]);
  });

  it('zero frames -> InputError', async () => {
    const path = join(dir, 'empty.y4m');
    await writeFile(path, 'YUV4MPEG2 W64 H48 F30000:1001 Ip A1:1 C420jpeg\n'); // a header, no frames
    const err = await caught(openFrameSource(path));
    expect(err).toBeInstanceOf(InputError);
    expect(err).toMatchObject({ path, message: `Video has zero frames: ${path}` });
    const emptyFolder = join(dir, 'no-frames');
    await (await import('node:fs/promises')).mkdir(emptyFolder);
    await expect(openFrameSource(emptyFolder)).rejects.toThrow(/zero frames/);
  });

  it('a start past the end -> InputError (zero frames in range)', async () => {
    const clip = await makeTestClip(join(dir, 'short.mp4'), { frames: 5 });
    await expect(openFrameSource(clip, { start: 60 })).rejects.toThrow(/Zero frames in the selected range/);
  });
});

describe('bad outputs and options', () => {
  it('unwritable output folder -> OutputError before anything starts', async () => {
    const file = join(dir, 'a-file');
    await writeFile(file, 'x');
    const target = join(file, 'sub', 'out.mp4');
    const err = await caught(openVideoSink(target, { width: 64, height: 48, fps: { num: 30, den: 1 } }));
    expect(err).toBeInstanceOf(OutputError);
    expect(err).toMatchObject({ path: join(file, 'sub'), exitCode: 1 });
    await expect(openPngFolderSink(join(file, 'frames'), { width: 4, height: 4 })).rejects.toBeInstanceOf(OutputError);
    expect((await stat(file)).isFile()).toBe(true);
  });

  it('ffmpeg missing (FFMPEG_PATH=/nonexistent) -> FfmpegNotFoundError, no output', async () => {
    const old = process.env['FFMPEG_PATH'];
    process.env['FFMPEG_PATH'] = '/nonexistent';
    try {
      const out = join(dir, 'out-missing');
      const err = await caught(openFrameSink(join(out, 'a.mp4'), { width: 64, height: 48, fps: { num: 30, den: 1 } }));
      expect(err).toBeInstanceOf(FfmpegNotFoundError);
      expect(err).toMatchObject({ tool: 'ffmpeg', tried: ['/nonexistent'] });
      await expect(stat(out)).rejects.toThrow();
      await expect(openFrameSource(join(dir, 'short.mp4'))).rejects.toBeInstanceOf(FfmpegNotFoundError);
    } finally {
      if (old === undefined) delete process.env['FFMPEG_PATH'];
      else process.env['FFMPEG_PATH'] = old;
    }
  });

  it('unknown option values -> InvalidOptionError naming flag and value', async () => {
    const e1 = (() => { try { resolveOptions(CODEC_OPTIONS, { codec: 'h266' }); } catch (e) { return e; } return undefined; })();
    expect(e1).toBeInstanceOf(InvalidOptionError);
    expect(e1).toMatchObject({ option: '--codec', value: 'h266', exitCode: 2 });
    expect((e1 as Error).message).toBe('Expected one of h264, h265, vp9 for --codec but received "h266"');
    const e2 = await caught(openVideoSink(join(dir, 'x.mp4'), { width: 64, height: 48, fps: { num: 30, den: 1 }, crf: 55 }));
    expect(e2).toMatchObject({ name: 'InvalidOptionError', option: '--crf', value: 55, kind: 'range' });
    const e3 = await caught(openVideoSink(join(dir, 'x.webm'), { width: 64, height: 48, fps: { num: 30, den: 1 }, codec: 'h264' }));
    expect(e3).toMatchObject({ name: 'InvalidOptionError', value: join(dir, 'x.webm') });
    expect((await readdir(dir)).filter((n) => n.startsWith('.afb-') || n.startsWith('x.'))).toEqual([]);
  });
});

describe('cancellation', () => {
  it('aborting mid-stream stops decoder and encoder with CancelledError and leaves no output', async () => {
    const clip = await makeTestClip(join(dir, 'cancel.mp4'), { frames: 20 });
    const ac = new AbortController();
    const src = await openFrameSource(clip, { signal: ac.signal });
    const outDir = join(dir, 'out-cancel');
    const sink = await openVideoSink(join(outDir, 'c.mp4'), { width: 64, height: 48, fps: { num: 30, den: 1 }, preset: 'ultrafast', signal: ac.signal });
    const err = await caught((async () => {
      for await (const f of src) {
        await sink.write(f);
        if (f.index === 2) ac.abort();
      }
      await sink.finish();
    })());
    await sink.abort();
    expect(err).toBeInstanceOf(CancelledError);
    expect((err as CancelledError).exitCode).toBe(130);
    expect(await readdir(outDir)).toEqual([]);
  });
});
