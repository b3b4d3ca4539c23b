// Awkward and broken inputs for the bad-input suites, all made here (ffmpeg's test sources,
// sharp, byte surgery), so no media file is committed: tiny clips, a text file named .mp4, a cut
// file, audio only, a header-only Matroska file, variable frame rate, rotation, alpha, 16 bits.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { runFfmpeg } from '../../pipeline/io/ffmpeg-process.js';
import { makeTestClip } from './media.js';

/** ffmpeg with the quiet flags every fixture uses. */
async function ffmpeg(args: string[]): Promise<void> {
  await runFfmpeg('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args]);
}

/** A PNG of a smooth gradient (RGB, or RGBA with `alpha`, 8 or 16 bits). */
export async function makePng(path: string, width: number, height: number, o: { alpha?: boolean; bits16?: boolean; shift?: number } = {}): Promise<string> {
  const c = o.alpha ? 4 : 3;
  const data = Buffer.alloc(width * height * c);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * c;
      data[i] = (x * 4 + (o.shift ?? 0)) & 255;
      data[i + 1] = (y * 5) & 255;
      data[i + 2] = ((x + y) * 3) & 255;
      if (o.alpha) data[i + 3] = 128;
    }
  }
  let img = sharp(data, { raw: { width, height, channels: c } });
  if (o.bits16) img = img.toColourspace('rgb16');
  await img.png().toFile(path);
  return path;
}

/** Read Matroska's variable-length integer at `i`: value (marker kept for IDs) and length. */
function vint(b: Uint8Array, i: number, keepMarker: boolean): [number, number] {
  let len = 1;
  let mask = 0x80;
  while (len <= 8 && !(b[i]! & mask)) {
    mask >>= 1;
    len++;
  }
  let v = keepMarker ? b[i]! : b[i]! & (mask - 1);
  for (let k = 1; k < len; k++) v = v * 256 + b[i + k]!;
  return [v, len];
}

const SEGMENT = 0x18538067;
const KEEP = new Set([0x1549a966, 0x1654ae6b]); // Info (with the duration), Tracks

/**
 * A Matroska file with its header and tracks (and a duration of a second) but no frame: the
 * Segment keeps only Info and Tracks, then one empty Cluster.
 */
export async function makeHeaderOnlyMkv(dir: string): Promise<string> {
  const full = await makeTestClip(join(dir, 'full-for-header.mkv'), { width: 64, height: 48, fps: { num: 24, den: 1 }, frames: 24 });
  const b = new Uint8Array(await readFile(full));
  const [, idLen] = vint(b, 0, true);
  const [ebmlSize, sizeLen] = vint(b, idLen, false);
  const out: number[] = [...b.subarray(0, idLen + sizeLen + ebmlSize)];
  let i = idLen + sizeLen + ebmlSize;
  const [segId, segIdLen] = vint(b, i, true);
  if (segId !== SEGMENT) throw new Error('not a Matroska segment');
  const [, segSizeLen] = vint(b, i + segIdLen, false);
  out.push(...b.subarray(i, i + segIdLen), 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff); // size: unknown
  i += segIdLen + segSizeLen;
  while (i < b.length) {
    const [id, l] = vint(b, i, true);
    const [size, sl] = vint(b, i + l, false);
    const end = i + l + sl + size;
    if (KEEP.has(id)) out.push(...b.subarray(i, end));
    i = end;
  }
  out.push(0x1f, 0x43, 0xb6, 0x75, 0x83, 0xe7, 0x81, 0x00); // an empty Cluster (timestamp 0)
  const path = join(dir, 'header-only.mkv');
  await writeFile(path, Uint8Array.from(out));
  return path;
}

/** The awkward inputs, made once into `dir`. */
export interface AwkwardMedia {
  readonly clip: string;
  readonly text: string;
  readonly empty: string;
  readonly truncated: string;
  readonly cutMidStream: string;
  readonly audioOnly: string;
  readonly headerOnly: string;
  readonly vfr: string;
  readonly rotated: string;
  readonly rgba: string;
  readonly odd: string;
  readonly uhd: string;
  readonly single: string;
}

/** Make every awkward input (a few seconds of ffmpeg on tiny frames). */
export async function makeAwkwardMedia(dir: string): Promise<AwkwardMedia> {
  const clip = await makeTestClip(join(dir, 'clip.mp4'), { width: 64, height: 48, frames: 6 });
  const text = join(dir, 'notes.mp4');
  await writeFile(text, 'these are notes, not a video\n'.repeat(20));
  const empty = join(dir, 'empty.mp4');
  await writeFile(empty, '');
  // moov at the end (no faststart): the first 40% has no index at all
  const truncated = join(dir, 'truncated.mp4');
  await writeFile(truncated, (await readFile(clip)).subarray(0, Math.floor((await readFile(clip)).length * 0.4)));
  const full = await makeTestClip(join(dir, 'full.mp4'), { width: 64, height: 48, frames: 40, extra: ['-g', '5', '-movflags', '+faststart'] });
  const cutMidStream = join(dir, 'cut.mp4');
  const bytes = await readFile(full);
  await writeFile(cutMidStream, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
  const audioOnly = join(dir, 'audio-only.mp4');
  await ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=0.5', '-c:a', 'aac', audioOnly]);
  const headerOnly = await makeHeaderOnlyMkv(dir);
  // frames 5.. arrive twice as slowly: a genuinely variable rate
  const vfr = await makeTestClip(join(dir, 'vfr.mkv'), { fps: { num: 30, den: 1 }, frames: 12, codec: 'ffv1', extra: ['-vf', "setpts='if(lt(N,5),N,2*N-5)/(30*TB)'", '-fps_mode', 'vfr'] });
  const rotated = join(dir, 'rotated.mp4');
  await ffmpeg(['-i', clip, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', rotated]);
  const rgba = join(dir, 'rgba.mov');
  await ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=64x48:rate=24', '-frames:v', '4', '-vf', 'format=rgba', '-c:v', 'png', rgba]);
  // testsrc (not testsrc2, which rounds 4:2:0 sizes down to even) in RGB keeps 65x49
  const odd = join(dir, 'odd.mkv');
  await ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=65x49:rate=24', '-frames:v', '4', '-c:v', 'ffv1', '-pix_fmt', 'bgr0', odd]);
  const uhd = await makeTestClip(join(dir, 'uhd.mp4'), { width: 3840, height: 2160, frames: 2 });
  const single = await makeTestClip(join(dir, 'single.mp4'), { width: 64, height: 48, frames: 1 });
  return { clip, text, empty, truncated, cutMidStream, audioOnly, headerOnly, vfr, rotated, rgba, odd, uhd, single };
}
