import { describe, expect, it } from 'vitest';
import {
  aggregateFlows, channelsForDirections, directionsForChannels, quantizeFlow, quantizeFlow4, quantizeVector, quantizeVector4,
  type DirectionCount,
} from '../pipeline/math/guidance.js';
import { reverseFlow, reverseGuidance, rotateVector90, transformFlow, transformGuidance, type GeometricTransform } from '../pipeline/math/guidance-transforms.js';
import { colourToGuidance, flowToColour, guidanceToColour, makeColourWheel } from '../pipeline/math/guidance-colour.js';
import { halveGuidance, resizeGuidanceNearest } from '../pipeline/math/guidance-resize.js';
import type { FlowField, GuidanceMap } from '../pipeline/math/types.js';

const flow = (width: number, height: number, values: number[]): FlowField => ({ width, height, data: Float32Array.from(values) });

describe('quantizeVector4 (reference conventions)', () => {
  it('takes the signs of non-zero components', () => {
    expect(quantizeVector4(3, 2)).toEqual([1, 1]);
    expect(quantizeVector4(-3, 2)).toEqual([-1, 1]);
    expect(quantizeVector4(-3, -2)).toEqual([-1, -1]);
    expect(quantizeVector4(3, -2)).toEqual([1, -1]);
    expect(quantizeVector4(1e-6, -5)).toEqual([1, -1]);
  });
  it('breaks exactly-zero components by the angle bins (a, b]', () => {
    expect(quantizeVector4(1, 0)).toEqual([1, -1]); // 0deg in (-90, 0]
    expect(quantizeVector4(0, 1)).toEqual([1, 1]); // 90deg in (0, 90]
    expect(quantizeVector4(-1, 0)).toEqual([-1, 1]); // 180deg in (90, 180]
    expect(quantizeVector4(0, -1)).toEqual([-1, -1]); // -90deg in (-180, -90]
    // numpy.arctan2(-0.0, -1) = -180deg, so a negative zero goes to (-1,-1) as upstream.
    expect(quantizeVector4(-1, -0)).toEqual([-1, -1]);
  });
  it('treats exactly the threshold as moving and anything below as static', () => {
    expect(quantizeVector4(0.5, 0)).toEqual([1, -1]);
    expect(quantizeVector4(0, -0.5)).toEqual([-1, -1]);
    expect(quantizeVector4(0.49999, 0)).toEqual([0, 0]);
    expect(quantizeVector4(0.35, 0.35)).toEqual([0, 0]); // |v| = 0.495
    expect(quantizeVector4(0, 0)).toEqual([0, 0]);
    expect(quantizeVector4(2, 2, 3)).toEqual([0, 0]);
    expect(quantizeVector4(Number.NaN, 1)).toEqual([0, 0]);
  });
});

