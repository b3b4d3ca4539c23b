// The editor's known-motion maths on literal arrays: regions overriding a motion field, and the
// grid of arrows that shows a field.
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../pipeline/errors.js';
import { arrowCellSize, motionArrows } from '../pipeline/math/motion/arrow-grid.js';
import { overrideMotion } from '../pipeline/math/motion/override.js';
import type { MotionField } from '../pipeline/math/motion/motion-field.js';

const S = Math.SQRT1_2;

/** A 4x3 field, pixel p = y * 4 + x, (u, v) per pixel; speeds 5, 10, 0.5, 0, 13, ... */
const FIELD: number[][] = [
  [3, 4], [-6, 8], [0.3, 0.4], [0, 0],
  [5, 12], [1, 0], [0, -2], [-8, -6],
  [2, 0], [0, 0], [9, 12], [-0.6, 0.8],
];
const field = (): MotionField => ({ width: 4, height: 3, data: Float32Array.from(FIELD.flat()) });
const at = (m: MotionField, p: number) => [m.data[2 * p]!, m.data[2 * p + 1]!];
/** The field's value at p as float32 holds it. */
const original = (p: number) => Array.from(Float32Array.from(FIELD[p]!));

describe('overrideMotion', () => {
  it('turns the speed inside a region to its direction and leaves every other pixel bit for bit', () => {
    // Rectangle [1,3) x [0,2): pixel centres x + 0.5 in it -> x = 1, 2; y = 0, 1 -> pixels 1, 2, 5, 6.
    const input = field();
    const out = overrideMotion(input, [{ label: 'up-left', shapeType: 'rectangle', points: [[1, 0], [3, 2]] }]);
    const speeds: Record<number, number> = { 1: 10, 2: 0.5, 5: 1, 6: 2 };
    for (let p = 0; p < 12; p++) {
      const s = speeds[p];
      if (s === undefined) expect(at(out, p)).toEqual(original(p));
      else {
        expect(at(out, p)[0]).toBeCloseTo(-s * S, 5);
        expect(at(out, p)[1]).toBeCloseTo(-s * S, 5);
      }
    }
    expect(Array.from(input.data)).toEqual(Array.from(Float32Array.from(FIELD.flat()))); // the input is untouched
  });

  it('static stops the motion; later regions win and take the original speed, not the overridden one', () => {
    const out = overrideMotion(field(), [
      { label: 'static', shapeType: 'rectangle', points: [[0, 0], [4, 3]] },
      { label: 'right', shapeType: 'rectangle', points: [[0, 1], [2, 2]] }, // pixels 4, 5
    ]);
    for (let p = 0; p < 12; p++) {
      if (p === 4) expect(at(out, p)).toEqual([13, 0]);
      else if (p === 5) expect(at(out, p)).toEqual([1, 0]);
      else expect(at(out, p)).toEqual([0, 0]);
    }
  });

  it('angles point where their arrow does: 90 is up, 22.5 is just above right (y down)', () => {
    const out = overrideMotion(field(), [
      { label: 'angle:90', shapeType: 'rectangle', points: [[0, 0], [1, 1]] }, // pixel 0, speed 5
      { label: 'angle:22.5', shapeType: 'rectangle', points: [[3, 1], [4, 2]] }, // pixel 7, speed 10
      { label: 'down', shapeType: 'rectangle', points: [[2, 2], [3, 3]] }, // pixel 10, speed 15
    ]);
    expect(at(out, 0)).toEqual([0, -5]);
    expect(at(out, 7)[0]).toBeCloseTo(10 * Math.cos(Math.PI / 8), 5);
    expect(at(out, 7)[1]).toBeCloseTo(-10 * Math.sin(Math.PI / 8), 5);
    expect(at(out, 10)).toEqual([0, 15]);
  });

  it('a polygon covers the pixels whose centres it contains', () => {
    // Triangle (0,0) (4,0) (0,3): centres (0.5,0.5), (1.5,0.5), (2.5,0.5), (0.5,1.5), (1.5,1.5)?, (0.5,2.5)?
    // Inside when x/4 + y/3 < 1: (1.5,1.5) 0.875 yes; (2.5,0.5) 0.79 yes; (3.5,0.5) 1.04 no; (0.5,2.5) 0.96 yes; (1.5,2.5) 1.2 no; (2.5,1.5) 1.125 no.
    const out = overrideMotion(field(), [{ label: 'down-right', shapeType: 'polygon', points: [[0, 0], [4, 0], [0, 3]] }]);
    const inside = new Set([0, 1, 2, 4, 5, 8]);
    for (let p = 0; p < 12; p++) {
      if (!inside.has(p)) {
        expect(at(out, p)).toEqual(original(p));
        continue;
      }
      const s = Math.hypot(FIELD[p]![0]!, FIELD[p]![1]!);
      expect(at(out, p)[0]).toBeCloseTo(s * S, 5);
      expect(at(out, p)[1]).toBeCloseTo(s * S, 5);
    }
  });

  it('names the region whose label is not a direction', () => {
    const shapes = [{ label: 'up', shapeType: 'rectangle', points: [[0, 0], [1, 1]] as [number, number][] }, { label: 'sideways', shapeType: 'rectangle', points: [[0, 0], [1, 1]] as [number, number][] }];
    expect(() => overrideMotion(field(), shapes)).toThrow(InvalidOptionError);
    expect(() => overrideMotion(field(), shapes)).toThrow(/labelme shape 1 label.*sideways/);
  });
});

