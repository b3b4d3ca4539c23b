// probe(): what a video is (size, exact frame rate, frame count, duration, rotation, audio,
// variable frame rate), via ffprobe. `interpretProbe` is the pure part, tested on literal JSON.
import { stat } from 'node:fs/promises';
import { CancelledError, cancelledBy, FfmpegError, InputError } from '../errors.js';
import type { Rational } from '../math/types.js';
import { buildCountPacketsArgs, buildPacketProbeArgs, buildProbeArgs, parseRational, rationalToNumber, reduceRational } from './ffmpeg-args.js';
import { runFfmpeg } from './ffmpeg-process.js';

/** Everything afb needs to know about a video file. */
export interface VideoInfo {
  readonly path: string;
  /** Size of the decoded frames (after rotation: a 90-degree video reports its displayed size). */
  readonly width: number;
  readonly height: number;
  /** Exact frame rate of the decoded (constant-rate) frames, e.g. {num: 30000, den: 1001}. */
  readonly fps: Rational;
  /** Number of frames decoding will produce. */
  readonly frameCount: number;
  /** True when frameCount comes from the container/packets, false when estimated from duration. */
  readonly frameCountExact: boolean;
  /** Seconds. */
  readonly duration: number;
  /** Display rotation in degrees (0, 90, 180, 270); ffmpeg applies it while decoding. */
  readonly rotation: number;
  readonly hasAudio: boolean;
  readonly audioCodec?: string;
  /** Variable frame rate input: frames are decoded at the constant `fps` (duplicated/dropped). */
  readonly variableFrameRate: boolean;
  readonly codec: string;
  readonly pixFmt: string;
  /** Bits per colour sample of the source (8, 10, 12, 16). */
  readonly bitDepth: number;
  readonly container: string;
  /** Human-readable notes (e.g. the VFR warning) for the caller to log. */
  readonly warnings: readonly string[];
}

/** Subset of ffprobe's JSON that afb reads. */
export interface ProbeJson {
  streams?: Array<Record<string, unknown> & { codec_type?: string; side_data_list?: Array<Record<string, unknown>>; tags?: Record<string, string> }>;
  format?: Record<string, unknown> & { format_name?: string; duration?: string };
}

/** Common frame rates: a variable-rate average within 1% of one of these is snapped to it. */
const STANDARD_RATES: readonly Rational[] = [
  { num: 24000, den: 1001 }, { num: 24, den: 1 }, { num: 25, den: 1 }, { num: 30000, den: 1001 }, { num: 30, den: 1 },
  { num: 48, den: 1 }, { num: 50, den: 1 }, { num: 60000, den: 1001 }, { num: 60, den: 1 }, { num: 120, den: 1 },
];

/** Containers ffprobe reports for still images: those are not videos. */
const IMAGE_FORMATS = /^(image2|png_pipe|jpeg_pipe|bmp_pipe|webp_pipe|tiff_pipe|gif_pipe|.*_pipe)$/;

/** Constant rate to decode variable-frame-rate input at: the average, snapped to a standard rate. */
export function chooseConstantRate(avg: Rational): Rational {
  const v = rationalToNumber(avg);
  for (const r of STANDARD_RATES) if (Math.abs(rationalToNumber(r) - v) / v < 0.01) return r;
  return reduceRational({ num: Math.max(1, Math.round(v * 1000)), den: 1000 });
}

