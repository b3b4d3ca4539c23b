// The first step of a conversion, done before the worker pool starts: open the input (probe only,
// no decoding), make its motion source (the predictor or RAFT is loaded; a guidance file is read
// and checked against the frame size), check the method can use it, and say what the conversion
// will drop.
import { AfbError } from '../errors.js';
import { openFrameSource, type FrameSource } from '../io/frame-source.js';
import { readGuidanceFile, type MotionSource } from '../motion/source.js';
import type { VideoDeps, VideoJob } from './job.js';

/** An input opened and checked before the worker pool starts: its frames and its motion. */
export interface PreparedInput {
  readonly frames: FrameSource;
  readonly motion: MotionSource;
}

/** Pixel formats with an alpha channel (ffmpeg names). */
const ALPHA_PIX_FMT = /^(rgba|bgra|argb|abgr|ya|yuva|gbrap|rgba64|bgra64|pal8)/;

/** Open and check one input (see the file comment); every failure here comes before any worker or ffmpeg decoder starts. */
export async function prepareInput(job: VideoJob, deps: Pick<VideoDeps, 'createMotion' | 'log' | 'signal'>, guidanceFile?: string): Promise<PreparedInput> {
  const { log, signal } = deps;
  const frames = await openFrameSource(job.input, {
    depth: 8,
    ...(job.start !== undefined ? { start: job.start } : {}),
    ...(job.duration !== undefined ? { duration: job.duration } : {}),
    ...(job.maxFrames !== undefined ? { maxFrames: job.maxFrames } : {}),
    ...(job.fps ? { fps: job.fps } : {}),
    ...(signal ? { signal } : {}),
    log,
  });
  let motion: MotionSource | undefined;
  try {
    const { width, height, video } = frames.info;
    if (video && ALPHA_PIX_FMT.test(video.pixFmt)) log.warn(`${job.input}: the alpha channel (${video.pixFmt}) is dropped: afb works on RGB and writes opaque frames`);
    if (video && video.bitDepth > 8) log.warn(`${job.input}: ${video.bitDepth}-bit samples are processed and written at 8 bits`);
    // A guidance file is read per frame size later; read it now too, so that one that does not fit fails here.
    if (guidanceFile) await readGuidanceFile(guidanceFile, width, height);
    motion = await deps.createMotion();
    if (job.method !== 'guidance' && !motion.knowsMotion) {
      throw new AfbError(`--method ${job.method} needs to know how far things moved, but ${motion.description} gives directions only: use --guidance video or --method guidance`);
    }
    return { frames, motion };
  } catch (error) {
    await motion?.release().catch(() => undefined);
    await frames.close().catch(() => undefined);
    throw error;
  }
}
