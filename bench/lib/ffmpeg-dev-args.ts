// ffmpeg argument builders used only by tests and benchmarks: a synthetic testsrc2 clip, and the
// decode-only / raw-file encode baselines the I/O benchmark compares the pipeline against.
import { buildEncodeArgs, COMMON_ARGS, formatRational, type EncodeArgsOptions, type RawPixFmt } from '../../pipeline/io/ffmpeg-args.js';
import type { Rational } from '../../pipeline/math/types.js';

/** ffmpeg: decode only, discarding frames (benchmark baseline); `pixFmt` adds the RGB conversion. */
export function buildNullDecodeArgs(input: string, pixFmt?: RawPixFmt): string[] {
  return [...COMMON_ARGS, '-v', 'error', '-i', input, '-map', '0:v:0', '-an', ...(pixFmt ? ['-pix_fmt', pixFmt] : []), '-f', 'null', '-'];
}

/** ffmpeg: encode a raw RGB file (benchmark baseline for the encoder sink). */
export function buildRawFileEncodeArgs(rawPath: string, o: EncodeArgsOptions): string[] {
  return buildEncodeArgs(o).map((a) => (a === 'pipe:0' ? rawPath : a));
}

/** ffmpeg: a synthetic test clip (testsrc2) of `frames` frames, for tests and benchmarks. */
export function buildTestClipArgs(o: {
  output: string; width: number; height: number; fps: Rational; frames: number; codec?: 'h264' | 'ffv1' | 'vp9';
  audio?: boolean; extra?: readonly string[];
}): string[] {
  const rate = formatRational(o.fps);
  const args = [...COMMON_ARGS, '-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${o.width}x${o.height}:rate=${rate}`];
  if (o.audio) args.push('-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000');
  args.push('-frames:v', String(o.frames));
  if (o.audio) args.push('-shortest');
  const codec = o.codec ?? 'h264';
  if (codec === 'h264') args.push('-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p');
  else if (codec === 'vp9') args.push('-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8');
  else args.push('-c:v', 'ffv1');
  if (o.audio) args.push('-c:a', 'aac');
  args.push(...(o.extra ?? []), o.output);
  return args;
}