describe('quantizeVector for 2, 8 and 16 directions', () => {
  it('2 directions is the x channel of 4', () => {
    expect(quantizeVector(-3, 2, 2)).toEqual([-1]);
    expect(quantizeVector(0, 1, 2)).toEqual([1]);
    expect(quantizeVector(0, -1, 2)).toEqual([-1]);
    expect(quantizeVector(0.1, 0, 2)).toEqual([0]);
  });
  it('8 directions adds h = sign(|u| - |v|) with boundary ties to the smaller angle', () => {
    expect(quantizeVector(2, 1, 8)).toEqual([1, 1, 1]);
    expect(quantizeVector(1, 2, 8)).toEqual([1, 1, -1]);
    expect(quantizeVector(1, 1, 8)).toEqual([1, 1, 1]); // 45deg in (0, 45]
    expect(quantizeVector(-1, 1, 8)).toEqual([-1, 1, -1]); // 135deg in (90, 135]
    expect(quantizeVector(-1, -1, 8)).toEqual([-1, -1, 1]); // -135deg in (-180, -135]
    expect(quantizeVector(1, -1, 8)).toEqual([1, -1, -1]); // -45deg in (-90, -45]
    expect(quantizeVector(1, 0, 8)).toEqual([1, -1, 1]);
    expect(quantizeVector(0, 1, 8)).toEqual([1, 1, -1]);
    expect(quantizeVector(0.2, 0.2, 8)).toEqual([0, 0, 0]);
  });
  it('16 directions adds a = near an axis (+1) or a diagonal (-1)', () => {
    expect(quantizeVector(10, 1, 16)).toEqual([1, 1, 1, 1]);
    expect(quantizeVector(10, 6, 16)).toEqual([1, 1, 1, -1]);
    expect(quantizeVector(6, 10, 16)).toEqual([1, 1, -1, -1]);
    expect(quantizeVector(1, 10, 16)).toEqual([1, 1, -1, 1]);
    expect(quantizeVector(-10, -1, 16)).toEqual([-1, -1, 1, 1]);
    expect(quantizeVector(0, 0, 16)).toEqual([0, 0, 0, 0]);
  });
  it('codes are exactly the angle sectors of 360/N degrees (independent check with atan2)', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 20 - 10;
    for (const n of [2, 4, 8, 16] as const) {
      const sectorToCode = new Map<number, string>();
      const codeToSector = new Map<string, number>();
      for (let k = 0; k < 4000; k++) {
        const [u, v] = [rand(), rand()];
        if (Math.hypot(u, v) < 0.5) continue;
        const sector = Math.ceil(Math.atan2(v, u) / ((2 * Math.PI) / (n === 2 ? 4 : n)));
        const key = n === 2 ? String(quantizeVector(u, v, 4)) : String(quantizeVector(u, v, n));
        expect(sectorToCode.get(sector) ?? key).toBe(key);
        expect(codeToSector.get(key) ?? sector).toBe(sector);
        sectorToCode.set(sector, key);
        codeToSector.set(key, sector);
      }
      expect(sectorToCode.size).toBe(n === 2 ? 4 : n);
    }
  });
  it('maps channel counts both ways', () => {
    expect([2, 4, 8, 16].map((d) => channelsForDirections(d as DirectionCount))).toEqual([1, 2, 3, 4]);
    expect(directionsForChannels(3)).toBe(8);
    expect(() => directionsForChannels(5)).toThrow(/5/);
  });
});

describe('quantizeFlow and aggregateFlows', () => {
  it('quantizeFlow4 (the fast field path) equals quantizeVector4 per pixel, at the threshold too', () => {
    // Boundary vectors (|flow| = 0.5 exactly or within float32 rounding of it), zero components,
    // -0, NaN, and pseudo-random ones around the threshold.
    const edge = [0.5, 0, 0, 0.5, -0.5, 0, 0, -0.5, 0.3, 0.4, -0.4, 0.3, Math.SQRT1_2 / 2, Math.SQRT1_2 / 2,
      0.49999997, 0, 0.50000006, 0, -0, 0.7, 0.7, -0, NaN, 1, 0, 0, 1e-30, -1e-30];
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5) * 1.4;
    const values = [...edge, ...Array.from({ length: 4000 }, rnd)];
    const f = flow(values.length / 2, 1, values);
    for (const threshold of [0.5, 1, 0.25]) {
      const fast = quantizeFlow4(f, threshold).data;
      const per = Array.from({ length: values.length / 2 }, (_, i) => quantizeVector4(f.data[2 * i]!, f.data[2 * i + 1]!, threshold)).flat();
      expect(Array.from(fast)).toEqual(per);
    }
  });

  it('quantises a field per pixel and agrees with quantizeFlow4', () => {
    const f = flow(2, 2, [1, 0, 0, 0, -2, 3, 0.3, 0.3]);
    expect(Array.from(quantizeFlow(f).data)).toEqual([1, -1, 0, 0, -1, 1, 0, 0]);
    expect(quantizeFlow(f)).toEqual(quantizeFlow4(f));
    const g8 = quantizeFlow(f, { directions: 8 });
    expect(g8.channels).toBe(3);
    expect(Array.from(g8.data)).toEqual([1, -1, 1, 0, 0, 0, -1, 1, -1, 0, 0, 0]);
    expect(Array.from(quantizeFlow(f, { threshold: 2 }).data)).toEqual([0, 0, 0, 0, -1, 1, 0, 0]);
  });
  it('sums flows per pixel (sub-threshold steps add up to motion)', () => {
    const step = flow(1, 1, [0.2, -0.1]);
    const sum = aggregateFlows([step, step, step]);
    expect(sum.data[0]).toBeCloseTo(0.6, 6);
    expect(sum.data[1]).toBeCloseTo(-0.3, 6);
    expect(Array.from(quantizeFlow(sum).data)).toEqual([1, -1]);
    expect(() => aggregateFlows([])).toThrow(RangeError);
    expect(() => aggregateFlows([step, flow(2, 1, [0, 0, 0, 0])])).toThrow(/2x1/);
  });
});

