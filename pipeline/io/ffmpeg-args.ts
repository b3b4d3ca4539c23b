// Pure builders of ffmpeg/ffprobe argument lists (tested without running ffmpeg); the exact
// frame-rate rationals are re-exported from math/rational.ts. Nothing here starts a process.
import { DEFAULT_CRF, MAX_CRF, type PixFmt, type Preset, type VideoCodec } from '../../configs/codec-options.js';
import { InvalidOptionError } from '../errors.js';
import type { Rational } from '../math/types.js';
import { formatRational, rationalToNumber, reduceRational } from '../math/rational.js';

export { formatRational, parseRational, rationalToNumber, reduceRational, scaleRational } from '../math/rational.js';

/** Raw pixel layout exchanged with ffmpeg: 8-bit or 16-bit (little-endian) interleaved RGB. */
export type RawPixFmt = 'rgb24' | 'rgb48le';

/** Raw pixel format for a bit depth. */
export function rawPixFmtFor(depth: 8 | 16): RawPixFmt {
  return depth === 16 ? 'rgb48le' : 'rgb24';
}

/** Bytes of one raw RGB frame. */
export function frameByteLength(width: number, height: number, depth: 8 | 16): number {
  return width * height * 3 * (depth === 16 ? 2 : 1);
}

/** Flags every ffmpeg/ffprobe call starts with: no banner, never read stdin. */
export const COMMON_ARGS = ['-hide_banner', '-nostdin'] as const;

/** ffprobe: every stream and the container, as JSON. */
export function buildProbeArgs(input: string): string[] {
  return ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', input];
}

/** ffprobe: the first `count` video packets' timestamps (to detect variable frame rate). */
export function buildPacketProbeArgs(input: string, count: number): string[] {
  // -read_intervals %+#N reads only the first N packets: cheap even on long files.
  return ['-v', 'error', '-select_streams', 'v:0', '-read_intervals', `%+#${count}`, '-show_entries', 'packet=pts_time,dts_time', '-of', 'csv=p=0', input];
}

/** ffprobe: count the video packets by demuxing the whole file (for containers without nb_frames). */
export function buildCountPacketsArgs(input: string): string[] {
  return ['-v', 'error', '-select_streams', 'v:0', '-count_packets', '-show_entries', 'stream=nb_read_packets', '-of', 'csv=p=0', input];
}

/** What to decode and how. */
export interface DecodeArgsOptions {
  readonly input: string;
  readonly depth: 8 | 16;
  /** Seek to this many seconds before decoding. */
  readonly start?: number;
  /** Decode at most this many seconds. */
  readonly duration?: number;
  /** Decode at most this many frames. */
  readonly maxFrames?: number;
  /** Resize every frame to exactly this size (see ResizeSpec for the aspect-ratio handling). */
  readonly resize?: ResizeSpec;
  /** Force constant frame rate at this rate (variable-frame-rate input). */
  readonly constantFps?: Rational;
  /** Stop at the first decode error (default true) so corrupt input is reported, not hidden. */
  readonly strict?: boolean;
}

/**
 * A target frame size. fit 'cover' (default) scales to cover the size keeping the aspect ratio and
 * crops the excess around the centre; 'stretch' scales each axis independently (distorts when the
 * aspect ratios differ).
 */
export interface ResizeSpec {
  readonly width: number;
  readonly height: number;
  readonly fit?: 'cover' | 'stretch';
}

/** ffmpeg filter(s) for a resize. */
export function resizeFilter(r: ResizeSpec): string {
  if ((r.fit ?? 'cover') === 'stretch') return `scale=${r.width}:${r.height}:flags=bicubic`;
  // crop=W:H centres by default; setsar=1 keeps square pixels after the crop
  return `scale=${r.width}:${r.height}:force_original_aspect_ratio=increase:flags=bicubic,crop=${r.width}:${r.height},setsar=1`;
}

/** ffmpeg: decode the first video stream to raw RGB on stdout. */
export function buildDecodeArgs(o: DecodeArgsOptions): string[] {
  const args: string[] = [...COMMON_ARGS, '-v', 'error'];
  // -xerror: exit non-zero on the first decode/demux error instead of concealing it.
  if (o.strict ?? true) args.push('-xerror');
  // -ss before -i: fast keyframe seek, then ffmpeg decodes up to the exact time.
  if (o.start !== undefined && o.start > 0) args.push('-ss', String(o.start));
  args.push('-i', o.input);
  if (o.duration !== undefined) args.push('-t', String(o.duration));
  args.push('-map', '0:v:0');
  const filters: string[] = [];
  // fps filter (not -r/-vsync, whose names changed between ffmpeg 4 and 5) gives constant rate.
  if (o.constantFps) filters.push(`fps=${formatRational(o.constantFps)}`);
  if (o.resize) filters.push(resizeFilter(o.resize));
  if (filters.length) args.push('-vf', filters.join(','));
  if (o.maxFrames !== undefined) args.push('-frames:v', String(o.maxFrames));
  // -an -sn -dn: video only on the pipe.
  args.push('-an', '-sn', '-dn', '-f', 'rawvideo', '-pix_fmt', rawPixFmtFor(o.depth), 'pipe:1');
  return args;
}