describe('motionArrows', () => {
  it('gives each moving cell its mean motion, its quadrant and the longest mean; static cells none', () => {
    // 4x3, cell 2: cells [0,2)x[0,2), [2,4)x[0,2), [0,2)x[2,3), [2,4)x[2,3).
    const grid = motionArrows(field(), 2);
    expect(grid.cell).toBe(2);
    // cell 0: (3,4) (-6,8) (5,12) (1,0) -> mean (0.75, 6); cell 1: (0.3,0.4) (0,0) (0,-2) (-8,-6) -> (-1.925, -1.9)
    // cell 2: (2,0) (0,0) -> (1, 0); cell 3: (9,12) (-0.6,0.8) -> (4.2, 6.4)
    expect(grid.arrows.map((a) => [a.x, a.y])).toEqual([[1, 1], [3, 1], [1, 2.5], [3, 2.5]]);
    const means = [[0.75, 6], [-1.925, -1.9], [1, 0], [4.2, 6.4]];
    grid.arrows.forEach((a, k) => {
      expect(a.u).toBeCloseTo(means[k]![0]!, 5);
      expect(a.v).toBeCloseTo(means[k]![1]!, 5);
    });
    // quadrants: (+,+) down-right 4; (-,-) up-left 2; (1, 0): the reference tie-break puts 0 degrees in (1,-1), class 1
    expect(grid.arrows.map((a) => a.quadrant)).toEqual([4, 2, 1, 4]);
    expect(grid.maxSpeed).toBeCloseTo(Math.hypot(4.2, 6.4), 5);
  });

  it('leaves out cells whose mean is below the static threshold, even when pixels in them move', () => {
    const m: MotionField = { width: 2, height: 1, data: Float32Array.of(3, 0, -3, 0.4) }; // mean (0, 0.2)
    expect(motionArrows(m, 2).arrows).toEqual([]);
    expect(motionArrows(m, 2).maxSpeed).toBe(0);
    expect(motionArrows(m, 1).arrows.map((a) => a.quadrant)).toEqual([1, 3]); // (3, 0): 0 degrees -> (1,-1); (-3, 0.4) -> (-1, 1)
  });

  it('sizes cells for about 32 across the longer side, at least 4 pixels', () => {
    expect(arrowCellSize(3840, 2160)).toBe(120);
    expect(arrowCellSize(240, 136)).toBe(8);
    expect(arrowCellSize(40, 24)).toBe(4);
    expect(arrowCellSize(100, 50, 10)).toBe(10);
    expect(() => motionArrows(field(), 0)).toThrow(RangeError);
  });
});
