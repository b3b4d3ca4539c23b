// Image pairs with exactly known flow for tests and benchmarks: a multi-octave value-noise texture
// moved by a similarity transform (shift, rotation, zoom), optionally with a disc-shaped foreground
// layer moving differently. Deterministic from a seed. Pure.
import type { FlowField, RgbImage } from '../../pipeline/math/types.js';

/** A similarity motion about the image centre: prev point x goes to c + scale * R(angle) (x - c) + (dx, dy). */
export interface Motion {
  readonly dx: number;
  readonly dy: number;
  /** Rotation in degrees, y-down axes (positive = clockwise on screen). Default 0. */
  readonly angleDeg?: number;
  /** Zoom factor. Default 1. */
  readonly scale?: number;
}

/** A scene: a moving background and an optional disc (in prev's coordinates) moving with its own motion. */
export interface SyntheticPairSpec {
  readonly width: number;
  readonly height: number;
  readonly seed?: number;
  readonly background: Motion;
  readonly foreground?: { readonly motion: Motion; readonly cx: number; readonly cy: number; readonly radius: number };
}

/** A rendered pair and its exact flow (prev(x) = next(x + flow(x)) wherever x stays visible). */
export interface SyntheticPair {
  readonly prev: RgbImage;
  readonly next: RgbImage;
  readonly flow: FlowField;
}

function hash(ix: number, iy: number, seed: number): number {
  let h = Math.imul(ix, 0x27d4eb2d) ^ Math.imul(iy, 0x165667b1) ^ Math.imul(seed, 0x9e3779b9);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

/** Octave cell sizes in pixels and weights: features from ~4 px to ~64 px, so the texture survives 4x downsampling. */
const OCTAVES: readonly [number, number][] = [[64, 0.35], [24, 0.3], [10, 0.2], [4, 0.15]];

/** Smooth value noise in [0, 1) at a real-valued point. */
export function textureAt(x: number, y: number, seed: number): number {
  let sum = 0;
  for (let o = 0; o < OCTAVES.length; o++) {
    const [cell, weight] = OCTAVES[o]!;
    const fx = x / cell;
    const fy = y / cell;
    const ix = Math.floor(fx);
    const iy = Math.floor(fy);
    let tx = fx - ix;
    let ty = fy - iy;
    tx = tx * tx * (3 - 2 * tx); // smoothstep: continuous derivative across cells
    ty = ty * ty * (3 - 2 * ty);
    const s = seed * 7 + o;
    const a = hash(ix, iy, s) + tx * (hash(ix + 1, iy, s) - hash(ix, iy, s));
    const b = hash(ix, iy + 1, s) + tx * (hash(ix + 1, iy + 1, s) - hash(ix, iy + 1, s));
    sum += weight * (a + ty * (b - a));
  }
  return sum;
}

interface Affine { a: number; b: number; c: number; d: number; tx: number; ty: number }

function forward(m: Motion, cx: number, cy: number): Affine {
  const t = ((m.angleDeg ?? 0) * Math.PI) / 180;
  const s = m.scale ?? 1;
  const [a, b, c, d] = [s * Math.cos(t), -s * Math.sin(t), s * Math.sin(t), s * Math.cos(t)];
  return { a, b, c, d, tx: cx + m.dx - a * cx - b * cy, ty: cy + m.dy - c * cx - d * cy };
}

function invert(f: Affine): Affine {
  const det = f.a * f.d - f.b * f.c;
  const [a, b, c, d] = [f.d / det, -f.b / det, -f.c / det, f.a / det];
  return { a, b, c, d, tx: -(a * f.tx + b * f.ty), ty: -(c * f.tx + d * f.ty) };
}

/** Render a pair and its exact flow. */
export function renderSyntheticPair(spec: SyntheticPairSpec): SyntheticPair {
  const { width: w, height: h } = spec;
  const seed = spec.seed ?? 1;
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const bgF = forward(spec.background, cx, cy);
  const bgI = invert(bgF);
  const fg = spec.foreground;
  const fgF = fg ? forward(fg.motion, cx, cy) : bgF;
  const fgI = invert(fgF);
  const inFg = (x: number, y: number): boolean => !!fg && (x - fg.cx) ** 2 + (y - fg.cy) ** 2 <= fg.radius ** 2;
  // The foreground uses the same texture function far away in texture space, so the layers differ.
  const colour = (x: number, y: number, isFg: boolean, out: Uint8Array, i: number): void => {
    const ox = isFg ? 10007 : 0;
    const l = textureAt(x + ox, y, seed);
    const k = textureAt(x + ox + 5003, y, seed + 1);
    out[i] = Math.round(255 * l);
    out[i + 1] = Math.round(255 * (0.6 * l + 0.4 * k));
    out[i + 2] = Math.round(255 * (0.3 + 0.7 * k) * l);
  };
  const prev = new Uint8Array(w * h * 3);
  const next = new Uint8Array(w * h * 3);
  const flow = new Float32Array(w * h * 2);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const f = inFg(x, y);
      colour(x, y, f, prev, 3 * i);
      const m = f ? fgF : bgF;
      flow[2 * i] = m.a * x + m.b * y + m.tx - x;
      flow[2 * i + 1] = m.c * x + m.d * y + m.ty - y;
      // next(y) shows the foreground where its inverse motion lands inside the disc.
      const fx = fgI.a * x + fgI.b * y + fgI.tx;
      const fy = fgI.c * x + fgI.d * y + fgI.ty;
      if (inFg(fx, fy)) colour(fx, fy, true, next, 3 * i);
      else colour(bgI.a * x + bgI.b * y + bgI.tx, bgI.c * x + bgI.d * y + bgI.ty, false, next, 3 * i);
    }
  }
  return { prev: { width: w, height: h, data: prev }, next: { width: w, height: h, data: next }, flow: { width: w, height: h, data: flow } };
}

/** The project's standard evaluation scenes at a given size (motions scale with the width; none is axis-aligned). */
export function standardPairSpecs(width: number, height: number): { name: string; spec: SyntheticPairSpec }[] {
  const k = width / 960;
  const r = Math.min(width, height) * 0.3;
  return [
    { name: 'shift', spec: { width, height, seed: 1, background: { dx: 6.3 * k, dy: -3.7 * k } } },
    { name: 'rotate', spec: { width, height, seed: 2, background: { dx: 0, dy: 0, angleDeg: 1.5 } } },
    { name: 'zoom', spec: { width, height, seed: 3, background: { dx: 0, dy: 0, scale: 1.03 } } },
    {
      name: 'opposite',
      spec: { width, height, seed: 4, background: { dx: -4.2 * k, dy: 2.9 * k }, foreground: { motion: { dx: 5.1 * k, dy: -3.3 * k }, cx: width / 2, cy: height / 2, radius: r } },
    },
  ];
}

/** Large-motion scenes at a given size: a disc moving (dx, dy) px (at 960 wide) against a background moving -0.3 x that. */
export function largeMotionPairSpecs(width: number, height: number): { name: string; spec: SyntheticPairSpec }[] {
  const k = width / 960;
  return ([[12, -7], [25, -14], [40, 22], [60, -35]] as const).map(([dx, dy]) => ({
    name: `disc ${dx},${dy}`,
    spec: {
      width, height, seed: 8, background: { dx: -0.3 * dx * k, dy: -0.3 * dy * k },
      foreground: { motion: { dx: dx * k, dy: dy * k }, cx: width / 2, cy: height / 2, radius: Math.min(width, height) * 0.3 },
    },
  }));
}