/** Audio to copy into an encoded video. */
export interface AudioSource {
  readonly path: string;
  /** Start of the audio to use, seconds (match the video source's start). */
  readonly start?: number;
  /** Length of the audio to use, seconds. */
  readonly duration?: number;
  /** Codec of the source audio (from probe), used to decide copy vs re-encode. */
  readonly codec?: string;
}

/** Encoder settings. */
export interface EncodeArgsOptions {
  readonly output: string;
  readonly width: number;
  readonly height: number;
  readonly depth: 8 | 16;
  readonly fps: Rational;
  readonly codec: VideoCodec;
  /** -1 or undefined: the codec's default. */
  readonly crf?: number;
  readonly preset: Preset;
  readonly pixFmt: PixFmt;
  readonly audio?: AudioSource;
}

/** Containers (by file extension) each codec may go into. */
const CONTAINERS: Record<VideoCodec, readonly string[]> = {
  h264: ['mp4', 'mkv', 'mov'],
  h265: ['mp4', 'mkv', 'mov'],
  vp9: ['webm', 'mkv', 'mp4'],
};

/** Audio codecs that can be stream-copied into mp4/mov. */
const MP4_AUDIO = new Set(['aac', 'mp3', 'ac3', 'eac3', 'alac', 'opus', 'flac']);

/** Refuse a video output whose extension does not hold `codec` (InvalidOptionError naming `flag` and the path). */
export function checkVideoContainer(codec: VideoCodec, output: string, flag = 'output file'): void {
  const container = extensionOf(output);
  if (!CONTAINERS[codec].includes(container)) {
    throw new InvalidOptionError(flag, `a .${CONTAINERS[codec].join('/.')} file for codec ${codec} (or a folder for PNG frames)`, output);
  }
}

