// NumPy .npy (format 1.0/2.0) encode/decode for the dtypes afb uses; the reference guidance
// files are int8 arrays of shape (H, W, 2). Pure functions on bytes, plus file helpers.
import { FormatError } from '../errors.js';
import { writeFileAtomic } from './atomic.js';
import { readDecoded } from './read-decoded.js';

export type NpyArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Float32Array | Float64Array;

/** A decoded .npy array: C-order data and its shape. */
export interface Npy {
  readonly shape: number[];
  readonly data: NpyArray;
}

const DESCR: [string, new (n: number) => NpyArray, number][] = [
  ['|i1', Int8Array, 1],
  ['|u1', Uint8Array, 1],
  ['<i2', Int16Array, 2],
  ['<u2', Uint16Array, 2],
  ['<i4', Int32Array, 4],
  ['<f4', Float32Array, 4],
  ['<f8', Float64Array, 8],
];

function descrOf(data: NpyArray): string {
  for (const [d, ctor] of DESCR) if (data instanceof ctor) return d;
  throw new TypeError('Unsupported array type for .npy');
}

/** Encode an array as .npy bytes (version 1.0, little endian, C order). */
export function encodeNpy(data: NpyArray, shape: readonly number[]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new RangeError(`Shape ${JSON.stringify(shape)} holds ${count} values but the array has ${data.length}`);
  const shapeStr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descrOf(data)}', 'fortran_order': False, 'shape': ${shapeStr}, }`;
  // Pad so that magic(6)+version(2)+len(2)+header is a multiple of 64, ending in '\n'.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const out = new Uint8Array(total + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0); // \x93NUMPY v1.0
  out[8] = header.length & 0xff;
  out[9] = header.length >> 8;
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), total);
  return out;
}

const fail = (detail: string, offset?: number): FormatError => new FormatError('npy', detail, offset === undefined ? {} : { offset });

/** The header dictionary of a .npy file: dtype, order and shape (each dimension a non-negative integer). */
function parseNpyHeader(header: string): { descr: string; fortran: boolean; shape: number[] } {
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw fail(`malformed .npy header ${JSON.stringify(header.trim().slice(0, 120))}`);
  const parts = shapeText.split(',').map((s) => s.trim());
  // '(3,)' splits into ['3', '']: only a trailing empty part is allowed.
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  const shape = parts.length === 1 && parts[0] === '' ? [] : parts.map((s) => {
    if (!/^\d{1,15}$/.test(s)) throw fail(`bad .npy shape (${shapeText}): dimensions must be non-negative integers`);
    return Number(s);
  });
  return { descr, fortran: fortran === 'True', shape };
}

/** Decode .npy bytes (versions 1-3, C order, the dtypes above); FormatError naming what is wrong. */
export function decodeNpy(bytes: Uint8Array): Npy {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (bytes.length < 10 || magic.some((m, i) => bytes[i] !== m)) throw fail('not a .npy file (bad magic)', 0);
  const major = bytes[6]!;
  if (major < 1 || major > 3) throw fail(`unsupported .npy version ${major}.${bytes[7]}`, 6);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (major > 1 && bytes.length < 12) throw fail(`truncated .npy header: ${bytes.length} bytes`, bytes.length);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  if (start + headerLen > bytes.length) throw fail(`truncated .npy header: ${headerLen} bytes announced, ${bytes.length - start} present`, start);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));
  const { descr, fortran, shape } = parseNpyHeader(header);
  if (fortran) throw fail('Fortran-order .npy arrays are not supported');
  const norm = descr === '<i1' ? '|i1' : descr === '<u1' ? '|u1' : descr;
  const entry = DESCR.find(([d]) => d === norm);
  if (!entry) throw fail(`unsupported .npy dtype ${descr}`);
  const [, ctor, size] = entry;
  const count = shape.reduce((a, b) => a * b, 1);
  if (!Number.isSafeInteger(count)) throw fail(`implausible .npy shape (${shape.join(', ')})`);
  const offset = start + headerLen;
  // Checked before allocating: a header cannot make afb allocate more than the file holds.
  if (bytes.length - offset < count * size) throw fail(`truncated .npy data: expected ${count * size} bytes, found ${bytes.length - offset}`, offset);
  const data = new ctor(count);
  new Uint8Array(data.buffer).set(bytes.subarray(offset, offset + count * size));
  return { shape, data };
}

/** Read a .npy file; InputError when missing or malformed. */
export async function readNpy(path: string): Promise<Npy> {
  return readDecoded(path, '.npy file', decodeNpy);
}

/** Write a .npy file atomically. */
export async function writeNpy(path: string, data: NpyArray, shape: readonly number[]): Promise<void> {
  await writeFileAtomic(path, encodeNpy(data, shape));
}
