import { describe, expect, it } from 'vitest';
import { codeIndex, directionVocabulary, findDirection, paintDirections } from '../pipeline/math/direction-vocabulary.js';
import { GUIDANCE_COLOURS, guidanceToColour } from '../pipeline/math/guidance-colour.js';
import { regionsToShapes, traceGuidanceRegions } from '../pipeline/math/guidance-regions.js';
import { quantizeVector, type DirectionCount } from '../pipeline/math/guidance.js';
import { labelmeToGuidance, labelToCode } from '../pipeline/math/labelme.js';
import { createUniform } from '../pipeline/math/predictor-maths.js';
import type { GuidanceMap } from '../pipeline/math/types.js';

describe('direction vocabulary', () => {
  it('lists the 4 reference quadrants in the reference colours, static first', () => {
    const v = directionVocabulary(4);
    expect(v.map((d) => d.label)).toEqual(['static', 'up-right', 'up-left', 'down-left', 'down-right']);
    expect(v.map((d) => d.code)).toEqual([[0, 0], [1, -1], [-1, -1], [-1, 1], [1, 1]]);
    expect(v.map((d) => d.colour)).toEqual(GUIDANCE_COLOURS);
    expect(v.map((d) => d.angle)).toEqual([null, 45, 135, 225, 315]);
  });

  it('labels 8 and 16 directions by their sector centres', () => {
    expect(directionVocabulary(8).map((d) => d.label)).toEqual(['static', 'angle:22.5', 'angle:67.5', 'angle:112.5', 'angle:157.5', 'angle:202.5', 'angle:247.5', 'angle:292.5', 'angle:337.5']);
    expect(directionVocabulary(2).map((d) => d.label)).toEqual(['static', 'right', 'left']);
    expect(directionVocabulary(16)[1]!.label).toBe('angle:11.25');
  });

  for (const n of [2, 4, 8, 16] as DirectionCount[]) {
    it(`gives ${n} directions ${n} distinct codes whose labels rasterise to them, each arrow inside its own sector`, () => {
      const v = directionVocabulary(n);
      expect(v).toHaveLength(n + 1);
      expect(new Set(v.map((d) => codeIndex(d.code))).size).toBe(n + 1);
      const half = 180 / n - 1; // an arrow turned by less than half a sector keeps its code
      for (const d of v) {
        expect(labelToCode(d.label, n, 0)).toEqual(d.code);
        if (d.angle === null) continue;
        for (const a of [d.angle - half, d.angle, d.angle + half]) {
          const r = (a * Math.PI) / 180;
          expect(quantizeVector(Math.cos(r), -Math.sin(r), n, 0)).toEqual(d.code);
        }
        expect(findDirection(v, d.code)).toBe(d);
      }
    });
  }

  it('paints 4-direction guidance exactly like the reference colour pictures', () => {
    const rand = createUniform(3);
    const codes = [[0, 0], [1, -1], [-1, -1], [-1, 1], [1, 1]];
    const data = new Int8Array(13 * 7 * 2);
    for (let i = 0; i < 13 * 7; i++) data.set(codes[Math.floor(rand() * 5)]!, 2 * i);
    const g: GuidanceMap = { width: 13, height: 7, channels: 2, data };
    expect(Array.from(paintDirections(g, directionVocabulary(4)).data)).toEqual(Array.from(guidanceToColour(g).data));
  });
});

/** A map from rows of digits: 0 = static, k = the k-th quadrant of the 4-direction vocabulary. */
function mapOf(rows: string[]): GuidanceMap {
  const v = directionVocabulary(4);
  const width = rows[0]!.length;
  const data = new Int8Array(width * rows.length * 2);
  rows.forEach((row, y) => [...row].forEach((ch, x) => data.set(v[Number(ch)]!.code, (y * width + x) * 2)));
  return { width, height: rows.length, channels: 2, data };
}

const labelOf = (code: readonly number[]) => findDirection(directionVocabulary(code.length === 2 ? 4 : 8), code)!.label;
const repaint = (g: GuidanceMap) => labelmeToGuidance(regionsToShapes(traceGuidanceRegions(g), labelOf), g.width, g.height, g.channels === 2 ? 4 : 8);

describe('guidance regions', () => {
  it('traces a block along its pixel edges, clockwise, corners only', () => {
    const regions = traceGuidanceRegions(mapOf(['0000', '0110', '0110', '0000']));
    expect(regions).toEqual([{ code: [1, -1], pixels: 4, outline: [[1, 1], [3, 1], [3, 3], [1, 3]] }]);
  });

  it('paints a ring before the static hole and the blob inside it', () => {
    const g = mapOf(['1111111', '1000001', '1022201', '1000001', '1111111']);
    const regions = traceGuidanceRegions(g);
    expect(regions.map((r) => [r.code, r.pixels])).toEqual([[[1, -1], 20], [[0, 0], 12], [[-1, -1], 3]]);
    expect(regions[0]!.outline).toEqual([[0, 0], [7, 0], [7, 5], [0, 5]]);
    expect(Array.from(repaint(g).data)).toEqual(Array.from(g.data));
  });

  it('keeps regions that touch only at a corner apart (4-connected) and still repaints exactly', () => {
    const g = mapOf(['110', '101', '111']); // the static pixel touches the outside at a corner only
    expect(traceGuidanceRegions(g).map((r) => r.pixels)).toEqual([7, 1]);
    expect(Array.from(repaint(g).data)).toEqual(Array.from(g.data));
    const diagonal = mapOf(['1200', '2100', '0012']);
    expect(Array.from(repaint(diagonal).data)).toEqual(Array.from(diagonal.data));
  });

  it('repaints random maps exactly (noise and blobs, 4 and 8 directions)', () => {
    const rand = createUniform(17);
    for (let t = 0; t < 300; t++) {
      const width = 1 + Math.floor(rand() * 14);
      const height = 1 + Math.floor(rand() * 11);
      const eight = t % 3 === 2;
      const v = directionVocabulary(eight ? 8 : 4);
      const used = v.slice(0, 2 + Math.floor(rand() * (v.length - 1)));
      const c = eight ? 3 : 2;
      const data = new Int8Array(width * height * c);
      const blobs = t % 2 === 0; // blobs: each pixel copies its left or upper neighbour most of the time
      for (let i = 0; i < width * height; i++) {
        const x = i % width;
        let code = used[Math.floor(rand() * used.length)]!.code;
        if (blobs && rand() < 0.8 && i > 0) {
          const from = x > 0 && (i < width || rand() < 0.5) ? i - 1 : i >= width ? i - width : i;
          if (from !== i) code = Array.from(data.subarray(from * c, from * c + c));
        }
        data.set(code, i * c);
      }
      const g: GuidanceMap = { width, height, channels: c, data };
      expect(Array.from(repaint(g).data), `map ${t} (${width}x${height})`).toEqual(Array.from(data));
    }
  });
});
