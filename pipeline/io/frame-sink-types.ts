// Types shared by every frame sink (video encoder, PNG folder, GIF/APNG preview).
import type { PixFmt, Preset, VideoCodec } from '../../configs/codec-options.js';
import type { Logger } from '../log.js';
import type { Rational, RgbImage } from '../math/types.js';
import type { AudioSource } from './ffmpeg-args.js';

/**
 * Where frames go. Output appears under its final name only after finish() succeeded;
 * until then it lives under a temporary name that abort() (or a failure) removes.
 */
export interface FrameSink {
  /** Final output path. */
  readonly path: string;
  /** Frames accepted so far. */
  readonly framesWritten: number;
  /**
   * Write the next frame (size and bit depth must match the sink's). Resolves once the bytes
   * were handed over: the caller may then reuse or release the frame's buffer.
   */
  write(frame: RgbImage): Promise<void>;
  /** Complete the output and move it to its final name. */
  finish(): Promise<void>;
  /** Stop and remove the temporary output; never throws. */
  abort(): Promise<void>;
}

/** Options common to every sink. */
export interface SinkBaseOptions {
  readonly width: number;
  readonly height: number;
  /** Bit depth of the frames written (8 = Uint8Array rgb24, 16 = Uint16Array rgb48le). Default 8. */
  readonly depth?: 8 | 16;
  /** Exact frame rate of the output, e.g. 7 x 30000/1001 = {num: 210000, den: 1001}. */
  readonly fps: Rational;
  /** Aborting stops the encoder; the pending/next write rejects with CancelledError. */
  readonly signal?: AbortSignal;
  /** Warnings (odd-size padding...) go here. */
  readonly log?: Logger;
}

/** H.264/H.265/VP9 video output. */
export interface VideoSinkOptions extends SinkBaseOptions {
  readonly codec?: VideoCodec;
  /** -1/undefined: the codec's default CRF. */
  readonly crf?: number;
  readonly preset?: Preset;
  readonly pixFmt?: PixFmt;
  /** Audio copied (or re-encoded when the container needs it) from a source file. */
  readonly audio?: AudioSource;
}

/** GIF/APNG preview output. */
export interface PreviewSinkOptions extends SinkBaseOptions {
  /** Downscale wider frames to this width (default 480). */
  readonly maxWidth?: number;
}

/** PNG folder output: `{n:08d}.png`. */
export interface PngFolderSinkOptions extends Omit<SinkBaseOptions, 'fps'> {
  /** zlib level 0-9 (default 6). */
  readonly compressionLevel?: number;
  /** Number of the first file (default 0 -> 00000000.png). */
  readonly startNumber?: number;
}

/** Throws a RangeError when a frame does not fit the sink. */
export function checkFrame(frame: RgbImage, o: { width: number; height: number; depth?: 8 | 16 }): void {
  const depth = o.depth ?? 8;
  const want = o.width * o.height * 3;
  const okType = depth === 16 ? frame.data instanceof Uint16Array : frame.data instanceof Uint8Array;
  if (frame.width !== o.width || frame.height !== o.height || frame.data.length !== want || !okType) {
    throw new RangeError(
      `Frame ${frame.width}x${frame.height} (${frame.data.constructor.name} of ${frame.data.length}) does not fit a ${o.width}x${o.height} ${depth}-bit sink`,
    );
  }
}
