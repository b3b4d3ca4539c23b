// Frame sources: a video file, a folder of PNG/JPEG frames or a single image, all read as
// async iterables of RGB frames with backpressure (nothing is decoded ahead of the consumer
// except a small pipe/prefetch buffer).
//
// Buffer ownership: a yielded frame's `data` belongs to the consumer until it calls
// `frame.release()`; after release() the source reuses the memory for a later frame, so the
// consumer must not touch it (copy first with `data.slice()` if it must keep the pixels).
// Calling release() is optional: frames never released are simply garbage-collected (correct,
// but each new frame then needs fresh memory, which is slow). A buffer transferred to a worker
// thread becomes detached; releasing it afterwards is harmless (the pool ignores it).
import { stat } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { extensionOf } from './ffmpeg-args.js';
import { openImageFolderSource, openImageSource } from './frame-source-images.js';
import { IMAGE_EXTENSIONS, validateSourceOptions, type FrameSource, type FrameSourceOptions } from './frame-source-types.js';
import { openVideoSource } from './frame-source-video.js';

export type { Frame, FrameSource, FrameSourceInfo, FrameSourceOptions } from './frame-source-types.js';
export { IMAGE_EXTENSIONS, validateSourceOptions } from './frame-source-types.js';
export { openImageFolderSource, openImageSource } from './frame-source-images.js';
export { openVideoSource } from './frame-source-video.js';

/**
 * Open any input: a folder (PNG/JPEG frames in natural order), a still image, or a video.
 * @throws InputError for a missing input; the specific opener's errors otherwise.
 */
export async function openFrameSource(input: string, options: FrameSourceOptions = {}): Promise<FrameSource> {
  validateSourceOptions(options);
  let isDir: boolean;
  try {
    isDir = (await stat(input)).isDirectory();
  } catch (cause) {
    throw new InputError(input, 'Input not found', { cause });
  }
  if (isDir) return openImageFolderSource(input, options);
  if (IMAGE_EXTENSIONS.includes(extensionOf(input))) return openImageSource(input, options);
  return openVideoSource(input, options);
}
