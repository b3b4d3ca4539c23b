// Still-image read/write through sharp (PNG, JPEG, ...). Images are interleaved RGB, 8 or 16 bit.
import sharp from 'sharp';
import { stat } from 'node:fs/promises';
import { InputError } from '../errors.js';
import type { RgbImage } from '../math/types.js';
import { writeFileAtomic } from './atomic.js';

/** What reading an image with this metadata as RGB at `depth` bits drops, as warnings naming `path`. */
export function imageLossNotes(path: string, meta: { hasAlpha?: boolean; depth?: string }, depth: 8 | 16 = 8): string[] {
  const notes: string[] = [];
  if (meta.hasAlpha) notes.push(`${path}: the alpha channel is dropped: afb works on RGB and writes opaque frames`);
  if (depth === 8 && (meta.depth === 'ushort' || meta.depth === 'short')) notes.push(`${path}: 16-bit samples are processed and written at 8 bits`);
  return notes;
}

/** Warnings for an image file (see imageLossNotes); [] when it cannot be read (reading it reports that). */
export async function readImageLossNotes(path: string, depth: 8 | 16 = 8): Promise<string[]> {
  return sharp(path).metadata().then((meta) => imageLossNotes(path, meta, depth), () => []);
}

/** Read an image file as RGB (alpha dropped, greyscale expanded). 16-bit PNGs stay 16-bit when `depth` is 16. */
export async function readImage(path: string, depth: 8 | 16 = 8): Promise<RgbImage> {
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch (cause) {
    throw new InputError(path, 'Image not found', { cause });
  }
  if (isDir) throw new InputError(path, 'Input is a folder, not an image file');
  try {
    const pipeline = sharp(path, { failOn: 'error' }).removeAlpha().toColourspace(depth === 16 ? 'rgb16' : 'srgb');
    const { data, info } = await pipeline.raw({ depth: depth === 16 ? 'ushort' : 'uchar' }).toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`expected 3 channels, decoded ${info.channels}`);
    const pixels = depth === 16
      ? new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2).slice()
      : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    return { width: info.width, height: info.height, data: pixels };
  } catch (cause) {
    throw new InputError(path, `Cannot decode image (${(cause as Error).message})`, { cause });
  }
}

/** Encode an RGB image to PNG bytes (8 or 16 bit from the array type). `compressionLevel` 0-9. */
export async function encodePng(image: RgbImage, compressionLevel = 6): Promise<Buffer> {
  const is16 = image.data instanceof Uint16Array;
  // sharp infers 16-bit raw input from a Uint16Array (a Buffer would be read as 8-bit).
  const input = is16 ? image.data : Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return sharp(input, { raw: { width: image.width, height: image.height, channels: 3 } })
    .toColourspace(is16 ? 'rgb16' : 'srgb')
    .png({ compressionLevel })
    .toBuffer();
}

/** Write an RGB image as PNG atomically (temp name, then rename). */
export async function writePng(path: string, image: RgbImage, compressionLevel = 6): Promise<void> {
  const png = await encodePng(image, compressionLevel);
  await writeFileAtomic(path, png);
}

/** Decode encoded image bytes (PNG, JPEG...) to 8-bit RGB. */
export async function decodeImage(bytes: Uint8Array): Promise<RgbImage> {
  const { data, info } = await sharp(bytes).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}
