// The photo pool of procedural generation: list the photos of a folder, read their sizes, and
// cut textures (crop + resize with sharp, then linear light) as a video plan requests them.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { InputError } from '../errors.js';
import { toLinearLut } from '../math/colour.js';
import type { Texture } from '../math/procedural/render.js';
import type { TextureRequest } from '../math/procedural/scene-plan.js';

/** One photo of the pool: its file and its (display-oriented) size. */
export interface PoolPhoto {
  readonly name: string;
  readonly path: string;
  readonly width: number;
  readonly height: number;
}

const PHOTO_EXT = /\.(jpe?g|png|webp|tiff?)$/i;

/** List the photos directly inside `dir` (sorted by name, so indices are stable) with their sizes. */
export async function listPoolPhotos(dir: string): Promise<PoolPhoto[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => PHOTO_EXT.test(n) && !n.startsWith('.')).sort();
  } catch (cause) {
    throw new InputError(dir, 'Cannot read the photo folder', { cause });
  }
  if (names.length === 0) throw new InputError(dir, 'The photo folder holds no .jpg/.png/.webp/.tif photos (build it with scripts/build-photo-pool.sh)');
  const out: PoolPhoto[] = [];
  for (const name of names) {
    const path = join(dir, name);
    try {
      const meta = await sharp(path).metadata();
      // EXIF orientations 5-8 swap width and height once applied
      const swap = (meta.orientation ?? 1) >= 5;
      out.push({ name, path, width: swap ? meta.height! : meta.width!, height: swap ? meta.width! : meta.height! });
    } catch (cause) {
      throw new InputError(path, 'Cannot read photo', { cause });
    }
  }
  return out;
}

/** Decode the requested crop of a photo, resized to the requested size, as a linear-light RGB texture. */
export async function loadTexture(photo: PoolPhoto, req: TextureRequest): Promise<Texture> {
  try {
    const { data, info } = await sharp(photo.path)
      .rotate() // EXIF orientation, consistent with the sizes listPoolPhotos reports
      .extract({ left: req.left, top: req.top, width: req.width, height: req.height })
      .resize(req.outWidth, req.outHeight, { fit: 'fill' })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || info.width !== req.outWidth || info.height !== req.outHeight) {
      throw new Error(`decoded ${info.width}x${info.height}x${info.channels}, expected ${req.outWidth}x${req.outHeight}x3`);
    }
    const lut = toLinearLut('srgb', 8);
    const tex = new Float32Array(data.length);
    for (let i = 0; i < data.length; i++) tex[i] = lut[data[i]!]!;
    return { width: info.width, height: info.height, channels: 3, data: tex };
  } catch (cause) {
    throw new InputError(photo.path, `Cannot cut texture ${JSON.stringify(req)} (${(cause as Error).message})`, { cause });
  }
}
