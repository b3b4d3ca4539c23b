// Exact sRGB <-> linear-light conversions (IEC 61966-2-1) and plain gamma 2.2. Pure: no I/O.

/** Transfer curve used to go between stored (encoded) values and linear light. */
export type TransferCurve = 'srgb' | 'gamma2.2';

/** sRGB-encoded value in [0,1] -> linear light in [0,1] (exact piecewise curve). */
export function srgbToLinear(v: number): number {
  return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
}

/** Linear light in [0,1] -> sRGB-encoded value in [0,1] (exact piecewise curve). */
export function linearToSrgb(v: number): number {
  return v <= 0.0031308 ? v * 12.92 : 1.055 * Math.pow(v, 1 / 2.4) - 0.055;
}

/** Plain power-law gamma 2.2 decode (some datasets were made this way). */
export function gamma22ToLinear(v: number): number {
  return v <= 0 ? 0 : Math.pow(v, 2.2);
}

/** Plain power-law gamma 2.2 encode. */
export function linearToGamma22(v: number): number {
  return v <= 0 ? 0 : Math.pow(v, 1 / 2.2);
}

/** Decode function for a curve: encoded [0,1] -> linear [0,1]. */
export function decoderFor(curve: TransferCurve): (v: number) => number {
  return curve === 'srgb' ? srgbToLinear : gamma22ToLinear;
}

/** Encode function for a curve: linear [0,1] -> encoded [0,1]. */
export function encoderFor(curve: TransferCurve): (v: number) => number {
  return curve === 'srgb' ? linearToSrgb : linearToGamma22;
}

const lutCache = new Map<string, Float32Array>();

/** Lookup table from every 8-bit (bits=8) or 16-bit (bits=16) code to linear light. Cached. */
export function toLinearLut(curve: TransferCurve, bits: 8 | 16): Float32Array {
  const key = `${curve}/${bits}`;
  let lut = lutCache.get(key);
  if (!lut) {
    const max = bits === 8 ? 255 : 65535;
    const decode = decoderFor(curve);
    lut = new Float32Array(max + 1);
    for (let i = 0; i <= max; i++) lut[i] = decode(i / max);
    lutCache.set(key, lut);
  }
  return lut;
}

/** Convert an encoded integer array (8 or 16 bit) to linear floats via the LUT. */
export function decodeToLinear(src: Uint8Array | Uint16Array, curve: TransferCurve = 'srgb', out?: Float32Array): Float32Array {
  const lut = toLinearLut(curve, src instanceof Uint8Array ? 8 : 16);
  const dst = out ?? new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) dst[i] = lut[src[i]!]!;
  return dst;
}

/**
 * Convert linear floats to 8-bit encoded codes with exact rounding. Uses a 4096-entry
 * threshold search per value: for each code c the smallest linear value that rounds to c.
 */
export function encodeLinearTo8(src: Float32Array, curve: TransferCurve = 'srgb', out?: Uint8Array): Uint8Array {
  const thresholds = encodeThresholds(curve, 8);
  const dst = out ?? new Uint8Array(src.length);
  for (let i = 0; i < src.length; i++) dst[i] = searchCode(thresholds, src[i]!);
  return dst;
}

/** Convert linear floats to 16-bit encoded codes with exact rounding. */
export function encodeLinearTo16(src: Float32Array, curve: TransferCurve = 'srgb', out?: Uint16Array): Uint16Array {
  const encode = encoderFor(curve);
  const dst = out ?? new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const v = src[i]!;
    dst[i] = v <= 0 ? 0 : v >= 1 ? 65535 : Math.round(encode(v) * 65535);
  }
  return dst;
}

const thresholdCache = new Map<string, Float64Array>();

/** thresholds[c] = linear value at which the encoded code switches from c-1 to c (midpoint in code space). */
function encodeThresholds(curve: TransferCurve, bits: 8): Float64Array {
  const key = `${curve}/${bits}`;
  let t = thresholdCache.get(key);
  if (!t) {
    const max = 255;
    const decode = decoderFor(curve);
    t = new Float64Array(max + 1);
    t[0] = -Infinity;
    for (let c = 1; c <= max; c++) t[c] = decode((c - 0.5) / max);
    thresholdCache.set(key, t);
  }
  return t;
}

function searchCode(t: Float64Array, v: number): number {
  if (!(v > t[1]!)) return 0; // also maps NaN to 0
  let lo = 1;
  let hi = t.length - 1;
  if (v >= t[hi]!) return hi;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (t[mid]! <= v) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

const SRGB_LUT_SIZE = 16384;
let srgbEncodeLut: Float32Array | undefined;

/**
 * Linear light -> sRGB-encoded floats in [0,1] through a 16384-entry table with linear
 * interpolation (|error| < 2e-5 against linearToSrgb); values outside [0,1] are clamped.
 */
export function encodeLinearToSrgbFloat(src: Float32Array, out: Float32Array = new Float32Array(src.length)): Float32Array {
  if (!srgbEncodeLut) {
    srgbEncodeLut = new Float32Array(SRGB_LUT_SIZE + 2);
    for (let i = 0; i <= SRGB_LUT_SIZE; i++) srgbEncodeLut[i] = linearToSrgb(i / SRGB_LUT_SIZE);
    srgbEncodeLut[SRGB_LUT_SIZE + 1] = 1;
  }
  const lut = srgbEncodeLut;
  for (let i = 0; i < src.length; i++) {
    const v = src[i]!;
    if (!(v > 0)) { out[i] = 0; continue; } // also NaN
    if (v >= 1) { out[i] = 1; continue; }
    const x = v * SRGB_LUT_SIZE;
    const k = x | 0;
    const f = x - k;
    out[i] = lut[k]! + f * (lut[k + 1]! - lut[k]!);
  }
  return out;
}
