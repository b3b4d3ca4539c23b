// A motion field summarised as a grid of arrows for display (`afb edit --motion`): the mean motion
// of each cell, its quadrant and the longest mean, so that a viewer draws arrows whose length is
// proportional to the speed. Pure: no I/O.
import { guidanceClass } from '../guidance-colour.js';
import { DEFAULT_STATIC_THRESHOLD, quantizeVector4 } from '../guidance.js';
import type { MotionField } from './motion-field.js';

/** One cell's arrow. */
export interface MotionArrow {
  /** Centre of the cell, image pixels ((0, 0) = the image's top-left corner). */
  readonly x: number;
  readonly y: number;
  /** Mean motion over the cell, pixels per frame interval (+x right, +y down). */
  readonly u: number;
  readonly v: number;
  /** Guidance class of the mean (1..4, the reference quadrant order of GUIDANCE_COLOURS). */
  readonly quadrant: number;
}

/** The arrows of a field. */
export interface ArrowGrid {
  /** Cell side in image pixels (the last row and column of cells may be smaller). */
  readonly cell: number;
  /** Largest |(u, v)| among the arrows (0 when there is none). */
  readonly maxSpeed: number;
  /** Moving cells only, in raster order of the cells. */
  readonly arrows: MotionArrow[];
}

/** Cells across the longer side by default: readable arrows at any image size. */
export const DEFAULT_ARROWS_ACROSS = 32;

/** Cell side for about `across` cells along the longer side (at least 4 pixels). */
export function arrowCellSize(width: number, height: number, across = DEFAULT_ARROWS_ACROSS): number {
  return Math.max(4, Math.ceil(Math.max(width, height) / across));
}

/**
 * The mean motion of every cell x cell block (blocks at the right and bottom edges cover what is
 * left); a cell whose mean is shorter than `threshold` (the guidance quantiser's static class) has
 * no arrow. RangeError for a cell side < 1.
 */
export function motionArrows(motion: MotionField, cell: number, threshold = DEFAULT_STATIC_THRESHOLD): ArrowGrid {
  if (!(Number.isInteger(cell) && cell >= 1)) throw new RangeError(`Expected an integer >= 1 for the arrow cell but received ${cell}`);
  const { width, height, data } = motion;
  const arrows: MotionArrow[] = [];
  let maxSpeed = 0;
  for (let y0 = 0; y0 < height; y0 += cell) {
    const y1 = Math.min(height, y0 + cell);
    for (let x0 = 0; x0 < width; x0 += cell) {
      const x1 = Math.min(width, x0 + cell);
      let su = 0;
      let sv = 0;
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          su += data[2 * (y * width + x)]!;
          sv += data[2 * (y * width + x) + 1]!;
        }
      }
      const count = (y1 - y0) * (x1 - x0);
      const [u, v] = [su / count, sv / count];
      const speed = Math.hypot(u, v);
      if (!(speed >= threshold)) continue;
      const [qx, qy] = quantizeVector4(u, v, threshold);
      arrows.push({ x: (x0 + x1) / 2, y: (y0 + y1) / 2, u, v, quadrant: guidanceClass(qx, qy) });
      maxSpeed = Math.max(maxSpeed, speed);
    }
  }
  return { cell, maxSpeed, arrows };
}