describe('guidance transforms', () => {
  const randomFlow = (w: number, h: number): FlowField => {
    const data = new Float32Array(w * h * 2);
    let s = 3;
    for (let i = 0; i < data.length; i++) data[i] = ((s = (s * 16807) % 2147483647) / 2147483647) * 8 - 4;
    return { width: w, height: h, data };
  };
  const transforms: GeometricTransform[] = [{ kind: 'flipH' }, { kind: 'flipV' }, { kind: 'rot90', k: 1 }, { kind: 'rot90', k: 2 }, { kind: 'rot90', k: 3 }, { kind: 'rot90', k: -1 }];
  it('rotates vectors counter-clockwise on screen', () => {
    expect(rotateVector90(1, 0, 1)).toEqual([0, -1]); // right -> up
    expect(rotateVector90(0, 1, 1)).toEqual([1, 0]); // down -> right
    expect(rotateVector90(2, 3, 2)).toEqual([-2, -3]);
    expect(rotateVector90(2, 3, -1)).toEqual(rotateVector90(2, 3, 3));
  });
  it('moves pixels like numpy.rot90 and flips', () => {
    // 3x2 map with u = pixel index, v = 0
    const f = flow(3, 2, [0, 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0]);
    const r = transformFlow(f, { kind: 'rot90', k: 1 });
    expect([r.width, r.height]).toEqual([2, 3]);
    // numpy.rot90([[0,1,2],[3,4,5]]) = [[2,5],[1,4],[0,3]]; vectors (i, 0) -> (0, -i)
    expect(Array.from(r.data)).toEqual([0, -2, 0, -5, 0, -1, 0, -4, 0, -0, 0, -3].map((x) => x + 0));
    const h = transformFlow(f, { kind: 'flipH' });
    expect(Array.from(h.data)).toEqual([-2, 0, -1, 0, -0, 0, -5, 0, -4, 0, -3, 0].map((x) => x + 0));
    const v = transformFlow(f, { kind: 'flipV' });
    expect(Array.from(v.data)).toEqual([3, 0, 4, 0, 5, 0, 0, 0, 1, 0, 2, 0].map((x) => x + 0));
  });
  it('transforming guidance equals quantising the transformed flow, for every direction count', () => {
    const f = randomFlow(5, 4);
    for (const directions of [2, 4, 8, 16] as const) {
      for (const t of transforms) {
        if (directions === 2 && t.kind === 'rot90' && t.k % 2 !== 0) continue;
        const a = transformGuidance(quantizeFlow(f, { directions }), t);
        const b = quantizeFlow(transformFlow(f, t), { directions });
        expect(a).toEqual(b);
      }
      expect(reverseGuidance(quantizeFlow(f, { directions }))).toEqual(quantizeFlow(reverseFlow(f), { directions }));
    }
  });
  it('four quarter turns and two flips are the identity; odd turns of 2-direction guidance throw', () => {
    const g = quantizeFlow(randomFlow(3, 5));
    let r: GuidanceMap = g;
    for (let i = 0; i < 4; i++) r = transformGuidance(r, { kind: 'rot90', k: 1 });
    expect(r).toEqual(g);
    expect(transformGuidance(transformGuidance(g, { kind: 'flipH' }), { kind: 'flipH' })).toEqual(g);
    expect(() => transformGuidance(quantizeFlow(randomFlow(2, 2), { directions: 2 }), { kind: 'rot90', k: 1 })).toThrow(/2-direction/);
    expect(() => transformFlow(randomFlow(2, 2), { kind: 'rot90', k: 0.5 })).toThrow(/0.5/);
  });
  it('reverse negates flow and the x, y guidance channels only', () => {
    expect(Array.from(reverseFlow(flow(1, 1, [2, -3])).data)).toEqual([-2, 3]);
    const g: GuidanceMap = { width: 1, height: 1, channels: 4, data: Int8Array.from([1, -1, 1, -1]) };
    expect(Array.from(reverseGuidance(g).data)).toEqual([-1, 1, 1, -1]);
  });
});

