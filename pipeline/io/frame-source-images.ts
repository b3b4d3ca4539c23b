// Frame sources for still images: a folder of PNG/JPEG frames (natural sort order, a given
// frame rate) and a single image (one frame). Decoded with sharp, one image read ahead.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp, { type OutputInfo } from 'sharp';
import { cancelledBy, InputError } from '../errors.js';
import type { Rational } from '../math/types.js';
import { extensionOf, type ResizeSpec } from './ffmpeg-args.js';
import { imageLossNotes } from './image.js';
import { IMAGE_EXTENSIONS, validateSourceOptions, type Frame, type FrameSource, type FrameSourceInfo, type FrameSourceOptions } from './frame-source-types.js';

/** Default rate of image sequences when none is given. */
const DEFAULT_FPS: Rational = { num: 30, den: 1 };

/** Natural order: frame2.png before frame10.png (numeric runs compared as numbers). */
export function naturalSort(names: readonly string[]): string[] {
  const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
  return [...names].sort((a, b) => collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** Size of an image (upright), and notes on what reading it as RGB at `depth` bits drops. */
async function imageSize(path: string, depth: 8 | 16 = 8): Promise<{ width: number; height: number; notes: string[] }> {
  try {
    const meta = await sharp(path).metadata();
    // autoOrient: EXIF-rotated JPEGs are delivered upright, so report the upright size.
    const swap = (meta.orientation ?? 1) >= 5;
    const width = swap ? meta.height : meta.width;
    const height = swap ? meta.width : meta.height;
    if (!width || !height) throw new Error(`zero dimensions ${width}x${height}`);
    return { width, height, notes: imageLossNotes(path, meta, depth) };
  } catch (cause) {
    throw new InputError(path, `Cannot decode image (${(cause as Error).message})`, { cause });
  }
}

/** The frame size (the resize target, or the first image's size), warning about what reading drops. */
async function frameSize(first: string, options: FrameSourceOptions): Promise<{ width: number; height: number }> {
  const { width, height, notes } = await imageSize(first, options.depth ?? 8);
  for (const n of notes) options.log?.warn(n);
  return options.resize ?? { width, height };
}

/** Decode one image file to interleaved RGB of the wanted size and depth. */
async function decodeImage(path: string, depth: 8 | 16, expect: { width: number; height: number }, resize: ResizeSpec | undefined): Promise<Uint8Array | Uint16Array> {
  let data: Buffer;
  let info: OutputInfo;
  try {
    let img = sharp(path, { failOn: 'error' }).autoOrient().removeAlpha();
    // 'cover' keeps the aspect ratio and crops around the centre, like the ffmpeg path (resizeFilter)
    if (resize) img = img.resize(expect.width, expect.height, { fit: (resize.fit ?? 'cover') === 'stretch' ? 'fill' : 'cover', position: 'centre' });
    ({ data, info } = await img
      .toColourspace(depth === 16 ? 'rgb16' : 'srgb')
      .raw({ depth: depth === 16 ? 'ushort' : 'uchar' })
      .toBuffer({ resolveWithObject: true }));
  } catch (cause) {
    throw new InputError(path, `Cannot decode image (${(cause as Error).message})`, { cause });
  }
  if (info.channels !== 3) throw new InputError(path, `Cannot decode image (decoded ${info.channels} channels, expected 3)`);
  if (info.width !== expect.width || info.height !== expect.height) {
    throw new InputError(path, `Frame size ${info.width}x${info.height} differs from the first frame's ${expect.width}x${expect.height}`);
  }
  return depth === 16 ? new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

class ImageListSource implements FrameSource {
  private started = false;
  private closed = false;
  constructor(
    readonly info: FrameSourceInfo,
    private readonly files: readonly string[],
    private readonly options: FrameSourceOptions,
  ) {}

  async close(): Promise<void> {
    this.closed = true;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Frame, void, undefined> {
    if (this.started) throw new Error('A FrameSource can be iterated only once; open the input again');
    this.started = true;
    const { info, files, options } = this;
    const resize = options.resize;
    const decode = (i: number) => decodeImage(files[i]!, info.depth, info, resize);
    // Read one image ahead so decoding overlaps with the consumer's work.
    let next: Promise<Uint8Array | Uint16Array> | undefined = files.length ? decode(0) : undefined;
    next?.catch(() => undefined);
    for (let i = 0; i < files.length && next; i++) {
      if (options.signal?.aborted) throw cancelledBy(options.signal);
      if (this.closed) return;
      const data = await next;
      next = i + 1 < files.length ? decode(i + 1) : undefined;
      next?.catch(() => undefined);
      yield {
        index: i, width: info.width, height: info.height, data,
        time: info.start + (i * info.fps.den) / info.fps.num,
        // Each image is freshly decoded by sharp: nothing to give back.
        release: () => undefined,
      };
    }
  }
}

function trimFiles(all: readonly string[], fps: Rational, o: FrameSourceOptions): { files: string[]; start: number } {
  const perSecond = fps.num / fps.den;
  const first = Math.round((o.start ?? 0) * perSecond);
  let count = all.length - first;
  if (o.duration !== undefined) count = Math.min(count, Math.round(o.duration * perSecond));
  if (o.maxFrames !== undefined) count = Math.min(count, o.maxFrames);
  return { files: all.slice(first, first + Math.max(0, count)), start: (first * fps.den) / fps.num };
}

/**
 * Open a folder of PNG/JPEG frames (natural sort order) at `options.fps` (default 30/1).
 * @throws InputError when the folder is unreadable or holds no frames.
 */
export async function openImageFolderSource(dir: string, options: FrameSourceOptions = {}): Promise<FrameSource> {
  validateSourceOptions(options);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (cause) {
    throw new InputError(dir, 'Cannot read frame folder', { cause });
  }
  const frames = naturalSort(names.filter((n) => !n.startsWith('.') && IMAGE_EXTENSIONS.includes(extensionOf(n))));
  if (frames.length === 0) throw new InputError(dir, `Folder has zero frames (no ${IMAGE_EXTENSIONS.join('/')} files)`);
  const fps = options.fps ?? DEFAULT_FPS;
  const { files, start } = trimFiles(frames.map((n) => join(dir, n)), fps, options);
  if (files.length === 0) throw new InputError(dir, `Zero frames in the selected range (start ${options.start ?? 0} s of ${frames.length} frames)`);
  const size = await frameSize(files[0]!, options);
  const info: FrameSourceInfo = {
    kind: 'image-folder', path: dir, width: size.width, height: size.height, depth: options.depth ?? 8, fps,
    frameCount: files.length, start, files,
  };
  return new ImageListSource(info, files, options);
}

/**
 * Open a single PNG/JPEG image as a one-frame source.
 * @throws InputError when it cannot be decoded.
 */
export async function openImageSource(path: string, options: FrameSourceOptions = {}): Promise<FrameSource> {
  validateSourceOptions(options);
  const size = await frameSize(path, options);
  const info: FrameSourceInfo = {
    kind: 'image', path, width: size.width, height: size.height, depth: options.depth ?? 8,
    fps: options.fps ?? DEFAULT_FPS, frameCount: 1, start: 0, files: [path],
  };
  return new ImageListSource(info, [path], options);
}