/** True when packet timestamps (in seconds, any order) are not evenly spaced at `fps`. */
export function hasVariableSpacing(times: readonly number[], fps: Rational, timeBase: number): boolean {
  const all = [...times].filter(Number.isFinite).sort((a, b) => a - b);
  // The first N packets in decode order are not the first N presentation times when B-frames
  // reorder them: the latest few may skip a frame that follows in the next packets. Ignore the
  // top of the range (x264's reorder depth is at most 16 frames).
  const sorted = all.length >= 8 ? all.slice(0, all.length - Math.min(16, Math.floor(all.length / 4))) : all;
  if (sorted.length < 3) return false;
  const expected = fps.den / fps.num;
  // Allow 1.5 time-base ticks (e.g. 33/34 ms at 29.97 in a 1/1000 time base) or 1%.
  const tolerance = Math.max(1.5 * timeBase, 0.01 * expected);
  for (let i = 1; i < sorted.length; i++) {
    if (Math.abs(sorted[i]! - sorted[i - 1]! - expected) > tolerance) return true;
  }
  return false;
}

/** First column of ffprobe's csv packet listing as seconds; blank and N/A lines skipped. */
export function parsePacketTimes(csv: string): number[] {
  return csv.split('\n').map((l) => l.split(',')[0]!.trim()).filter((t) => t !== '' && t !== 'N/A').map(Number).filter(Number.isFinite);
}

