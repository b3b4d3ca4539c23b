// Frame source for any video ffmpeg can read: ffmpeg decodes to raw RGB on a pipe, and
// rawToFrames cuts the byte stream into pooled frame buffers.
import { CancelledError, CorruptInputError, FfmpegError, InputError } from '../errors.js';
import type { Rational } from '../math/types.js';
import { BufferPool } from './buffer-pool.js';
import { resolveBinary } from './ffmpeg-binaries.js';
import { buildDecodeArgs, frameByteLength, rationalToNumber } from './ffmpeg-args.js';
import { startFfmpeg, type FfmpegProcess } from './ffmpeg-process.js';
import { validateSourceOptions, type Frame, type FrameSource, type FrameSourceInfo, type FrameSourceOptions } from './frame-source-types.js';
import { probe, type VideoInfo } from './probe.js';
import { PartialFrameError, rawToFramesAhead } from './raw-to-frames.js';

/**
 * Shortfall tolerated without error when ffmpeg itself finished cleanly: container frame
 * counts can exceed decodable frames by one or two (edit lists, B-frame priming).
 */
const FRAME_COUNT_SLACK = 2;

/** ffmpeg stderr lines that mean the input is damaged even when ffmpeg exits with 0. */
const TRUNCATION_MARKERS = /ended prematurely|partial file|Invalid data found|corrupt input/i;

/** Frames delivered for a trimmed range: exact only when nothing but maxFrames trims. */
function expectedFrames(info: VideoInfo, o: FrameSourceOptions): { count: number; exact: boolean } {
  const fps = rationalToNumber(info.fps);
  let count = info.frameCount;
  let exact = info.frameCountExact;
  if (o.start !== undefined && o.start > 0) {
    count = Math.max(0, count - Math.round(o.start * fps));
    exact = false;
  }
  if (o.duration !== undefined) {
    const inRange = Math.round(o.duration * fps);
    if (inRange < count) exact = false;
    count = Math.min(count, inRange);
  }
  if (o.maxFrames !== undefined) count = Math.min(count, o.maxFrames);
  return { count, exact };
}

function frameView(buf: Uint8Array, depth: 8 | 16): Uint8Array | Uint16Array {
  return depth === 16 ? new Uint16Array(buf.buffer, buf.byteOffset, buf.byteLength / 2) : buf;
}

/**
 * Open a video as a frame source (probes it first).
 * @throws InputError (missing, not a video, zero frames/dimensions), FfmpegNotFoundError.
 * Iterating throws CorruptInputError naming the frame index when decoding breaks early.
 */
export async function openVideoSource(path: string, options: FrameSourceOptions = {}): Promise<FrameSource> {
  validateSourceOptions(options);
  // Fail on a missing ffmpeg before probing/iterating, with the typed error.
  resolveBinary('ffmpeg');
  const video = options.probed?.path === path ? options.probed : await probe(path, { signal: options.signal });
  for (const w of video.warnings) options.log?.warn(w);
  const depth = options.depth ?? 8;
  const width = options.resize?.width ?? video.width;
  const height = options.resize?.height ?? video.height;
  const expected = expectedFrames(video, options);
  if (expected.count <= 0) throw new InputError(path, `Zero frames in the selected range (start ${options.start ?? 0} s of a ${video.duration} s video)`);
  const info: FrameSourceInfo = {
    kind: 'video', path, width, height, depth, fps: video.fps, frameCount: expected.count, start: options.start ?? 0, video,
  };
  return new VideoFrameSource(info, video, options);
}

class VideoFrameSource implements FrameSource {
  private proc: FfmpegProcess | undefined;
  private started = false;
  constructor(
    readonly info: FrameSourceInfo,
    private readonly video: VideoInfo,
    private readonly options: FrameSourceOptions,
  ) {}

  async close(): Promise<void> {
    await this.proc?.kill();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Frame, void, undefined> {
    if (this.started) throw new Error('A FrameSource can be iterated only once; open the input again');
    this.started = true;
    const { info, video, options } = this;
    const path = info.path;
    const fps: Rational = info.fps;
    const args = buildDecodeArgs({
      input: path, depth: info.depth, start: options.start, duration: options.duration, maxFrames: options.maxFrames,
      resize: options.resize, constantFps: video.variableFrameRate ? fps : undefined, strict: options.strict,
    });
    const pool = new BufferPool(frameByteLength(info.width, info.height, info.depth), options.poolSize ?? 8);
    const proc = startFfmpeg('ffmpeg', args, { signal: options.signal, stdout: 'pipe' });
    this.proc = proc;
    let index = 0;
    let finished = false;
    try {
      let streamError: unknown;
      try {
        for await (const buf of rawToFramesAhead(proc.stdout!, pool.byteLength, () => pool.acquire(), options.readAhead ?? 2)) {
          let released = false;
          const frame: Frame = {
            index, width: info.width, height: info.height, data: frameView(buf, info.depth),
            time: info.start + (index * fps.den) / fps.num,
            release: () => {
              if (!released) pool.release(buf);
              released = true;
            },
          };
          index++;
          yield frame;
        }
      } catch (error) {
        streamError = error;
      }
      try {
        await proc.done;
      } catch (error) {
        if (error instanceof CancelledError) throw error;
        const reason = error instanceof FfmpegError ? lastLine(error.stderrTail) : String(error);
        throw new CorruptInputError(path, index, `Video is corrupt or truncated: decoding failed (${reason})`, { cause: error });
      }
      finished = true;
      // Some demuxers (Matroska) report a cut-off file on stderr but still exit with 0.
      if ((options.strict ?? true) && TRUNCATION_MARKERS.test(proc.stderrTail())) {
        throw new CorruptInputError(path, index, `Video is corrupt or truncated (${lastLine(proc.stderrTail())})`);
      }
      if (streamError instanceof PartialFrameError) {
        throw new CorruptInputError(path, index, `Video is truncated: the last frame is incomplete`, { cause: streamError });
      }
      if (streamError) throw streamError;
      const short = info.frameCount - index;
      if (index === 0) throw new CorruptInputError(path, 0, 'Video is corrupt: no frame could be decoded');
      if (short > 0) {
        const tolerated = !video.frameCountExact || short <= FRAME_COUNT_SLACK && info.frameCount > FRAME_COUNT_SLACK * 10;
        const hasTrim = (options.start ?? 0) > 0 || options.duration !== undefined;
        if (!tolerated && !hasTrim) {
          throw new CorruptInputError(path, index, `Video is truncated: decoded ${index} of ${info.frameCount} frames`);
        }
        options.log?.warn(`${path}: decoded ${index} frames, ${info.frameCount} were expected`);
      }
    } finally {
      // Early exit (break, error, abort): stop ffmpeg and wait for it; never mask the original error.
      if (!finished) await proc.kill().catch(() => undefined);
    }
  }
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n').filter((l) => l.trim() !== '');
  return lines.length ? lines[lines.length - 1]!.trim() : 'no error message';
}
