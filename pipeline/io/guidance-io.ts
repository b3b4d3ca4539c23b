// Guidance files: the reference's .npy (int8, H x W x C, full or half resolution) and colour PNGs
// in the reference colours. The format follows the file extension.
import { extname } from 'node:path';
import { FormatError, InputError, InvalidOptionError } from '../errors.js';
import { colourToGuidance, guidanceToColour } from '../math/guidance-colour.js';
import { halveGuidance, resizeGuidanceNearest } from '../math/guidance-resize.js';
import type { GuidanceMap } from '../math/types.js';
import { readImage, writePng } from './image.js';
import { decodeNpy, encodeNpy, readNpy, type Npy } from './npy.js';
import { writeFileAtomic } from './atomic.js';
import { decodeNamed } from './read-decoded.js';

/** Guidance file formats, chosen by extension. */
export type GuidanceFormat = 'npy' | 'png';

/** Format of a guidance path from its extension; InvalidOptionError for anything but .npy/.png. */
export function guidanceFormatOf(path: string): GuidanceFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.npy') return 'npy';
  if (ext === '.png') return 'png';
  throw new InvalidOptionError('guidance file', 'a path ending in .npy or .png', path);
}

/**
 * Guidance from a decoded .npy array: shape (H, W, C) with H, W >= 1 and C in 1..4 (or (H, W) =
 * 1 channel), any integer or float dtype whose values are all -1, 0 or 1. FormatError naming the problem.
 */
export function guidanceFromNpy(npy: Npy): GuidanceMap {
  const { shape, data } = npy;
  const fail = (detail: string) => new FormatError('npy', detail);
  if (shape.length !== 2 && shape.length !== 3) throw fail(`guidance must have shape (H, W, C), found (${shape.join(', ')})`);
  const [height, width] = shape as [number, number];
  if (height < 1 || width < 1) throw fail(`guidance is empty: shape (${shape.join(', ')})`);
  const channels = shape.length === 3 ? shape[2]! : 1;
  if (channels < 1 || channels > 4) throw fail(`guidance must have 1 to 4 channels, found ${channels}`);
  const out = new Int8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const value = data[i]!;
    if (value !== -1 && value !== 0 && value !== 1) {
      throw fail(`guidance values must be -1, 0 or 1, found ${value} at flat index ${i}`);
    }
    out[i] = value;
  }
  return { width, height, channels, data: out };
}

/**
 * Check that guidance read from `path` fits an image of `width` x `height`: the channels the
 * network takes (when given), and the image's size, half of it or another size of the same shape
 * (it is resized, nearest neighbour). InputError naming the file, both sizes and the channels.
 */
export function checkGuidanceFits(g: GuidanceMap, path: string, width: number, height: number, channels?: number): void {
  if (channels !== undefined && g.channels !== channels) {
    throw new InputError(path, `Guidance has ${g.channels} channel(s) but the model takes ${channels} (x, y: 4 directions)`);
  }
  // Same shape within a pixel of rounding (half-resolution files round up: ceil(W/2) x ceil(H/2)).
  if (Math.abs(g.height - (g.width * height) / width) > 1 && Math.abs(g.width - (g.height * width) / height) > 1) {
    throw new InputError(path, `Guidance is ${g.width}x${g.height} but the image is ${width}x${height}: expected ${width}x${height}, half resolution ${Math.ceil(width / 2)}x${Math.ceil(height / 2)}, or another size of the same shape`);
  }
}

/** Encode guidance as reference .npy bytes (int8, shape (H, W, C)). */
export function encodeGuidanceNpy(g: GuidanceMap): Uint8Array {
  return encodeNpy(g.data, [g.height, g.width, g.channels]);
}

/** Decode reference .npy bytes into guidance (see guidanceFromNpy). */
export function decodeGuidanceNpy(bytes: Uint8Array): GuidanceMap {
  return guidanceFromNpy(decodeNpy(bytes));
}

/** Options of readGuidance. */
export interface ReadGuidanceOptions {
  /** The image the guidance is for: checked (see checkGuidanceFits), then resized to it (nearest neighbour). */
  readonly width?: number;
  readonly height?: number;
  /** Channels the consumer takes (2 for the decomposition network); checked when given. */
  readonly channels?: number;
}

/** Read a guidance .npy or colour .png; InputError naming the file when it is missing, malformed or does not fit. */
export async function readGuidance(path: string, options: ReadGuidanceOptions = {}): Promise<GuidanceMap> {
  let g: GuidanceMap;
  if (guidanceFormatOf(path) === 'npy') {
    const npy = await readNpy(path);
    g = decodeNamed(path, 'guidance file', () => guidanceFromNpy(npy));
  } else {
    g = colourToGuidance(await readImage(path));
  }
  if (options.width !== undefined && options.height !== undefined) {
    checkGuidanceFits(g, path, options.width, options.height, options.channels);
    g = resizeGuidanceNearest(g, options.width, options.height);
  } else if (options.channels !== undefined && g.channels !== options.channels) {
    throw new InputError(path, `Guidance has ${g.channels} channel(s) but ${options.channels} are needed`);
  }
  return g;
}

/** Options of writeGuidance. */
export interface WriteGuidanceOptions {
  /** Store at half resolution (ceil(W/2) x ceil(H/2), nearest), as some reference datasets do. */
  readonly half?: boolean;
}

/** Write guidance as .npy (any direction count) or colour .png (4 directions only), atomically. */
export async function writeGuidance(path: string, g: GuidanceMap, options: WriteGuidanceOptions = {}): Promise<void> {
  const format = guidanceFormatOf(path);
  const out = options.half ? halveGuidance(g) : g;
  if (format === 'npy') {
    await writeFileAtomic(path, encodeGuidanceNpy(out));
    return;
  }
  if (out.channels !== 2) throw new InvalidOptionError('--directions', '4 directions for a colour .png guidance file (use .npy for others)', out.channels);
  await writePng(path, guidanceToColour(out));
}
