// Guidance files: the reference's .npy (int8, H x W x C, full or half resolution) and colour PNGs
// in the reference colours. The format follows the file extension.
import { extname } from 'node:path';
import { InputError, InvalidOptionError } from '../errors.js';
import { colourToGuidance, guidanceToColour } from '../math/guidance-colour.js';
import { halveGuidance, resizeGuidanceNearest } from '../math/guidance-resize.js';
import type { GuidanceMap } from '../math/types.js';
import { readImage, writePng } from './image.js';
import { decodeNpy, encodeNpy, readNpy, type Npy } from './npy.js';
import { writeFileAtomic } from './atomic.js';

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
 * Guidance from a decoded .npy array: shape (H, W, C) with C in 1..4 (or (H, W) = 1 channel),
 * any integer or float dtype whose values are all -1, 0 or 1. TypeError naming the problem.
 */
export function guidanceFromNpy(npy: Npy): GuidanceMap {
  const { shape, data } = npy;
  if (shape.length !== 2 && shape.length !== 3) throw new TypeError(`guidance must have shape (H, W, C), found (${shape.join(', ')})`);
  const [height, width] = shape as [number, number];
  const channels = shape.length === 3 ? shape[2]! : 1;
  if (channels < 1 || channels > 4) throw new TypeError(`guidance must have 1 to 4 channels, found ${channels}`);
  const out = new Int8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const value = data[i]!;
    if (value !== -1 && value !== 0 && value !== 1) {
      throw new TypeError(`guidance values must be -1, 0 or 1, found ${value} at flat index ${i}`);
    }
    out[i] = value;
  }
  return { width, height, channels, data: out };
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
  /** Resize (nearest neighbour) to this size when the file differs, e.g. half-resolution reference files. */
  readonly width?: number;
  readonly height?: number;
}

/** Read a guidance .npy or colour .png; InputError naming the file when it is missing or malformed. */
export async function readGuidance(path: string, options: ReadGuidanceOptions = {}): Promise<GuidanceMap> {
  let g: GuidanceMap;
  if (guidanceFormatOf(path) === 'npy') {
    const npy = await readNpy(path);
    try {
      g = guidanceFromNpy(npy);
    } catch (cause) {
      throw new InputError(path, `Invalid guidance file (${(cause as Error).message})`, { cause });
    }
  } else {
    g = colourToGuidance(await readImage(path));
  }
  if (options.width !== undefined && options.height !== undefined) g = resizeGuidanceNearest(g, options.width, options.height);
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
