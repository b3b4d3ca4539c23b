// User motion annotation: labelme shapes (polygons, rectangles, circles) whose labels name a
// direction, rasterised into a guidance map. Pure: no I/O (pipeline/io/labelme-io.ts reads files).
import { InvalidOptionError } from '../errors.js';
import { channelsForDirections, quantizeVector, type DirectionCount } from './guidance.js';
import type { GuidanceMap } from './types.js';

/** One labelme shape: its label, points (image coordinates, (0,0) = top-left corner of the image) and type. */
export interface LabelmeShape {
  readonly label: string;
  readonly points: readonly (readonly [number, number])[];
  /** 'polygon' (labelme's default), 'rectangle' or 'circle'. */
  readonly shapeType: string;
}

/** Named direction labels -> unit vector in image axes (+x right, +y down). */
const NAMED: Record<string, readonly [number, number]> = {
  right: [1, 0], left: [-1, 0], up: [0, -1], down: [0, 1],
  'up-right': [1, -1], 'up-left': [-1, -1], 'down-left': [-1, 1], 'down-right': [1, 1],
  'right-up': [1, -1], 'left-up': [-1, -1], 'left-down': [-1, 1], 'right-down': [1, 1],
};

const VOCABULARY = 'static, up-right, up-left, down-left, down-right, right, left, up, down, or an angle in degrees like 30 or angle:30';

/**
 * Unit vector of a screen angle: 0deg = right, counter-clockwise on screen positive (90 = up,
 * 180 = left, 270 or -90 = down), returned in y-down image axes. Multiples of 45deg are exact.
 */
export function screenAngleToVector(degrees: number): [number, number] {
  const d = ((degrees % 360) + 360) % 360;
  const exact: Record<number, [number, number]> = {
    0: [1, 0], 45: [1, -1], 90: [0, -1], 135: [-1, -1], 180: [-1, 0], 225: [-1, 1], 270: [0, 1], 315: [1, 1],
  };
  if (exact[d]) return exact[d]!;
  const r = (d * Math.PI) / 180;
  return [Math.cos(r), -Math.sin(r)];
}

/**
 * Guidance code of a label for `directions` directions: 'static' -> zeros; named directions and
 * angles -> their vector quantised like flow (so 'right' with 4 directions follows the reference
 * tie-break: (1, -1)). Case, spaces and underscores are ignored. InvalidOptionError naming the
 * shape and the label when it is not in the vocabulary.
 */
export function labelToCode(label: string, directions: DirectionCount, shapeIndex: number): number[] {
  const vector = labelVector(label, shapeIndex);
  if (!vector) return new Array<number>(channelsForDirections(directions)).fill(0);
  return quantizeVector(vector[0], vector[1], directions, 0);
}

/**
 * The direction a label names, in image axes (+x right, +y down; not normalised: 'up-right' is
 * (1, -1)), or null for 'static'. Same vocabulary and errors as labelToCode.
 */
export function labelVector(label: string, shapeIndex: number): readonly [number, number] | null {
  const lower = label.trim().toLowerCase();
  const key = lower.replace(/[\s_]+/g, '-');
  if (key === 'static') return null;
  const named = NAMED[key];
  if (named) return named;
  const angle = /^(?:angle:)?([+-]?\d+(?:\.\d+)?)(?:deg|°)?$/.exec(lower.replace(/\s+/g, ''));
  if (angle && Number.isFinite(Number(angle[1]))) return screenAngleToVector(Number(angle[1]));
  throw new InvalidOptionError(`labelme shape ${shapeIndex} label`, VOCABULARY, label);
}

/**
 * Inside-mask of one shape on a width x height grid: a pixel is inside when its centre
 * (x + 0.5, y + 0.5) is. Polygons use the even-odd rule (self-intersections leave holes);
 * rectangles (two opposite corners) are half-open [min, max); circles (centre, a point on the
 * circle) include their boundary. InvalidOptionError for other shape types or too few points.
 */
