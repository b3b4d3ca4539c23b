// Middlebury .flo flow files (magic 202021.25, int32 width, int32 height, float32 (u, v) rows;
// little endian), .npy float flow (H, W, 2), and the colour-wheel visualisation PNG.
import { extname } from 'node:path';
import { FormatError, InvalidOptionError } from '../errors.js';
import { flowToColour } from '../math/guidance-colour.js';
import type { FlowField } from '../math/types.js';
import { writeFileAtomic } from './atomic.js';
import { writePng } from './image.js';
import { decodeNpy, encodeNpy, type Npy } from './npy.js';
import { readDecoded } from './read-decoded.js';

/** The .flo magic number ('PIEH' read as a float32), a sanity check of byte order. */
export const FLO_MAGIC = 202021.25;

/** Encode a flow field as .flo bytes. */
export function encodeFlo(flow: FlowField): Uint8Array {
  const out = new Uint8Array(12 + flow.data.byteLength);
  const view = new DataView(out.buffer);
  view.setFloat32(0, FLO_MAGIC, true);
  view.setInt32(4, flow.width, true);
  view.setInt32(8, flow.height, true);
  for (let i = 0; i < flow.data.length; i++) view.setFloat32(12 + 4 * i, flow.data[i]!, true);
  return out;
}

/** Decode .flo bytes; FormatError naming what is wrong (magic, size, truncation). */
export function decodeFlo(bytes: Uint8Array): FlowField {
  const fail = (detail: string, offset: number) => new FormatError('flo', detail, { offset });
  if (bytes.length < 12) throw fail(`a .flo file has a 12-byte header, found ${bytes.length} bytes`, 0);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getFloat32(0, true);
  if (magic !== FLO_MAGIC) throw fail(`bad .flo magic ${magic} (expected ${FLO_MAGIC})`, 0);
  const width = view.getInt32(4, true);
  const height = view.getInt32(8, true);
  // 1..100000: Middlebury readers' own sanity bound against garbage headers
  if (width < 1 || height < 1 || width > 100000 || height > 100000) throw fail(`implausible .flo size ${width}x${height}`, 4);
  const n = width * height * 2;
  if (bytes.length < 12 + 4 * n) throw fail(`truncated .flo: ${width}x${height} needs ${12 + 4 * n} bytes, found ${bytes.length}`, 12);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = view.getFloat32(12 + 4 * i, true);
  return { width, height, data };
}

/** Flow from a decoded .npy: float or integer array of shape (H, W, 2). */
export function flowFromNpy(npy: Npy): FlowField {
  const [height, width, c] = npy.shape;
  if (npy.shape.length !== 3 || c !== 2 || !height || !width) {
    throw new FormatError('npy', `flow .npy must have shape (H, W, 2) with H, W >= 1, found (${npy.shape.join(', ')})`);
  }
  return { width, height, data: Float32Array.from(npy.data) };
}

/** Read a flow file: Middlebury .flo or .npy float (H, W, 2); InputError naming the file. */
export async function readFlowFile(path: string): Promise<FlowField> {
  const ext = extname(path).toLowerCase();
  if (ext !== '.flo' && ext !== '.npy') throw new InvalidOptionError('--flow', 'a .flo or .npy flow file', path);
  return readDecoded(path, 'flow file', (bytes) => (ext === '.flo' ? decodeFlo(bytes) : flowFromNpy(decodeNpy(bytes))));
}

/** Write a flow field atomically as .flo, or as .npy float32 (H, W, 2), by extension. */
export async function writeFlowFile(path: string, flow: FlowField): Promise<void> {
  const ext = extname(path).toLowerCase();
  if (ext === '.flo') await writeFileAtomic(path, encodeFlo(flow));
  else if (ext === '.npy') await writeFileAtomic(path, encodeNpy(flow.data, [flow.height, flow.width, 2]));
  else throw new InvalidOptionError('-o', 'a path ending in .flo or .npy', path);
}

/** Write the Middlebury colour-wheel picture of a flow field as PNG (see flowToColour). */
export async function writeFlowPng(path: string, flow: FlowField, maxRadius?: number): Promise<void> {
  if (extname(path).toLowerCase() !== '.png') throw new InvalidOptionError('--viz', 'a path ending in .png', path);
  await writePng(path, flowToColour(flow, maxRadius));
}
