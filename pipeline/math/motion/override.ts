// A known motion field with the user's regions overriding it (`afb edit IMAGE --motion FILE`):
// a region labelled with a direction keeps each pixel's speed and turns it to that direction; a
// region labelled static stops it. Pure: no I/O.
import { forEachPixelInside, labelVector, type LabelmeShape } from '../labelme.js';
import type { MotionField } from './motion-field.js';

/**
 * The motion with `shapes` overriding it (a new field). Inside a shape (pixel centres decide, as
 * `afb guidance --labelme` rasterises) whose label names a direction, the motion is the original
 * speed |F(p)| along the unit vector of the label's arrow (`up-left`: 135 degrees, `angle:22.5`:
 * 22.5 degrees, ...); inside a `static` shape it is zero. Shapes apply in order, so later shapes
 * win; every shape takes its speed from the original field. Outside every shape the motion is the
 * original, bit for bit. Throws InvalidOptionError for a label outside the labelme vocabulary or
 * a shape with too few points (pipeline/math/labelme.ts).
 */
export function overrideMotion(motion: MotionField, shapes: readonly LabelmeShape[]): MotionField {
  const { width, height, data: f } = motion;
  const out = Float32Array.from(f);
  shapes.forEach((shape, index) => {
    const v = labelVector(shape.label, index);
    const n = v ? Math.hypot(v[0], v[1]) : 1;
    const [ux, uy] = v ? [v[0] / n, v[1] / n] : [0, 0];
    forEachPixelInside(shape, width, height, index, (p) => {
      const speed = Math.hypot(f[2 * p]!, f[2 * p + 1]!);
      out[2 * p] = speed * ux;
      out[2 * p + 1] = speed * uy;
    });
  });
  return { width, height, data: out };
}