export function rasterizeShape(shape: LabelmeShape, width: number, height: number, shapeIndex: number): Uint8Array {
  const mask = new Uint8Array(width * height);
  const pts = shape.points;
  const where = `labelme shape ${shapeIndex}`;
  if (shape.shapeType === 'rectangle' || shape.shapeType === 'circle') {
    if (pts.length !== 2) throw new InvalidOptionError(`${where} points`, `2 points for a ${shape.shapeType}`, pts);
  } else if (shape.shapeType === 'polygon') {
    if (pts.length < 3) throw new InvalidOptionError(`${where} points`, 'at least 3 points for a polygon', pts);
  } else {
    throw new InvalidOptionError(`${where} shape_type`, 'polygon, rectangle or circle', shape.shapeType);
  }
  // Rows and columns a shape can cover: its bounding box (plus the circle's radius), clamped to the
  // grid, so the cost follows the shape's size, not the image's.
  const span = (lo: number, hi: number, n: number): [number, number] => [Math.max(0, Math.floor(lo) - 1), Math.min(n - 1, Math.ceil(hi) + 1)];
  if (shape.shapeType === 'rectangle') {
    const [[x0, y0], [x1, y1]] = pts as [[number, number], [number, number]];
    const [lx, hx, ly, hy] = [Math.min(x0, x1), Math.max(x0, x1), Math.min(y0, y1), Math.max(y0, y1)];
    const [ya, yb] = span(ly, hy, height);
    const [xa, xb] = span(lx, hx, width);
    for (let y = ya; y <= yb; y++) {
      if (y + 0.5 < ly || y + 0.5 >= hy) continue;
      for (let x = xa; x <= xb; x++) if (x + 0.5 >= lx && x + 0.5 < hx) mask[y * width + x] = 1;
    }
    return mask;
  }
  if (shape.shapeType === 'circle') {
    const [[cx, cy], [px, py]] = pts as [[number, number], [number, number]];
    const r2 = (px - cx) ** 2 + (py - cy) ** 2;
    const r = Math.sqrt(r2);
    const [ya, yb] = span(cy - r, cy + r, height);
    const [xa, xb] = span(cx - r, cx + r, width);
    for (let y = ya; y <= yb; y++) {
      for (let x = xa; x <= xb; x++) if ((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= r2) mask[y * width + x] = 1;
    }
    return mask;
  }
  // Polygon scanline, even-odd: crossings of each row's centre line, filled between pairs.
  const xs: number[] = [];
  let [minY, maxY] = [Infinity, -Infinity];
  for (const p of pts) [minY, maxY] = [Math.min(minY, p[1]), Math.max(maxY, p[1])];
  const [ya, yb] = span(minY, maxY, height);
  for (let y = ya; y <= yb; y++) {
    const sy = y + 0.5;
    xs.length = 0;
    for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) {
      const [xi, yi] = pts[i]!;
      const [xj, yj] = pts[j]!;
      if (yi > sy !== yj > sy) xs.push(xi + ((sy - yi) * (xj - xi)) / (yj - yi)); // half-open in y: no double counting at vertices
    }
    xs.sort((a, b) => a - b);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      // pixel centres x + 0.5 in [xs[k], xs[k+1])
      const from = Math.max(0, Math.ceil(xs[k]! - 0.5));
      const to = Math.min(width - 1, Math.ceil(xs[k + 1]! - 0.5) - 1);
      for (let x = from; x <= to; x++) mask[y * width + x] = 1;
    }
  }
  return mask;
}

/** First and last pixel row a shape can cover (pixel centres y + 0.5), clamped to the image. */
function shapeRows(shape: LabelmeShape, height: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  if (shape.shapeType === 'circle') {
    const [[cx, cy], [px, py]] = shape.points as [[number, number], [number, number]];
    const r = Math.hypot(px - cx, py - cy);
    [lo, hi] = [cy - r, cy + r];
  } else {
    for (const [, y] of shape.points) [lo, hi] = [Math.min(lo, y), Math.max(hi, y)];
  }
  return [Math.max(0, Math.floor(lo - 1)), Math.min(height - 1, Math.ceil(hi + 1))];
}

/**
 * Call `paint(i)` for the index i of every pixel inside a shape (rasterizeShape's rules), visiting
 * only the rows the shape can cover (many small shapes on a large image stay cheap).
 */
export function forEachPixelInside(shape: LabelmeShape, width: number, height: number, shapeIndex: number, paint: (i: number) => void): void {
  const mask = rasterizeShape(shape, width, height, shapeIndex);
  const [y0, y1] = shapeRows(shape, height);
  for (let i = y0 * width; i < (y1 + 1) * width; i++) if (mask[i]) paint(i);
}

/** Guidance from labelme shapes: unlabelled pixels static, shapes painted in order (later shapes win). */
export function labelmeToGuidance(shapes: readonly LabelmeShape[], width: number, height: number, directions: DirectionCount = 4): GuidanceMap {
  const c = channelsForDirections(directions);
  const data = new Int8Array(width * height * c);
  shapes.forEach((shape, index) => {
    const code = labelToCode(shape.label, directions, index);
    forEachPixelInside(shape, width, height, index, (i) => {
      for (let k = 0; k < c; k++) data[i * c + k] = code[k]!;
    });
  });
  return { width, height, channels: c, data };
}
