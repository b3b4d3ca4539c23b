// The reference evaluation's B-Aist++ crop: the person's bbox cut out and resized to 160x192 (WxH),
// images with OpenCV INTER_AREA, guidance with INTER_NEAREST. Pure: no I/O.
import type { GuidanceMap, RgbImage } from '../math/types.js';

/** Evaluation crop size of the reference (NearBBoxResizedSafeCrop height 192, width 160, max_ratio 0). */
export const CROP_WIDTH = 160;
export const CROP_HEIGHT = 192;

/** A pixel rectangle [x0, x1) x [y0, y1). */
export interface Rect { readonly x0: number; readonly y0: number; readonly x1: number; readonly y1: number }

/**
 * The crop rectangle of a bbox [x0, y0, x1, y1] with ratio 0, as upstream: coordinates truncated
 * with int(), then clipped to the image like a numpy slice. RangeError when it is empty.
 */
export function bboxToRect(bbox: readonly number[], width: number, height: number): Rect {
  const clip = (v: number, n: number) => Math.min(Math.max(Math.trunc(v), 0), n);
  const r = { x0: clip(bbox[0]!, width), y0: clip(bbox[1]!, height), x1: clip(bbox[2]!, width), y1: clip(bbox[3]!, height) };
  if (r.x1 <= r.x0 || r.y1 <= r.y0) throw new RangeError(`Expected a non-empty bbox inside ${width}x${height} but received ${JSON.stringify(bbox)}`);
  return r;
}

/** Cut a rectangle out of an interleaved image with `c` channels. */
function cropData<T extends Uint8Array | Uint16Array | Int8Array>(data: T, width: number, c: number, r: Rect): T {
  const w = r.x1 - r.x0;
  const out = new (data.constructor as new (n: number) => T)(w * (r.y1 - r.y0) * c);
  for (let y = r.y0; y < r.y1; y++) out.set(data.subarray((y * width + r.x0) * c, (y * width + r.x1) * c), (y - r.y0) * w * c);
  return out;
}

/** Cut a rectangle out of an RGB image. */
export function cropRgb(image: RgbImage, r: Rect): RgbImage {
  return { width: r.x1 - r.x0, height: r.y1 - r.y0, data: cropData(image.data, image.width, 3, r) };
}

/** Cut a rectangle out of a guidance map. */
export function cropGuidance(map: GuidanceMap, r: Rect): GuidanceMap {
  return { width: r.x1 - r.x0, height: r.y1 - r.y0, channels: map.channels, data: cropData(map.data, map.width, map.channels, r) };
}

/** Source taps (index, weight) of each output position along one axis. */
type Taps = { index: number[]; weight: number[] }[];

/** OpenCV computeResizeAreaTab: exact area coverage of [d*scale, (d+1)*scale) (downscaling). */
function areaTaps(src: number, dst: number): Taps {
  const scale = src / dst;
  const taps: Taps = [];
  for (let d = 0; d < dst; d++) {
    const f1 = d * scale;
    const f2 = f1 + scale;
    const cell = Math.min(scale, src - f1);
    let s1 = Math.ceil(f1);
    const s2 = Math.min(Math.floor(f2), src - 1);
    s1 = Math.min(s1, s2);
    const t = { index: [] as number[], weight: [] as number[] };
    // 1e-3: OpenCV's tolerance for a partial first/last source pixel
    if (s1 - f1 > 1e-3) { t.index.push(s1 - 1); t.weight.push((s1 - f1) / cell); }
    for (let s = s1; s < s2; s++) { t.index.push(s); t.weight.push(1 / cell); }
    if (f2 - s2 > 1e-3) { t.index.push(s2); t.weight.push(Math.min(Math.min(f2 - s2, 1), cell) / cell); }
    taps.push(t);
  }
  return taps;
}

/** OpenCV's INTER_AREA coefficients when it is not a pure downscale (the linear path with area weights). */
function areaLinearTaps(src: number, dst: number): Taps {
  const scale = src / dst;
  const taps: Taps = [];
  for (let d = 0; d < dst; d++) {
    const s = Math.floor(d * scale);
    let f = d + 1 - (s + 1) / scale;
    f = f <= 0 ? 0 : f - Math.floor(f);
    const a = Math.min(Math.max(s, 0), src - 1);
    const b = Math.min(Math.max(s + 1, 0), src - 1);
    taps.push({ index: [a, b], weight: [1 - f, f] });
  }
  return taps;
}

/**
 * Resize an 8-bit RGB image like OpenCV cv2.resize(..., INTER_AREA): exact area averaging when
 * both axes shrink (the evaluation crops), OpenCV's area-weighted linear path otherwise; results
 * rounded to 8 bits as cv2 does for uint8 images.
 */
export function resizeArea(image: RgbImage, dw: number, dh: number): RgbImage {
  const { width: w, height: h } = image;
  const shrink = w >= dw && h >= dh;
  const tx = shrink ? areaTaps(w, dw) : areaLinearTaps(w, dw);
  const ty = shrink ? areaTaps(h, dh) : areaLinearTaps(h, dh);
  const max = image.data instanceof Uint16Array ? 65535 : 255;
  const rows = new Float64Array(h * dw * 3); // horizontal pass first
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < dw; x++) {
      const t = tx[x]!;
      for (let k = 0; k < 3; k++) {
        let s = 0;
        for (let i = 0; i < t.index.length; i++) s += t.weight[i]! * image.data[(y * w + t.index[i]!) * 3 + k]!;
        rows[(y * dw + x) * 3 + k] = s;
      }
    }
  }
  const out = image.data instanceof Uint16Array ? new Uint16Array(dw * dh * 3) : new Uint8Array(dw * dh * 3);
  for (let y = 0; y < dh; y++) {
    const t = ty[y]!;
    for (let x = 0; x < dw; x++) {
      for (let k = 0; k < 3; k++) {
        let s = 0;
        for (let i = 0; i < t.index.length; i++) s += t.weight[i]! * rows[(t.index[i]! * dw + x) * 3 + k]!;
        out[(y * dw + x) * 3 + k] = Math.min(max, Math.max(0, Math.round(s)));
      }
    }
  }
  return { width: dw, height: dh, data: out };
}

/** Nearest-neighbour resize of a guidance map with OpenCV INTER_NEAREST indexing (floor(d * src / dst)). */
export function resizeNearestGuidance(map: GuidanceMap, dw: number, dh: number): GuidanceMap {
  if (map.width === dw && map.height === dh) return map;
  const c = map.channels;
  const data = new Int8Array(dw * dh * c);
  for (let y = 0; y < dh; y++) {
    const sy = Math.min(map.height - 1, Math.floor((y * map.height) / dh));
    for (let x = 0; x < dw; x++) {
      const sx = Math.min(map.width - 1, Math.floor((x * map.width) / dw));
      for (let k = 0; k < c; k++) data[(y * dw + x) * c + k] = map.data[(sy * map.width + sx) * c + k]!;
    }
  }
  return { width: dw, height: dh, channels: c, data };
}
