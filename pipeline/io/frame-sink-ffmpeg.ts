// Sinks fed to an ffmpeg encoder over stdin: H.264/H.265/VP9 video and GIF/APNG previews.
// ffmpeg writes a temporary file next to the output, renamed only when it exited cleanly.
import { rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { FfmpegError, OutputError } from '../errors.js';
import { ensureWritableDir, tempPathFor } from './atomic.js';
import { untrackTemp } from './temp-files.js';
import { buildEncodeArgs, buildPreviewArgs, extensionOf, needsEvenPadding, reduceRational, resolveCrf } from './ffmpeg-args.js';
import { resolveBinary } from './ffmpeg-binaries.js';
import { startFfmpeg, type FfmpegProcess } from './ffmpeg-process.js';
import { checkFrame, type FrameSink, type PreviewSinkOptions, type SinkBaseOptions, type VideoSinkOptions } from './frame-sink-types.js';
import type { RgbImage } from '../math/types.js';

/** ffmpeg stderr lines that mean the output file is incomplete even when ffmpeg exits with 0. */
const WRITE_FAILURE = /Error writing trailer|Error closing file|No space left on device|Disk quota exceeded/i;

/** A sink that pipes raw frames into one ffmpeg process writing `tmp`, renamed to `path`. */
class FfmpegPipeSink implements FrameSink {
  private written = 0;
  private state: 'open' | 'finished' | 'failed' = 'open';
  constructor(
    readonly path: string,
    private readonly tmp: string,
    private readonly proc: FfmpegProcess,
    private readonly size: { width: number; height: number; depth?: 8 | 16 },
  ) {}

  get framesWritten(): number {
    return this.written;
  }

  async write(frame: RgbImage): Promise<void> {
    if (this.state !== 'open') throw new Error(`Cannot write to a ${this.state} sink (${this.path})`);
    checkFrame(frame, this.size);
    const d = frame.data;
    const bytes = Buffer.from(d.buffer, d.byteOffset, d.byteLength);
    try {
      // The callback fires once the bytes are in the pipe, so the caller may reuse the buffer.
      await new Promise<void>((resolve, reject) => {
        const stdin = this.proc.stdin;
        if (!stdin || stdin.destroyed) reject(new Error('encoder input is closed'));
        else stdin.write(bytes, (err) => (err ? reject(err) : resolve()));
      });
      this.written++;
    } catch (writeError) {
      // The encoder died (or was cancelled): report its error, with its stderr, not EPIPE.
      throw await this.fail(writeError);
    }
  }

  async finish(): Promise<void> {
    if (this.state !== 'open') throw new Error(`Cannot finish a ${this.state} sink (${this.path})`);
    if (this.written === 0) {
      const error = new OutputError(this.path, 'No frames were written');
      await this.abort();
      throw error;
    }
    this.proc.stdin?.end();
    try {
      const { stderrTail } = await this.proc.done;
      // ffmpeg (5.1) exits 0 when writing its trailer fails, e.g. on a full disk: the file is cut short.
      const failedWrite = WRITE_FAILURE.exec(stderrTail);
      if (failedWrite) {
        const reason = /No space left/i.test(stderrTail) ? 'No space left on the device' : `The encoder could not finish the file (${failedWrite[0]})`;
        throw new OutputError(this.path, reason);
      }
      await rename(this.tmp, this.path);
      untrackTemp(this.tmp);
      this.state = 'finished';
    } catch (error) {
      throw await this.fail(error);
    }
  }

  async abort(): Promise<void> {
    if (this.state === 'finished') return;
    this.state = 'failed';
    await this.proc.kill().catch(() => undefined);
    await rm(this.tmp, { force: true }).catch(() => undefined);
    untrackTemp(this.tmp);
  }

  /** Stop, clean up, and return the most informative error (the encoder's, if it failed). */
  private async fail(error: unknown): Promise<unknown> {
    const procError = await this.proc.done.then(() => undefined, (e: unknown) => e);
    await this.abort();
    // A full disk shows up as the encoder failing: say so, naming the output.
    if (procError instanceof FfmpegError && /No space left on device/i.test(procError.stderrTail)) {
      return new OutputError(this.path, 'No space left on the device', { cause: procError });
    }
    if (procError instanceof FfmpegError && procError.signal === 'SIGXFSZ') {
      return new OutputError(this.path, 'File size limit exceeded (the encoder was stopped by SIGXFSZ)', { cause: procError });
    }
    return procError ?? (error instanceof Error && 'code' in error ? new OutputError(this.path, `Cannot write output (${error.message})`, { cause: error }) : error);
  }
}

async function startPipeSink(path: string, args: (tmp: string) => string[], o: SinkBaseOptions): Promise<FrameSink> {
  reduceRational(o.fps);
  if (!(o.fps.num > 0 && o.fps.den > 0)) throw new RangeError(`fps must be positive, received ${o.fps.num}/${o.fps.den}`);
  resolveBinary('ffmpeg');
  await ensureWritableDir(dirname(path));
  const tmp = tempPathFor(path);
  try {
    const proc = startFfmpeg('ffmpeg', args(tmp), { stdin: 'pipe', stdout: 'ignore', signal: o.signal });
    return new FfmpegPipeSink(path, tmp, proc, o);
  } catch (error) {
    untrackTemp(tmp);
    throw error;
  }
}

/**
 * Open an H.264/H.265/VP9 video writer (.mp4/.mkv/.mov, VP9 also .webm) at an exact rate.
 * Odd sizes with 4:2:0/4:2:2 output are padded by one pixel (a warning, never an error).
 * @throws InvalidOptionError (codec/container/crf), OutputError (unwritable folder), FfmpegNotFoundError.
 */
export async function openVideoSink(path: string, o: VideoSinkOptions): Promise<FrameSink> {
  const codec = o.codec ?? (extensionOf(path) === 'webm' ? 'vp9' : 'h264');
  const pixFmt = o.pixFmt ?? 'yuv420p';
  const base = { width: o.width, height: o.height, depth: o.depth ?? 8, fps: o.fps, codec, crf: resolveCrf(codec, o.crf), preset: o.preset ?? 'medium', pixFmt, audio: o.audio } as const;
  // Build once up front so bad options fail before any process or file exists.
  buildEncodeArgs({ ...base, output: path });
  if (needsEvenPadding(o.width, o.height, pixFmt)) {
    o.log?.warn(`${path}: ${o.width}x${o.height} is odd-sized; ${pixFmt} needs even sizes, so one black row/column is added`);
  }
  return startPipeSink(path, (tmp) => buildEncodeArgs({ ...base, output: tmp }), o);
}

/**
 * Open a GIF (.gif) or APNG (.apng/.png) preview writer; loops forever. GIFs above 50 fps are
 * resampled to 50 fps (GIF delays are in 1/100 s).
 * @throws OutputError (unwritable folder), FfmpegNotFoundError.
 */
export async function openPreviewSink(path: string, o: PreviewSinkOptions): Promise<FrameSink> {
  const format = extensionOf(path) === 'gif' ? 'gif' : 'apng';
  const base = { format, width: o.width, height: o.height, depth: o.depth ?? 8, fps: o.fps, maxWidth: o.maxWidth ?? 480 } as const;
  buildPreviewArgs({ ...base, output: path });
  return startPipeSink(path, (tmp) => buildPreviewArgs({ ...base, output: tmp }), o);
}
