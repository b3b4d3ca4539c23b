// Types shared by every frame source (see frame-source.ts for buffer ownership rules) and the
// validation of source options.
import type { ResizeSpec } from './ffmpeg-args.js';
import type { Logger } from '../log.js';
import type { Rational, RgbImage } from '../math/types.js';
import type { VideoInfo } from './probe.js';

/** One decoded frame: interleaved RGB (8-bit Uint8Array or 16-bit Uint16Array). */
export interface Frame extends RgbImage {
  /** 0-based index in the source (after start/maxFrames trimming). */
  readonly index: number;
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array | Uint16Array;
  /** Presentation time in seconds from the start of the input file. */
  readonly time: number;
  /** Return the buffer to the source's pool; `data` must not be used afterwards. Idempotent. */
  release(): void;
}

/** What a source delivers. */
export interface FrameSourceInfo {
  readonly kind: 'video' | 'image-folder' | 'image';
  readonly path: string;
  readonly width: number;
  readonly height: number;
  readonly depth: 8 | 16;
  /** Exact constant frame rate of the delivered frames. */
  readonly fps: Rational;
  /** Frames the iteration is expected to deliver (after trimming). */
  readonly frameCount: number;
  /** Start time (seconds) of the first delivered frame in the input. */
  readonly start: number;
  /** For videos: the full probe result (audio, rotation, VFR...). */
  readonly video?: VideoInfo;
  /** For image folders: the frame files in order. */
  readonly files?: readonly string[];
}

/** An async iterable of frames; iterate it once. Breaking out of the loop stops decoding. */
export interface FrameSource extends AsyncIterable<Frame> {
  readonly info: FrameSourceInfo;
  /** Stop decoding and free resources (also done automatically when iteration ends). */
  close(): Promise<void>;
}

/** Options shared by every source. */
export interface FrameSourceOptions {
  /** 8-bit (rgb24, default) or 16-bit (rgb48le) samples. */
  readonly depth?: 8 | 16;
  /** Skip to this time in seconds. */
  readonly start?: number;
  /** Deliver at most this many seconds. */
  readonly duration?: number;
  /** Deliver at most this many frames. */
  readonly maxFrames?: number;
  /** Resize every frame to exactly this size ('cover': keep the aspect ratio and centre-crop, the default; or 'stretch'). */
  readonly resize?: ResizeSpec;
  /** Frame rate of an image folder / single image (default 30/1); ignored for videos. */
  readonly fps?: Rational;
  /** Cancels decoding; iteration then throws CancelledError. */
  readonly signal?: AbortSignal;
  /** Warnings (variable frame rate...) go here. */
  readonly log?: Logger;
  /** Frame buffers kept for reuse (default 8). */
  readonly poolSize?: number;
  /** Videos: a probe() result of this same file to reuse (skips probing again). */
  readonly probed?: VideoInfo;
  /** Videos: whole frames decoded ahead of the consumer (default 2), so ffmpeg keeps working. */
  readonly readAhead?: number;
  /** Videos: stop at the first decode error (default true). */
  readonly strict?: boolean;
}

/** Still-image extensions read directly (and inside frame folders). */
export const IMAGE_EXTENSIONS: readonly string[] = ['png', 'jpg', 'jpeg'];

/** Validate the shared options before anything starts. */
export function validateSourceOptions(o: FrameSourceOptions): void {
  if (o.depth !== undefined && o.depth !== 8 && o.depth !== 16) throw new RangeError(`depth must be 8 or 16, received ${String(o.depth)}`);
  for (const [name, v] of [['start', o.start], ['duration', o.duration]] as const) {
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) throw new RangeError(`${name} must be a number of seconds >= 0, received ${String(v)}`);
  }
  if (o.maxFrames !== undefined && !(Number.isInteger(o.maxFrames) && o.maxFrames >= 1)) {
    throw new RangeError(`maxFrames must be an integer >= 1, received ${String(o.maxFrames)}`);
  }
  if (o.resize && !(Number.isInteger(o.resize.width) && Number.isInteger(o.resize.height) && o.resize.width >= 1 && o.resize.height >= 1)) {
    throw new RangeError(`resize must be integer width/height >= 1, received ${o.resize.width}x${o.resize.height}`);
  }
  if (o.fps && !(Number.isInteger(o.fps.num) && Number.isInteger(o.fps.den) && o.fps.num > 0 && o.fps.den > 0)) {
    throw new RangeError(`fps must be a positive rational, received ${o.fps.num}/${o.fps.den}`);
  }
}
