// Frame sinks: where decoded/generated frames go. Pick one by output path with openFrameSink,
// or call a specific opener. Every sink writes under a temporary name and renames on finish().
import { stat } from 'node:fs/promises';
import { extensionOf } from './ffmpeg-args.js';
import { openPreviewSink, openVideoSink } from './frame-sink-ffmpeg.js';
import { openPngFolderSink } from './frame-sink-png.js';
import type { FrameSink, PreviewSinkOptions, VideoSinkOptions } from './frame-sink-types.js';

export type { FrameSink, PngFolderSinkOptions, PreviewSinkOptions, SinkBaseOptions, VideoSinkOptions } from './frame-sink-types.js';
export { checkFrame } from './frame-sink-types.js';
export { openPreviewSink, openVideoSink } from './frame-sink-ffmpeg.js';
export { openPngFolderSink, pngFrameName } from './frame-sink-png.js';

/** Output kinds by path: a folder of PNGs, a preview animation or a video file. */
export type SinkKind = 'png-folder' | 'preview' | 'video';

/** Which sink a path asks for: trailing slash, existing folder or no extension -> PNG folder. */
export async function sinkKindFor(path: string): Promise<SinkKind> {
  if (/[\\/]$/.test(path)) return 'png-folder';
  const isDir = await stat(path).then((s) => s.isDirectory(), () => false);
  const ext = extensionOf(path);
  if (isDir || ext === '') return 'png-folder';
  if (ext === 'gif' || ext === 'apng' || ext === 'png') return 'preview';
  return 'video';
}

/**
 * Open the sink a path asks for (see sinkKindFor). Video options apply to video files,
 * `maxWidth` to previews, `compressionLevel` to PNG folders.
 */
export async function openFrameSink(
  path: string,
  options: VideoSinkOptions & PreviewSinkOptions & { compressionLevel?: number; startNumber?: number },
): Promise<FrameSink> {
  switch (await sinkKindFor(path)) {
    case 'png-folder':
      return openPngFolderSink(path.replace(/[\\/]+$/, '') || path, options);
    case 'preview':
      return openPreviewSink(path, options);
    case 'video':
      return openVideoSink(path, options);
  }
}
