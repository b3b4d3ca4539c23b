// Pure parts of the guidance predictor: seeded normal latents, the 256x256 input resize, logits ->
// guidance classes and the nearest-neighbour resize back. Pure: no I/O.
import type { GuidanceMap } from './types.js';

/** Guidance (x, y) of each predictor class, as upstream: 0 static, 1 (1,-1), 2 (-1,-1), 3 (-1,1), 4 (1,1). */
export const CLASS_TO_GUIDANCE: readonly (readonly [number, number])[] = [
  [0, 0],
  [1, -1],
  [-1, -1],
  [-1, 1],
  [1, 1],
];

/** Deterministic uniform [0,1) generator (mulberry32) from a 32-bit seed. */
export function createUniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` latent vectors of `size` N(0,1) values (Box-Muller on a seeded uniform stream). */
export function sampleLatents(seed: number, count: number, size = 4): Float32Array[] {
  const uniform = createUniform(seed);
  const normal = (): number => {
    const u1 = Math.max(uniform(), 1e-12); // log(0) guard
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * uniform());
  };
  return Array.from({ length: count }, () => Float32Array.from({ length: size }, normal));
}

/**
 * Bilinear resize (half-pixel centres, like OpenCV INTER_LINEAR) of interleaved RGB values to
 * planar (3, dh, dw) floats multiplied by `scale`.
 */
export function resizeBilinearToPlanar(src: ArrayLike<number>, w: number, h: number, dw: number, dh: number, scale = 1): Float32Array {
  const out = new Float32Array(3 * dw * dh);
  const sx = w / dw;
  const sy = h / dh;
  for (let y = 0; y < dh; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), h - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, h - 1);
    const ty = fy - y0;
    for (let x = 0; x < dw; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), w - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, w - 1);
      const tx = fx - x0;
      for (let k = 0; k < 3; k++) {
        const a = src[(y0 * w + x0) * 3 + k]! * (1 - tx) + src[(y0 * w + x1) * 3 + k]! * tx;
        const b = src[(y1 * w + x0) * 3 + k]! * (1 - tx) + src[(y1 * w + x1) * 3 + k]! * tx;
        out[k * dw * dh + y * dw + x] = (a * (1 - ty) + b * ty) * scale;
      }
    }
  }
  return out;
}

/** Planar logits (classes, h, w) -> per-pixel argmax class (first maximum wins ties). */
export function argmaxClasses(logits: Float32Array, classes: number, w: number, h: number): Uint8Array {
  const plane = w * h;
  const out = new Uint8Array(plane);
  for (let p = 0; p < plane; p++) {
    let best = 0;
    let bestValue = logits[p]!;
    for (let c = 1; c < classes; c++) {
      const v = logits[c * plane + p]!;
      if (v > bestValue) {
        bestValue = v;
        best = c;
      }
    }
    out[p] = best;
  }
  return out;
}

/** Class map (w x h) -> guidance map of size dw x dh by nearest neighbour (OpenCV INTER_NEAREST indexing). */
export function classesToGuidance(classes: Uint8Array, w: number, h: number, dw: number, dh: number): GuidanceMap {
  const data = new Int8Array(dw * dh * 2);
  for (let y = 0; y < dh; y++) {
    const syi = Math.min(h - 1, Math.floor((y * h) / dh));
    for (let x = 0; x < dw; x++) {
      const sxi = Math.min(w - 1, Math.floor((x * w) / dw));
      const g = CLASS_TO_GUIDANCE[classes[syi * w + sxi]!] ?? CLASS_TO_GUIDANCE[0]!;
      data[(y * dw + x) * 2] = g[0];
      data[(y * dw + x) * 2 + 1] = g[1];
    }
  }
  return { width: dw, height: dh, channels: 2, data };
}
