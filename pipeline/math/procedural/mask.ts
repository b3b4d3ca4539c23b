// Soft random sprite masks: star-shaped blobs (smooth Fourier outline), polygons and ellipses
// with a feathered edge. Pure: no I/O.
import type { Rng } from '../prng.js';

/** Parameters of a star-shaped outline r(theta) around the mask centre. */
export interface MaskShape {
  readonly kind: 'blob' | 'polygon' | 'ellipse';
  /** Mean radius in pixels. */
  readonly radius: number;
  /** Ellipse aspect (x radius / y radius), applied to every kind. */
  readonly aspect: number;
  /** Orientation of the aspect axis (radians). */
  readonly angle: number;
  /** Blob: Fourier amplitudes (relative) and phases for harmonics 2, 3, ... */
  readonly amps: readonly number[];
  readonly phases: readonly number[];
  /** Polygon: vertex angles (sorted, radians) and relative radii. */
  readonly vertexAngles: readonly number[];
  readonly vertexRadii: readonly number[];
  /** Width of the soft edge in pixels (alpha goes 0 -> 1 across it). */
  readonly feather: number;
}

/** Draw a random mask shape of mean radius `radius` with a feathered edge of 0.5..`maxFeather` px. */
export function randomMaskShape(rng: Rng, radius: number, maxFeather = 3): MaskShape {
  const u = rng.next();
  const kind = u < 0.5 ? 'blob' : u < 0.8 ? 'polygon' : 'ellipse';
  const harmonics = rng.int(2, 5);
  const amps: number[] = [];
  const phases: number[] = [];
  for (let i = 0; i < harmonics; i++) {
    amps.push(rng.uniform(0, 0.22 / (1 + 0.5 * i))); // higher harmonics smaller: blobby, not spiky
    phases.push(rng.uniform(0, 2 * Math.PI));
  }
  const n = rng.int(3, 9);
  const vertexAngles: number[] = [];
  for (let i = 0; i < n; i++) vertexAngles.push(((i + rng.uniform(-0.35, 0.35)) / n) * 2 * Math.PI);
  vertexAngles.sort((a, b) => a - b);
  const vertexRadii = vertexAngles.map(() => rng.uniform(0.6, 1.15));
  return {
    kind,
    radius,
    aspect: Math.exp(rng.uniform(-0.5, 0.5)),
    angle: rng.uniform(0, Math.PI),
    amps,
    phases,
    vertexAngles,
    vertexRadii,
    feather: rng.uniform(0.5, Math.max(0.5, maxFeather)),
  };
}

/** Relative outline radius (about 1) of a shape in direction theta (before aspect). */
export function outlineRadius(shape: MaskShape, theta: number): number {
  if (shape.kind === 'ellipse') return 1;
  if (shape.kind === 'blob') {
    let r = 1;
    for (let i = 0; i < shape.amps.length; i++) r += shape.amps[i]! * Math.cos((i + 2) * theta + shape.phases[i]!);
    return r;
  }
  // polygon: straight edges between vertices (radius along the chord, in polar form)
  const a = shape.vertexAngles;
  const rr = shape.vertexRadii;
  const n = a.length;
  const th = ((theta % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI);
  let k = n - 1;
  for (let i = 0; i < n; i++) if (a[i]! <= th) k = i;
  const i0 = k;
  const i1 = (k + 1) % n;
  const a0 = a[i0]!;
  let a1 = a[i1]!;
  let t = th;
  if (a1 <= a0) a1 += 2 * Math.PI;
  if (t < a0) t += 2 * Math.PI;
  const p0x = rr[i0]! * Math.cos(a0);
  const p0y = rr[i0]! * Math.sin(a0);
  const p1x = rr[i1]! * Math.cos(a1);
  const p1y = rr[i1]! * Math.sin(a1);
  // intersection of the ray at angle t with the segment p0-p1
  const dx = Math.cos(t);
  const dy = Math.sin(t);
  const ex = p1x - p0x;
  const ey = p1y - p0y;
  const den = dx * ey - dy * ex;
  if (Math.abs(den) < 1e-12) return Math.hypot(p0x, p0y);
  return (p0x * ey - p0y * ex) / den;
}

/**
 * Rasterise a shape centred in a width x height box: alpha in [0, 1] per pixel (row-major),
 * 1 inside, 0 outside, a linear ramp of `feather` px across the outline (radial distance).
 */
export function rasterizeMask(shape: MaskShape, width: number, height: number): Float32Array {
  const out = new Float32Array(width * height);
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const ca = Math.cos(shape.angle);
  const sa = Math.sin(shape.angle);
  const sx = Math.sqrt(shape.aspect);
  const sy = 1 / sx;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const dx = x - cx;
      const dy = y - cy;
      // into the shape frame: rotate by -angle, undo the aspect
      const u = (ca * dx + sa * dy) / sx;
      const v = (-sa * dx + ca * dy) / sy;
      const d = Math.hypot(u, v);
      const r = shape.radius * outlineRadius(shape, Math.atan2(v, u));
      const a = (r - d) / shape.feather + 0.5;
      out[y * width + x] = a <= 0 ? 0 : a >= 1 ? 1 : a;
    }
  }
  return out;
}

/** Half-size (pixels) of the square box that holds the whole shape including its soft edge. */
export function maskExtent(shape: MaskShape): number {
  let outline = 1;
  if (shape.kind === 'blob') outline += shape.amps.reduce((a, b) => a + b, 0);
  if (shape.kind === 'polygon') outline = Math.max(...shape.vertexRadii);
  const stretch = Math.max(Math.sqrt(shape.aspect), 1 / Math.sqrt(shape.aspect));
  return Math.ceil(shape.radius * outline * stretch + shape.feather + 2); // +2: an all-zero border for bilinear sampling
}
