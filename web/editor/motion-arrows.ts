// The known motion drawn as a grid of arrows (`afb edit --motion`): one arrow per moving cell at
// the cell's centre, its length proportional to the speed (the fastest about one cell long), in
// the guidance colour of its quadrant.
import { cssColour, drawArrow } from './arrows.js';
import type { DirectionInfo, MotionArrows } from './protocol.js';
import type { View } from './view.js';

/** One arrow drawn: cell centre (image pixels) and motion (pixels per frame interval). */
export interface DrawnArrow {
  readonly x: number;
  readonly y: number;
  readonly u: number;
  readonly v: number;
}

/** Share of a cell the fastest arrow spans (the rest keeps neighbouring arrows apart). */
const LONGEST = 0.85;
/** Arrows shorter than this many CSS pixels are not drawn (unreadable). */
const SHORTEST = 3;
/** Width of an arrow's coloured line, CSS pixels (thinner than a region's arrow). */
const WEIGHT = 1.3;

/**
 * Draw the arrows in CSS pixels; `quadrants` is the 4-direction vocabulary (index = quadrant).
 * Returns the arrows drawn.
 */
export function drawMotionArrows(ctx: CanvasRenderingContext2D, view: View, grid: MotionArrows, quadrants: readonly DirectionInfo[]): DrawnArrow[] {
  const drawn: DrawnArrow[] = [];
  if (grid.maxSpeed <= 0) return drawn;
  const perSpeed = (LONGEST * grid.cell * view.scale) / grid.maxSpeed;
  for (const [x, y, u, v, quadrant] of grid.arrows) {
    const length = Math.hypot(u, v) * perSpeed;
    if (length < SHORTEST) continue;
    const [cx, cy] = view.toClient(x, y);
    const angle = (Math.atan2(-v, u) * 180) / Math.PI; // screen degrees: y is down in the image
    drawArrow(ctx, cx, cy, angle, cssColour(quadrants[quadrant]?.colour ?? [255, 0, 255]), length, WEIGHT);
    drawn.push({ x, y, u, v });
  }
  return drawn;
}
