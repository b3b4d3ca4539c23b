// The geometric self-ensemble's transforms (pipeline/math/self-ensemble.ts) on literal arrays, and
// their sign conventions checked against the physics renderer, which moves content along the motion.
import { describe, expect, it } from 'vitest';
import { ensembleTransforms, flipPlanes, transformFrames, transformMotion } from '../pipeline/math/self-ensemble.js';
import { prepareMotion, renderAlongMotion, resolvePhysicsOptions } from '../pipeline/math/motion/physics.js';

describe('self-ensemble transforms', () => {
  it('sizes 1, 2, 4, 8 take identity, time reversal, then the left-right and up-down mirrors', () => {
    const code = (n: number) => ensembleTransforms(n).map((t) => `${t.flipY ? 'y' : ''}${t.flipX ? 'x' : ''}${t.reverse ? 'r' : ''}` || 'id');
    expect(code(1)).toEqual(['id']);
    expect(code(2)).toEqual(['id', 'r']);
    expect(code(4)).toEqual(['id', 'r', 'x', 'xr']);
    expect(code(8)).toEqual(['id', 'r', 'x', 'xr', 'y', 'yr', 'yx', 'yxr']);
    expect(() => ensembleTransforms(3)).toThrow(/Expected an ensemble size of 1, 2, 4, 8 but received 3/);
  });

  it('mirrors planes left-right and upside-down', () => {
    // one plane, 3 wide, 2 high: rows [1 2 3] [4 5 6]; a second plane +10
    const src = new Float32Array([1, 2, 3, 4, 5, 6, 11, 12, 13, 14, 15, 16]);
    expect([...flipPlanes(src, 2, 3, 2, true, false)]).toEqual([3, 2, 1, 6, 5, 4, 13, 12, 11, 16, 15, 14]);
    expect([...flipPlanes(src, 2, 3, 2, false, true)]).toEqual([4, 5, 6, 1, 2, 3, 14, 15, 16, 11, 12, 13]);
    expect([...flipPlanes(src, 2, 3, 2, true, true)]).toEqual([6, 5, 4, 3, 2, 1, 16, 15, 14, 13, 12, 11]);
    expect(() => flipPlanes(src, 2, 3, 3, true, false)).toThrow(/Expected 2x3x3 values but received 12/);
  });

  it('moves motion like a flow: mirror x negates x, mirror y negates y, reversal negates both', () => {
    // 2x1 image: pixel 0 moves (1, 2), pixel 1 moves (3, 4); planes x then y
    const m = new Float32Array([1, 3, 2, 4]);
    const t = (flipX: boolean, flipY: boolean, reverse: boolean) => [...transformMotion(m, 2, 1, { flipX, flipY, reverse })];
    expect(t(false, false, false)).toEqual([1, 3, 2, 4]);
    expect(t(true, false, false)).toEqual([-3, -1, 4, 2]);
    expect(t(false, true, false)).toEqual([1, 3, -2, -4]);
    expect(t(false, false, true)).toEqual([-1, -3, -2, -4]);
    expect(t(true, false, true)).toEqual([3, 1, -4, -2]);
  });

  it('reverses the frame order when reversed, and every transform is its own inverse', () => {
    // 3 frames of 1 channel, 2x1 pixels
    const f = new Float32Array([1, 2, 3, 4, 5, 6]);
    expect([...transformFrames(f, 3, 1, 2, 1, { flipX: false, flipY: false, reverse: true })]).toEqual([5, 6, 3, 4, 1, 2]);
    expect([...transformFrames(f, 3, 1, 2, 1, { flipX: true, flipY: false, reverse: true })]).toEqual([6, 5, 4, 3, 2, 1]);
    const w = 5, h = 3;
    const frames = new Float32Array(7 * 3 * w * h).map((_, i) => Math.sin(i * 1.7));
    const motion = new Float32Array(2 * w * h).map((_, i) => Math.cos(i * 0.9));
    for (const tr of ensembleTransforms(8)) {
      expect([...transformFrames(transformFrames(frames, 7, 3, w, h, tr), 7, 3, w, h, tr)]).toEqual([...frames]);
      expect([...transformMotion(transformMotion(motion, w, h, tr), w, h, tr)]).toEqual([...motion]);
    }
  });

  it('agrees with the physics: rendering the transformed inputs gives the transformed frames', () => {
    // A textured latent image moved by D = (7, -7) over the exposure: frame j is shifted by
    // t_j D = (j - 3) * (1, -1) px, integer shifts, so bilinear sampling is exact away from borders.
    const w = 24, h = 20;
    const latentHwc = new Float32Array(w * h * 3).map((_, i) => ((i * 7919) % 101) / 100);
    const motion = (planar: Float32Array) => {
      const data = new Float32Array(2 * w * h);
      for (let p = 0; p < w * h; p++) { data[2 * p] = planar[p]!; data[2 * p + 1] = planar[w * h + p]!; }
      return { width: w, height: h, data };
    };
    const planarOf = (hwc: Float32Array, c: number) => {
      const out = new Float32Array(hwc.length);
      for (let p = 0; p < w * h; p++) for (let k = 0; k < c; k++) out[k * w * h + p] = hwc[p * c + k]!;
      return out;
    };
    const hwcOf = (planar: Float32Array, c: number) => {
      const out = new Float32Array(planar.length);
      for (let p = 0; p < w * h; p++) for (let k = 0; k < c; k++) out[p * c + k] = planar[k * w * h + p]!;
      return out;
    };
    const D = new Float32Array(2 * w * h);
    D.fill(7, 0, w * h);
    D.fill(-7, w * h);
    const o = resolvePhysicsOptions({ exposure: 1 });
    const render = (latentPlanar: Float32Array, motionPlanar: Float32Array) => planarOf(renderAlongMotion(hwcOf(latentPlanar, 3), prepareMotion(motion(motionPlanar), o), 7), 21);
    const latent = planarOf(latentHwc, 3);
    const frames = render(latent, D);
    for (const t of ensembleTransforms(8)) {
      const got = render(flipPlanes(latent, 3, w, h, t.flipX, t.flipY), transformMotion(D, w, h, t));
      const want = transformFrames(frames, 7, 3, w, h, t);
      for (let q = 0; q < 21; q++) for (let y = 4; y < h - 4; y++) for (let x = 4; x < w - 4; x++) {
        const i = q * w * h + y * w + x;
        expect(got[i], `${JSON.stringify(t)} plane ${q} (${x}, ${y})`).toBeCloseTo(want[i]!, 5);
      }
    }
  });
});