/** Lower-case extension without the dot ('' if none). */
export function extensionOf(path: string): string {
  const base = path.split(/[\\/]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}

/** True when 4:2:0/4:2:2 chroma needs even dimensions and the frame is odd-sized. */
export function needsEvenPadding(width: number, height: number, pixFmt: PixFmt): boolean {
  if (pixFmt.startsWith('yuv420')) return width % 2 === 1 || height % 2 === 1;
  if (pixFmt.startsWith('yuv422')) return width % 2 === 1;
  return false;
}

/** The CRF actually used: the explicit one, else the codec's default; validated per codec. */
export function resolveCrf(codec: VideoCodec, crf: number | undefined): number {
  if (crf === undefined || crf === -1) return DEFAULT_CRF[codec];
  if (!Number.isInteger(crf) || crf < 0 || crf > MAX_CRF[codec]) {
    throw new InvalidOptionError('--crf', `an integer in [0, ${MAX_CRF[codec]}] for ${codec}`, crf, 'range');
  }
  return crf;
}

/** libvpx has no x264 presets: map them to deadline + cpu-used (higher cpu-used = faster). */
function vp9Speed(preset: Preset): string[] {
  const table: Record<Preset, [string, number]> = {
    ultrafast: ['realtime', 8], superfast: ['realtime', 7], veryfast: ['good', 5], faster: ['good', 4],
    fast: ['good', 3], medium: ['good', 2], slow: ['good', 1], slower: ['good', 0], veryslow: ['best', 0],
  };
  const [deadline, cpuUsed] = table[preset];
  return ['-deadline', deadline, '-cpu-used', String(cpuUsed)];
}

function videoCodecArgs(o: EncodeArgsOptions, crf: number, container: string): string[] {
  switch (o.codec) {
    case 'h264':
      return ['-c:v', 'libx264', '-preset', o.preset, '-crf', String(crf)];
    case 'h265': {
      // hvc1 tag: QuickTime/Safari only play HEVC in mp4/mov tagged hvc1; log-level=error: x265 is chatty.
      const tag = container === 'mkv' ? [] : ['-tag:v', 'hvc1'];
      return ['-c:v', 'libx265', '-preset', o.preset, '-crf', String(crf), '-x265-params', 'log-level=error', ...tag];
    }
    case 'vp9':
      // -b:v 0 makes libvpx use pure constant-quality (CRF) mode; row-mt: multithreaded rows.
      return ['-c:v', 'libvpx-vp9', '-crf', String(crf), '-b:v', '0', ...vp9Speed(o.preset), '-row-mt', '1'];
  }
}

/** ffmpeg: encode raw RGB frames from stdin to a video file at an exact rational rate. */
export function buildEncodeArgs(o: EncodeArgsOptions): string[] {
  if (!Number.isInteger(o.width) || !Number.isInteger(o.height) || o.width < 1 || o.height < 1) {
    throw new RangeError(`Invalid frame size ${o.width}x${o.height}`);
  }
  checkVideoContainer(o.codec, o.output);
  const container = extensionOf(o.output);
  const crf = resolveCrf(o.codec, o.crf);
  const fps = reduceRational(o.fps);
  const args: string[] = [...COMMON_ARGS, '-v', 'error', '-y'];
  // -framerate on the rawvideo input sets exact timestamps (no rounding to a decimal rate).
  args.push('-f', 'rawvideo', '-pix_fmt', rawPixFmtFor(o.depth), '-s', `${o.width}x${o.height}`, '-framerate', formatRational(fps), '-i', 'pipe:0');
  if (o.audio) {
    if (o.audio.start !== undefined && o.audio.start > 0) args.push('-ss', String(o.audio.start));
    if (o.audio.duration !== undefined) args.push('-t', String(o.audio.duration));
    args.push('-i', o.audio.path);
  }
  // '?': a source without audio is not an error.
  args.push('-map', '0:v:0');
  if (o.audio) args.push('-map', '1:a:0?');
  const filters: string[] = [];
  // 4:2:0 needs even sizes: add one black row/column (the caller warns) instead of failing.
  if (needsEvenPadding(o.width, o.height, o.pixFmt)) filters.push('pad=ceil(iw/2)*2:ceil(ih/2)*2');
  // Convert with the BT.709 matrix in limited range and tag the stream so players agree.
  filters.push(`scale=out_color_matrix=bt709:out_range=tv`, `format=${o.pixFmt}`);
  args.push('-vf', filters.join(','));
  args.push(...videoCodecArgs(o, crf, container), '-pix_fmt', o.pixFmt);
  args.push('-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709', '-color_range', 'tv');
  if (o.audio) {
    const copyOk = container === 'mkv' || (container !== 'webm' && o.audio.codec !== undefined && MP4_AUDIO.has(o.audio.codec));
    if (copyOk) args.push('-c:a', 'copy');
    else if (container === 'webm') args.push('-c:a', 'libopus', '-b:a', '128k');
    else args.push('-c:a', 'aac', '-b:a', '192k');
  }
  // faststart: moov atom first, so the file plays while downloading.
  if (container === 'mp4' || container === 'mov') args.push('-movflags', '+faststart');
  args.push(o.output);
  return args;
}

/** Preview animation settings (short clips). */
export interface PreviewArgsOptions {
  readonly output: string;
  readonly format: 'gif' | 'apng';
  readonly width: number;
  readonly height: number;
  readonly depth: 8 | 16;
  readonly fps: Rational;
  /** Downscale wider frames to this width (keeps aspect). */
  readonly maxWidth?: number;
}

/** GIF delays are in 1/100 s: faster than 50 fps plays wrong in browsers, so GIFs are capped. */
export const GIF_MAX_FPS = 50;

/** ffmpeg: encode raw RGB frames from stdin to an animated GIF or APNG (loops forever). */
export function buildPreviewArgs(o: PreviewArgsOptions): string[] {
  const fps = reduceRational(o.fps);
  const args: string[] = [...COMMON_ARGS, '-v', 'error', '-y'];
  args.push('-f', 'rawvideo', '-pix_fmt', rawPixFmtFor(o.depth), '-s', `${o.width}x${o.height}`, '-framerate', formatRational(fps), '-i', 'pipe:0');
  const filters: string[] = [];
  if (o.format === 'gif' && rationalToNumber(fps) > GIF_MAX_FPS) filters.push(`fps=${GIF_MAX_FPS}`);
  if (o.maxWidth !== undefined && o.width > o.maxWidth) filters.push(`scale=${o.maxWidth}:-2:flags=lanczos`);
  if (o.format === 'gif') {
    // One palette for the clip (stats_mode=diff favours moving parts), ordered dither: small files.
    const pre = filters.length ? `${filters.join(',')},` : '';
    args.push('-filter_complex', `${pre}split[a][b];[a]palettegen=stats_mode=diff[p];[b][p]paletteuse=dither=bayer:bayer_scale=3`);
    args.push('-loop', '0', '-f', 'gif', o.output);
  } else {
    if (filters.length) args.push('-vf', filters.join(','));
    // -plays 0: loop forever.
    args.push('-pix_fmt', 'rgb24', '-plays', '0', '-f', 'apng', o.output);
  }
  return args;
}