describe('guidance colours and the flow colour wheel', () => {
  it('paints the reference colours and reads them back', () => {
    const g: GuidanceMap = { width: 5, height: 1, channels: 2, data: Int8Array.from([0, 0, 1, -1, -1, -1, -1, 1, 1, 1]) };
    const img = guidanceToColour(g);
    expect(Array.from(img.data)).toEqual([0, 0, 0, 255, 0, 0, 0, 255, 0, 255, 255, 0, 0, 0, 255]);
    expect(colourToGuidance(img)).toEqual(g);
    // slightly off colours snap to the nearest reference colour
    const noisy = { width: 2, height: 1, data: Uint8Array.from([240, 20, 10, 30, 20, 200]) };
    expect(Array.from(colourToGuidance(noisy).data)).toEqual([1, -1, 1, 1]);
    expect(() => guidanceToColour({ ...g, channels: 3, data: new Int8Array(15) })).toThrow(/3 channels/);
  });
  it('builds the 55-colour Middlebury wheel and codes flow with it', () => {
    const wheel = makeColourWheel();
    expect(wheel.length).toBe(55 * 3);
    expect(Array.from(wheel.slice(0, 3))).toEqual([255, 0, 0]);
    expect(Array.from(wheel.slice(27 * 3, 28 * 3))).toEqual([0, 255 - Math.floor((255 * 2) / 11), 255]);
    // (-1, 0) at full radius: atan2(0, 1) = 0 -> wheel position 27 exactly; zero flow -> white
    const img = flowToColour(flow(2, 1, [-1, 0, 0, 0]));
    expect(Array.from(img.data)).toEqual([0, 209, 255, 255, 255, 255]);
    // half radius desaturates halfway to white; beyond maxRadius dims by 0.75
    const half = flowToColour(flow(1, 1, [-1, 0]), 2);
    expect(Array.from(half.data)).toEqual([128, 232, 255]);
    const over = flowToColour(flow(1, 1, [-2, 0]), 1);
    expect(Array.from(over.data)).toEqual([0, 157, 191]);
  });
});

describe('guidance resizing', () => {
  it('halves by keeping (2x, 2y) and resizes back with nearest neighbour', () => {
    const g: GuidanceMap = { width: 3, height: 3, channels: 1, data: Int8Array.from([1, 0, -1, 0, 1, 0, -1, 0, 1]) };
    const h = halveGuidance(g);
    expect([h.width, h.height]).toEqual([2, 2]);
    expect(Array.from(h.data)).toEqual([1, -1, -1, 1]);
    const up = resizeGuidanceNearest(h, 4, 4);
    expect(Array.from(up.data)).toEqual([1, 1, -1, -1, 1, 1, -1, -1, -1, -1, 1, 1, -1, -1, 1, 1]);
    expect(() => resizeGuidanceNearest(h, 0, 3)).toThrow(/0x3/);
  });
});