function num(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

function rotationOf(stream: NonNullable<ProbeJson['streams']>[number]): number {
  const side = stream.side_data_list?.find((s) => s['rotation'] !== undefined);
  const raw = num(side?.['rotation']) ?? num(stream.tags?.['rotate']) ?? 0;
  return ((Math.round(raw / 90) * 90) % 360 + 360) % 360;
}

/**
 * Turn ffprobe output into VideoInfo (pure). `packetTimes` are the first packets' timestamps
 * in seconds; `packetCount` is a counted frame total for containers without nb_frames.
 * @throws InputError for no video stream, a still image, zero dimensions or zero frames.
 */
export function interpretProbe(path: string, json: ProbeJson, extra: { packetTimes?: readonly number[]; packetCount?: number } = {}): VideoInfo {
  const streams = json.streams ?? [];
  const video = streams.find((s) => s.codec_type === 'video' && !(s['disposition'] as Record<string, number> | undefined)?.['attached_pic']);
  const container = json.format?.format_name ?? 'unknown';
  if (!video) throw new InputError(path, 'Not a video: no video stream found');
  if (IMAGE_FORMATS.test(container)) throw new InputError(path, `Not a video: a still image (${container})`);
  const codedW = num(video['width']) ?? 0;
  const codedH = num(video['height']) ?? 0;
  if (codedW <= 0 || codedH <= 0) throw new InputError(path, `Video has zero dimensions (${codedW}x${codedH})`);
  const rotation = rotationOf(video);
  const [width, height] = rotation % 180 === 90 ? [codedH, codedW] : [codedW, codedH];
  const rRate = parseRational(video['r_frame_rate'] as string | undefined);
  const avgRate = parseRational(video['avg_frame_rate'] as string | undefined);
  const nominal = avgRate ?? rRate;
  if (!nominal) throw new InputError(path, 'Video has no frame rate');
  const timeBase = parseRational(video['time_base'] as string | undefined);
  const tb = timeBase ? rationalToNumber(timeBase) : 1e-6;
  const ratesDiffer = rRate !== undefined && avgRate !== undefined && Math.abs(rationalToNumber(rRate) / rationalToNumber(avgRate) - 1) > 0.01;
  const spacingVaries = extra.packetTimes !== undefined && hasVariableSpacing(extra.packetTimes, rRate ?? nominal, tb);
  const variableFrameRate = ratesDiffer || spacingVaries;
  const fps = variableFrameRate ? chooseConstantRate(avgRate ?? nominal) : (rRate ?? nominal);
  const duration = num(video['duration']) ?? num(json.format?.duration) ?? 0;
  const nbFrames = num(video['nb_frames']);
  let frameCount: number;
  let frameCountExact = true;
  if (extra.packetCount === 0) frameCount = 0; // demuxing found no video packet: only a header
  else if (variableFrameRate || nbFrames === undefined || nbFrames <= 0) {
    if (!variableFrameRate && extra.packetCount !== undefined) frameCount = extra.packetCount;
    else {
      frameCount = Math.round(duration * rationalToNumber(fps));
      frameCountExact = false;
    }
  } else frameCount = nbFrames;
  if (frameCount <= 0) throw new InputError(path, 'Video has zero frames');
  const audio = streams.find((s) => s.codec_type === 'audio');
  const fmtBits = /(9|1[0246])(le|be)$/.exec(String(video['pix_fmt']))?.[1];
  const bitDepth = num(video['bits_per_raw_sample']) ?? (fmtBits ? Number(fmtBits) : 8);
  const warnings: string[] = [];
  if (variableFrameRate) {
    warnings.push(`${path} has a variable frame rate (average ${avgRate ? `${avgRate.num}/${avgRate.den}` : '?'} fps); decoding at a constant ${fps.num}/${fps.den} fps (frames are duplicated or dropped to keep the timing)`);
  }
  return {
    path, width, height, fps, frameCount, frameCountExact, duration, rotation,
    hasAudio: audio !== undefined, audioCodec: audio?.['codec_name'] as string | undefined,
    variableFrameRate, codec: String(video['codec_name'] ?? 'unknown'), pixFmt: String(video['pix_fmt'] ?? 'unknown'),
    bitDepth, container, warnings,
  };
}

/** Options of probe(). */
export interface ProbeOptions {
  readonly signal?: AbortSignal;
  /** Packets read to detect variable frame rate (default 240, about 8 s at 30 fps). */
  readonly vfrPackets?: number;
}

/**
 * Probe a video file with ffprobe.
 * @throws InputError (missing file, not a video, zero frames/dimensions), FfmpegNotFoundError.
 */
export async function probe(path: string, options: ProbeOptions = {}): Promise<VideoInfo> {
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new InputError(path, 'Input is not a file');
  } catch (cause) {
    if (cause instanceof InputError) throw cause;
    throw new InputError(path, 'Input not found', { cause });
  }
  // Both ffprobe runs at once: opening a source costs one process start, not two.
  const packetRun = runFfmpeg('ffprobe', buildPacketProbeArgs(path, options.vfrPackets ?? 240), { signal: options.signal }).then(
    (r) => {
      const text = r.stdout.toString('utf8');
      // lines, not parsed times: packets without timestamps (N/A) are packets all the same
      return { times: parsePacketTimes(text), packets: text.split('\n').filter((l) => l.trim() !== '').length };
    },
    () => undefined,
  );
  let json: ProbeJson;
  try {
    const { stdout } = await runFfmpeg('ffprobe', buildProbeArgs(path), { signal: options.signal });
    json = JSON.parse(stdout.toString('utf8')) as ProbeJson;
  } catch (cause) {
    await packetRun;
    if (cause instanceof CancelledError || (cause instanceof FfmpegError && cause.name === 'FfmpegNotFoundError')) throw cause;
    const detail = cause instanceof FfmpegError ? cause.stderrTail.trim().split('\n').pop() : (cause as Error).message;
    throw new InputError(path, `Not a video: ffprobe cannot read it (${detail})`, { cause });
  }
  const packetRead = await packetRun;
  const packetTimes = packetRead?.times;
  if (options.signal?.aborted) throw cancelledBy(options.signal);
  const video = json.streams?.find((s) => s.codec_type === 'video');
  let packetCount: number | undefined;
  const nb = num(video?.['nb_frames']);
  // No packet at all in the first ones read (a header-only file): zero frames, whatever the
  // header's duration says (ffprobe's packet count prints N/A then, not 0).
  if (video && packetRead?.packets === 0) packetCount = 0;
  else if (video && (nb === undefined || nb <= 0)) {
    const counted = await runFfmpeg('ffprobe', buildCountPacketsArgs(path), { signal: options.signal });
    packetCount = num(counted.stdout.toString('utf8').trim());
  }
  return interpretProbe(path, json, { packetTimes, packetCount });
}
