import { OUTPUT_MARKER } from '../pipeline/io/folder-output.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { openFrameSource, type Frame } from '../pipeline/io/frame-source.js';
import { naturalSort } from '../pipeline/io/frame-source-images.js';
import { openFrameSink, openPngFolderSink, pngFrameName } from '../pipeline/io/frame-sink.js';
import { writePng } from '../pipeline/io/image.js';
import { probe } from '../pipeline/io/probe.js';
import { runFfmpeg } from '../pipeline/io/ffmpeg-process.js';
import { Logger } from '../pipeline/log.js';
import type { RgbImage } from '../pipeline/math/types.js';
import { makeTempDir, makeTestClip, meanAbsDiff, removeTempDir } from './helpers/media.js';

let dir: string;
beforeAll(async () => { dir = await makeTempDir(); });
afterAll(async () => { await removeTempDir(dir); });

/** A smooth moving gradient (compresses well, so lossy round trips stay close). */
function gradient(w: number, h: number, t: number): RgbImage {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const i = 3 * (y * w + x);
    data[i] = (x * 4 + t * 8) % 256;
    data[i + 1] = (y * 4) % 256;
    data[i + 2] = 128;
  }
  return { width: w, height: h, data };
}

function captureLog(): { log: Logger; text: () => string } {
  let text = '';
  const stream = new Writable({ write(chunk, _enc, cb) { text += String(chunk); cb(); } });
  return { log: new Logger('warn', stream), text: () => text };
}

async function readAll(input: string, opts: Parameters<typeof openFrameSource>[1] = {}): Promise<Frame[]> {
  const src = await openFrameSource(input, opts);
  const frames: Frame[] = [];
  for await (const f of src) frames.push({ ...f, data: f.data.slice() });
  return frames;
}

async function leftovers(d: string): Promise<string[]> {
  return (await readdir(d)).filter((n) => n.startsWith('.afb-'));
}

