// `afb edit IMAGE --motion FILE`: the image's known motion, the decomposition task Animate runs
// with it (the fields `afb decompose --motion` gives the same frame) and the arrows the page shows.
import type { DecomposeMethod } from '../../configs/model-options.js';
import type { MotionArrows } from '../../web/editor/protocol.js';
import { imageExposure } from '../decompose.js';
import type { DecomposeTask } from '../frame/decompose-frame.js';
import type { Logger } from '../log.js';
import { arrowCellSize, motionArrows } from '../math/motion/arrow-grid.js';
import type { MotionField } from '../math/motion/motion-field.js';
import type { GuidanceMap, RgbImage } from '../math/types.js';

/** The known motion of an editing session. */
export interface KnownMotion {
  /** The motion file (--motion). */
  readonly path: string;
  /** Its field at the image's size (pipeline/io/motion-io.ts). */
  readonly field: MotionField;
  /** How Animate decomposes (--method, auto resolved). */
  readonly method: DecomposeMethod;
  /** --exposure: a fraction, or 'auto' (estimated from the image along the composed motion). */
  readonly exposure: number | 'auto';
}

/**
 * The task fields for decomposing `image` with motion `m` (guidance `g` = its quantisation), as
 * runDecompose (pipeline/decompose.ts) builds them for `afb decompose IMAGE --motion FILE`: the
 * guidance method sees the guidance only; learned and physics the motion and the exposure.
 */
export function decomposeMotionTask(known: KnownMotion, image: RgbImage, m: MotionField, g: GuidanceMap, log: Logger): Pick<DecomposeTask, 'method' | 'guidance' | 'motion' | 'exposure'> {
  if (known.method === 'guidance') return { method: 'guidance', guidance: g.data };
  return { method: known.method, guidance: g.data, motion: m.data, exposure: imageExposure(known.exposure, image, m, log) };
}

/** Digits kept of an arrow's motion in the page's JSON (0.001 pixel per frame interval). */
const ARROW_PRECISION = 1000;

/** A motion field as the page's arrows: about 32 cells along the longer side (pipeline/math/motion/arrow-grid.ts). */
export function arrowsOf(m: MotionField): MotionArrows {
  const grid = motionArrows(m, arrowCellSize(m.width, m.height));
  const round = (v: number) => Math.round(v * ARROW_PRECISION) / ARROW_PRECISION;
  return { cell: grid.cell, maxSpeed: grid.maxSpeed, arrows: grid.arrows.map((a) => [a.x, a.y, round(a.u), round(a.v), a.quadrant] as const) };
}
