// Colour pictures of motion: 4-direction guidance in the reference colours (both ways) and the
// Middlebury (Baker et al. 2011) colour wheel for flow fields. Pure: no I/O.
import type { FlowField, GuidanceMap, RgbImage } from './types.js';

/** Reference guidance colours, index = upstream class label: static, (1,-1), (-1,-1), (-1,1), (1,1). */
export const GUIDANCE_COLOURS: readonly (readonly [number, number, number])[] = [
  [0, 0, 0], // 0 static: black
  [255, 0, 0], // 1 (1,-1) up-right: red
  [0, 255, 0], // 2 (-1,-1) up-left: green
  [255, 255, 0], // 3 (-1,1) down-left: yellow
  [0, 0, 255], // 4 (1,1) down-right: blue
];

/** Guidance (x, y) of each class label, same order as GUIDANCE_COLOURS. */
export const GUIDANCE_CLASSES: readonly (readonly [number, number])[] = [[0, 0], [1, -1], [-1, -1], [-1, 1], [1, 1]];

/** Upstream class label (0..4) of a 4-direction guidance value; a mixed value like (1, 0) counts as static. */
export function guidanceClass(x: number, y: number): number {
  if (x === 0 || y === 0) return 0;
  return x > 0 ? (y < 0 ? 1 : 4) : y < 0 ? 2 : 3;
}

function requireFourDirections(g: GuidanceMap): void {
  if (g.channels !== 2) throw new RangeError(`Colour guidance needs 4-direction guidance (2 channels), not ${g.channels} channels`);
}

/** Paint 4-direction guidance in the reference colours (8-bit RGB). */
export function guidanceToColour(g: GuidanceMap): RgbImage {
  requireFourDirections(g);
  const n = g.width * g.height;
  const data = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const c = GUIDANCE_COLOURS[guidanceClass(g.data[2 * i]!, g.data[2 * i + 1]!)]!;
    data[3 * i] = c[0];
    data[3 * i + 1] = c[1];
    data[3 * i + 2] = c[2];
  }
  return { width: g.width, height: g.height, data };
}

/** Read 4-direction guidance back from a colour picture: each pixel takes the nearest reference colour. */
export function colourToGuidance(image: RgbImage): GuidanceMap {
  const n = image.width * image.height;
  const scale = image.data instanceof Uint16Array ? 1 / 257 : 1; // 16-bit to 8-bit range
  const data = new Int8Array(n * 2);
  for (let i = 0; i < n; i++) {
    const r = image.data[3 * i]! * scale;
    const gg = image.data[3 * i + 1]! * scale;
    const b = image.data[3 * i + 2]! * scale;
    let best = 0;
    let bestD = Infinity;
    for (let k = 0; k < GUIDANCE_COLOURS.length; k++) {
      const c = GUIDANCE_COLOURS[k]!;
      const d = (r - c[0]) ** 2 + (gg - c[1]) ** 2 + (b - c[2]) ** 2;
      if (d < bestD) [best, bestD] = [k, d];
    }
    data[2 * i] = GUIDANCE_CLASSES[best]![0];
    data[2 * i + 1] = GUIDANCE_CLASSES[best]![1];
  }
  return { width: image.width, height: image.height, channels: 2, data };
}

/** The Middlebury colour wheel: 55 hues (RY 15, YG 6, GC 4, CB 11, BM 13, MR 6), as in Baker et al. */
export function makeColourWheel(): Float32Array {
  const segments: [number, (t: number) => [number, number, number]][] = [
    [15, (t) => [255, t * 255, 0]], // red -> yellow
    [6, (t) => [255 - t * 255, 255, 0]], // yellow -> green
    [4, (t) => [0, 255, t * 255]], // green -> cyan
    [11, (t) => [0, 255 - t * 255, 255]], // cyan -> blue
    [13, (t) => [t * 255, 0, 255]], // blue -> magenta
    [6, (t) => [255, 0, 255 - t * 255]], // magenta -> red
  ];
  const cols: number[] = [];
  for (const [n, f] of segments) for (let i = 0; i < n; i++) cols.push(...f(Math.floor((255 * i) / n) / 255));
  return Float32Array.from(cols);
}

const WHEEL = makeColourWheel();

/**
 * Colour-code a flow field with the Middlebury wheel: hue = direction, saturation = magnitude
 * relative to `maxRadius` (default: the largest magnitude in the field); beyond it colours are dimmed.
 */
export function flowToColour(flow: FlowField, maxRadius?: number): RgbImage {
  const n = flow.width * flow.height;
  let maxRad = maxRadius ?? 0;
  if (maxRadius === undefined) for (let i = 0; i < n; i++) maxRad = Math.max(maxRad, Math.hypot(flow.data[2 * i]!, flow.data[2 * i + 1]!));
  const norm = maxRad > 0 ? 1 / maxRad : 0;
  const ncols = WHEEL.length / 3;
  const data = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const u = flow.data[2 * i]! * norm;
    const v = flow.data[2 * i + 1]! * norm;
    if (!Number.isFinite(u) || !Number.isFinite(v)) continue; // unknown flow: black
    const rad = Math.hypot(u, v);
    const a = Math.atan2(-v, -u) / Math.PI; // (-1, 1]
    const fk = ((a + 1) / 2) * (ncols - 1);
    const k0 = Math.floor(fk);
    const k1 = (k0 + 1) % ncols;
    const f = fk - k0;
    for (let c = 0; c < 3; c++) {
      let col = ((1 - f) * WHEEL[k0 * 3 + c]! + f * WHEEL[k1 * 3 + c]!) / 255;
      col = rad <= 1 ? 1 - rad * (1 - col) : col * 0.75; // 0.75: Middlebury's dimming of out-of-range vectors
      data[3 * i + c] = Math.round(255 * col);
    }
  }
  return { width: flow.width, height: flow.height, data };
}