describe('video source', () => {
  it('decodes every frame of a 30000/1001 clip with exact timestamps and reuses buffers', async () => {
    // 320x240 frames (230 KB) are larger than a pipe read (64 KB), as real frames are.
    const clip = await makeTestClip(join(dir, 'src.mp4'), { width: 320, height: 240, frames: 10 });
    const src = await openFrameSource(clip);
    expect(src.info).toMatchObject({ kind: 'video', width: 320, height: 240, depth: 8, fps: { num: 30000, den: 1001 }, frameCount: 10 });
    const buffers = new Set<ArrayBufferLike>();
    let n = 0;
    for await (const f of src) {
      expect(f.index).toBe(n);
      expect(f.time).toBeCloseTo((n * 1001) / 30000, 9);
      expect(f.data).toBeInstanceOf(Uint8Array);
      expect(f.data.length).toBe(320 * 240 * 3);
      buffers.add(f.data.buffer);
      f.release();
      n++;
    }
    expect(n).toBe(10);
    // readAhead (2) frames waiting + one being filled + the one the consumer holds.
    expect(buffers.size).toBeLessThanOrEqual(4);
  });

  it('resizes with fit cover (aspect kept, centre crop) by default and fit stretch on request, video and images alike', async () => {
    // 64x32: red | green | blue bands of 16 | 32 | 16 columns
    const data = new Uint8Array(64 * 32 * 3);
    for (let y = 0; y < 32; y++) for (let x = 0; x < 64; x++) data[3 * (y * 64 + x) + (x < 16 ? 0 : x < 48 ? 1 : 2)] = 255;
    const png = join(dir, 'bands.png');
    await writePng(png, { width: 64, height: 32, data });
    const clip = join(dir, 'bands.mp4');
    const sink = await openFrameSink(clip, { width: 64, height: 32, fps: { num: 30, den: 1 }, crf: 0, pixFmt: 'yuv444p', preset: 'ultrafast' });
    for (let i = 0; i < 2; i++) await sink.write({ width: 64, height: 32, data });
    await sink.finish();
    const px = (f: Frame, x: number, y: number) => Array.from(f.data.subarray(3 * (y * f.width + x), 3 * (y * f.width + x) + 3));
    const near = (a: number[], b: number[]) => a.every((v, k) => Math.abs(v - b[k]!) <= 24);
    for (const input of [clip, png]) {
      const [cover] = await readAll(input, { maxFrames: 1, resize: { width: 32, height: 32 } });
      const [stretch] = await readAll(input, { maxFrames: 1, resize: { width: 32, height: 32, fit: 'stretch' } });
      expect([cover!.width, cover!.height, stretch!.width, stretch!.height]).toEqual([32, 32, 32, 32]);
      // cover: the 32 middle columns (all green) at scale 1; stretch: the bands halved to 8 | 16 | 8
      for (const x of [1, 16, 30]) expect(near(px(cover!, x, 16), [0, 255, 0]), `${input} cover x=${x}: ${px(cover!, x, 16)}`).toBe(true);
      expect(near(px(stretch!, 2, 16), [255, 0, 0]), `${input} stretch: ${px(stretch!, 2, 16)}`).toBe(true);
      expect(near(px(stretch!, 16, 16), [0, 255, 0])).toBe(true);
      expect(near(px(stretch!, 29, 16), [0, 0, 255]), `${input} stretch: ${px(stretch!, 29, 16)}`).toBe(true);
    }
  });

  it('reports rotation of a rotated file and delivers upright frames (display matrix applied)', async () => {
    const src = await makeTestClip(join(dir, 'upright.mp4'), { width: 64, height: 32, frames: 2 });
    const rotated = join(dir, 'rotated.mp4');
    // stream copy with a 90 degree display matrix (how phones store portrait video)
    await runFfmpeg('ffmpeg', ['-v', 'error', '-y', '-i', src, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', rotated]);
    const info = await probe(rotated);
    expect([info.rotation, info.width, info.height]).toEqual([90, 32, 64]);
    const [a] = await readAll(src, { maxFrames: 1 });
    const [b] = await readAll(rotated, { maxFrames: 1 });
    expect([b!.width, b!.height]).toEqual([32, 64]);
    // rotation 90 = displayed turned 90 degrees counter-clockwise: B(x, y) = A(W - 1 - y, x), exactly (same decoded pixels)
    let diff = 0;
    for (let y = 0; y < 64; y++) for (let x = 0; x < 32; x++) for (let k = 0; k < 3; k++) {
      diff += Math.abs(b!.data[3 * (y * 32 + x) + k]! - a!.data[3 * (x * 64 + (63 - y)) + k]!);
    }
    expect(diff).toBe(0);
  });

  it('delivers 16-bit frames, resizes, trims with start and maxFrames', async () => {
    const clip = join(dir, 'src.mp4');
    const probed = await probe(clip);
    const f8 = await readAll(clip, { maxFrames: 1, probed });
    const f16 = await readAll(clip, { depth: 16, maxFrames: 1, probed });
    expect(f16[0]!.data).toBeInstanceOf(Uint16Array);
    // rgb48le of 8-bit content: each value is close to 257x the 8-bit value.
    expect(meanAbsDiff(Array.from(f16[0]!.data, (v) => v / 257), f8[0]!.data)).toBeLessThan(1.5);
    const trimmed = await readAll(clip, { start: (4 * 1001) / 30000, maxFrames: 3, resize: { width: 32, height: 24 }, probed });
    expect(trimmed.map((f) => [f.width, f.height, f.data.length])).toEqual([[32, 24, 2304], [32, 24, 2304], [32, 24, 2304]]);
    expect(trimmed[0]!.time).toBeCloseTo((4 * 1001) / 30000, 6);
  });

  it('decodes variable-frame-rate input at a constant rate, with a warning', async () => {
    // Frames 0-4 at 30 fps, then every frame lasts 2/30 s: 20 frames spanning 35/30 s.
    const clip = await makeTestClip(join(dir, 'vfr.mkv'), { fps: { num: 30, den: 1 }, frames: 20, codec: 'ffv1', extra: ['-vf', "setpts='if(lt(N,5),N,2*N-5)/(30*TB)'", '-fps_mode', 'vfr'] });
    const { log, text } = captureLog();
    const src = await openFrameSource(clip, { log });
    expect(src.info.video?.variableFrameRate).toBe(true);
    expect(text()).toMatch(/variable frame rate/);
    const times: number[] = [];
    for await (const f of src) times.push(f.time);
    // Constant spacing at the chosen rate, and more frames than stored (slow part duplicated).
    const step = src.info.fps.den / src.info.fps.num;
    times.forEach((t, i) => expect(t).toBeCloseTo(i * step, 9));
    expect(times.length).toBeGreaterThan(20);
  });

  it('stops ffmpeg when the consumer breaks out early', async () => {
    const src = await openFrameSource(join(dir, 'src.mp4'));
    for await (const f of src) if (f.index === 1) break;
    await src.close();
    expect((await readAll(join(dir, 'src.mp4'))).length).toBe(10);
  });
});

describe('video sinks', () => {
  it('round-trips frames through H.264 at 7 x 30000/1001 with small error', async () => {
    const out = join(dir, 'x7.mp4');
    const fps = { num: 210000, den: 1001 };
    const sink = await openFrameSink(out, { width: 64, height: 48, fps, crf: 10, pixFmt: 'yuv444p' });
    const frames = Array.from({ length: 14 }, (_, t) => gradient(64, 48, t));
    for (const f of frames) await sink.write(f);
    await sink.finish();
    expect(await leftovers(dir)).toEqual([]);
    const info = await probe(out);
    expect(info.fps).toEqual({ num: 30000, den: 143 }); // = 210000/1001 reduced
    expect(info.frameCount).toBe(14);
    const back = await readAll(out);
    expect(back).toHaveLength(14);
    back.forEach((f, i) => expect(meanAbsDiff(f.data, frames[i]!.data)).toBeLessThan(3));
  });

  it('writes H.265 (mkv) and VP9 (webm) at exact rates', async () => {
    for (const [name, codec, fps] of [['a.mkv', 'h265', { num: 175, den: 1 }], ['b.webm', 'vp9', { num: 30000, den: 1001 }]] as const) {
      const out = join(dir, name);
      const sink = await openFrameSink(out, { width: 64, height: 48, fps, codec, preset: 'ultrafast' });
      for (let t = 0; t < 5; t++) await sink.write(gradient(64, 48, t));
      await sink.finish();
      const info = await probe(out);
      expect(info).toMatchObject({ codec: codec === 'h265' ? 'hevc' : 'vp9', fps, frameCount: 5, width: 64, height: 48 });
    }
  });

  it('keeps 16-bit frames at 10-bit precision through H.265 yuv444p10le', async () => {
    const out = join(dir, 'deep.mkv');
    // A smooth 16-bit ramp whose steps (900 per pixel, 37 per row) are finer than 8 bits can hold.
    const deep = new Uint16Array(64 * 48 * 3);
    for (let y = 0; y < 48; y++) for (let x = 0; x < 64; x++) for (let c = 0; c < 3; c++) deep[3 * (y * 64 + x) + c] = 900 * x + 37 * y + 1000 * c;
    const sink = await openFrameSink(out, { width: 64, height: 48, depth: 16, fps: { num: 24000, den: 1001 }, codec: 'h265', pixFmt: 'yuv444p10le', crf: 0, preset: 'ultrafast' });
    for (let t = 0; t < 2; t++) await sink.write({ width: 64, height: 48, data: deep });
    await sink.finish();
    expect(await probe(out)).toMatchObject({ pixFmt: 'yuv444p10le', bitDepth: 10, fps: { num: 24000, den: 1001 }, frameCount: 2 });
    const back = await readAll(out, { depth: 16 });
    expect(back[0]!.data).toBeInstanceOf(Uint16Array);
    // Smaller error than the same frame rounded to 8 bits: the extra precision survived.
    const eightBit = Array.from(deep, (v) => Math.round(v / 257) * 257);
    expect(meanAbsDiff(back[0]!.data, deep)).toBeLessThan(meanAbsDiff(eightBit, deep));
  });

  it('pads odd sizes by one pixel with a warning, never an error', async () => {
    const { log, text } = captureLog();
    const out = join(dir, 'odd.mp4');
    const sink = await openFrameSink(out, { width: 63, height: 47, fps: { num: 30, den: 1 }, log, preset: 'ultrafast' });
    for (let t = 0; t < 3; t++) await sink.write(gradient(63, 47, t));
    await sink.finish();
    expect(text()).toMatch(/63x47 is odd-sized/);
    expect(await probe(out)).toMatchObject({ width: 64, height: 48, frameCount: 3 });
  });

  it('copies audio from the source file', async () => {
    const src = await makeTestClip(join(dir, 'with-audio.mp4'), { frames: 10, audio: true });
    const srcInfo = await probe(src);
    const out = join(dir, 'audio-out.mp4');
    const sink = await openFrameSink(out, { width: 64, height: 48, fps: { num: 210000, den: 1001 }, preset: 'ultrafast', audio: { path: src, codec: srcInfo.audioCodec } });
    const source = await openFrameSource(src);
    for await (const f of source) {
      for (let k = 0; k < 7; k++) await sink.write(f);
      f.release();
    }
    await sink.finish();
    expect(await probe(out)).toMatchObject({ hasAudio: true, audioCodec: 'aac', frameCount: 70 });
  });

  it('writes GIF and APNG previews', async () => {
    for (const name of ['p.gif', 'p.apng']) {
      const out = join(dir, name);
      const sink = await openFrameSink(out, { width: 64, height: 48, fps: { num: 10, den: 1 } });
      for (let t = 0; t < 4; t++) await sink.write(gradient(64, 48, t));
      await sink.finish();
      const frames = await readAll(out);
      expect(frames.length).toBe(4);
      expect(frames[0]).toMatchObject({ width: 64, height: 48 });
    }
    expect(await leftovers(dir)).toEqual([]);
  });
});

describe('PNG folders and images', () => {
  it('round-trips 8- and 16-bit frames losslessly through a {n:08d}.png folder', async () => {
    const out = join(dir, 'frames');
    const sink = await openPngFolderSink(out, { width: 8, height: 6, compressionLevel: 1 });
    const frames = Array.from({ length: 3 }, (_, t) => gradient(8, 6, t));
    for (const f of frames) await sink.write(f);
    await sink.finish();
    // the frames, and the marker that lets a later run replace the folder
    expect(await readdir(out)).toEqual([OUTPUT_MARKER, pngFrameName(0), pngFrameName(1), pngFrameName(2)]);
    expect(pngFrameName(12)).toBe('00000012.png');
    const back = await readAll(out, { fps: { num: 24000, den: 1001 } });
    back.forEach((f, i) => expect(Array.from(f.data)).toEqual(Array.from(frames[i]!.data)));
    expect(back[2]!.time).toBeCloseTo((2 * 1001) / 24000, 9);

    const out16 = join(dir, 'frames16');
    const data16 = Uint16Array.from({ length: 8 * 6 * 3 }, (_, i) => i * 1000);
    const s16 = await openPngFolderSink(out16, { width: 8, height: 6, depth: 16 });
    await s16.write({ width: 8, height: 6, data: data16 });
    await s16.finish();
    const b16 = await readAll(out16, { depth: 16 });
    expect(Array.from(b16[0]!.data)).toEqual(Array.from(data16));
  });

  it('replaces an existing output folder only when the new one is complete', async () => {
    const out = join(dir, 'frames');
    const sink = await openPngFolderSink(out, { width: 8, height: 6 });
    await sink.write(gradient(8, 6, 9));
    expect(await readdir(out)).toHaveLength(4); // old folder untouched until finish()
    await sink.finish();
    expect(await readdir(out)).toEqual([OUTPUT_MARKER, pngFrameName(0)]);
    expect(await leftovers(dir)).toEqual([]);
  });

  it('reads a folder in natural order and a single image', async () => {
    const folder = join(dir, 'natural');
    for (const [name, t] of [['f10.png', 10], ['f2.png', 2], ['f1.png', 1]] as const) await writePng(join(folder, name), gradient(8, 6, t));
    expect(naturalSort(['f10.png', 'f2.png', 'f1.png'])).toEqual(['f1.png', 'f2.png', 'f10.png']);
    const frames = await readAll(folder);
    expect(frames.map((f) => f.data[0])).toEqual([8, 16, 80]);
    const single = await openFrameSource(join(folder, 'f2.png'));
    expect(single.info).toMatchObject({ kind: 'image', frameCount: 1, width: 8, height: 6 });
    const one = await readAll(join(folder, 'f2.png'), { resize: { width: 4, height: 3 } });
    expect(one.map((f) => [f.width, f.height])).toEqual([[4, 3]]);
  });
});
