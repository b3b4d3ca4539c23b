import { describe, expect, it } from 'vitest';
import { estimateBuiltinFlow, resolveBuiltinFlowOptions, workingSize } from '../pipeline/math/flow/builtin-flow.js';
import { endpointError, guidanceAgreement, movingMask } from '../bench/lib/flow-metrics.js';
import { boxSum, halve, resizeFlowPlanes, toGrayResized } from '../pipeline/math/flow/image-ops.js';
import { median3x3 } from '../pipeline/math/flow/median.js';
import { renderSyntheticPair, standardPairSpecs } from '../bench/lib/synthetic-pairs.js';
import { createFlowEstimator, type FlowEstimator } from '../pipeline/flow/estimator.js';
import { motionFromNeighbours } from '../pipeline/motion/video-motion.js';
import { BuiltinFlowEstimator } from '../pipeline/flow/builtin.js';
import { decomposeFrame, motionTaskFields } from '../pipeline/frame/decompose-frame.js';
import { quantizeFlow } from '../pipeline/math/guidance.js';
import type { FlowField, RgbImage } from '../pipeline/math/types.js';

describe('flow image operations', () => {
  it('area-resamples to grey with Rec. 601 weights', () => {
    const img: RgbImage = { width: 4, height: 2, data: Uint8Array.from([255, 0, 0, 255, 0, 0, 0, 255, 0, 0, 255, 0, 0, 0, 255, 0, 0, 255, 255, 255, 255, 255, 255, 255]) };
    const g = toGrayResized(img, 2, 1);
    expect(g.data[0]).toBeCloseTo((0.299 * 2 + 0.114 * 2) / 4, 6);
    expect(g.data[1]).toBeCloseTo((0.587 * 2 + 2) / 4, 6);
    expect(() => toGrayResized(img, 5, 1)).toThrow(/5x1/);
  });
  it('halves, box-sums and medians like direct computations', () => {
    const w = 5, h = 4;
    const src = Float32Array.from({ length: w * h }, (_, i) => ((i * 37) % 11) - 5);
    const half = halve({ width: w, height: h, data: src });
    expect([half.width, half.height]).toEqual([3, 2]);
    expect(half.data[2]).toBeCloseTo((src[4]! * 2 + src[9]! * 2) / 4, 6); // odd column averaged with itself
    const out = new Float32Array(w * h), tmp = new Float32Array(w * h), med = new Float32Array(w * h);
    boxSum(src, w, h, 1, out, tmp);
    median3x3(src, w, h, med);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let s = 0;
        const win: number[] = [];
        for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
          const yy = y + dy, xx = x + dx;
          if (yy >= 0 && yy < h && xx >= 0 && xx < w) s += src[yy * w + xx]!;
          win.push(src[Math.min(h - 1, Math.max(0, yy)) * w + Math.min(w - 1, Math.max(0, xx))]!);
        }
        expect(out[y * w + x]).toBeCloseTo(s, 5);
        expect(med[y * w + x]).toBe(win.sort((a, b) => a - b)[4]);
      }
    }
  });
  it('upsamples flow and scales the vectors', () => {
    const up = resizeFlowPlanes(Float32Array.from([1, 1]), Float32Array.from([2, 2]), 2, 1, 8, 2, true);
    expect(up.uv.length).toBe(32);
    expect(up.uv[0]).toBeCloseTo(4, 6);
    expect(up.uv[1]).toBeCloseTo(4, 6);
  });
  it('resolves options and working sizes', () => {
    expect(workingSize(960, 540, 320)).toEqual({ width: 320, height: 180 });
    expect(workingSize(200, 100, 320)).toEqual({ width: 200, height: 100 });
    expect(resolveBuiltinFlowOptions()).toEqual({ levels: 5, iterations: 3, windowRadius: 3, regularization: 1e-4, medianEveryIteration: false, edgeRegularization: 0.2, fillRadius: 4, workingWidth: 320 });
    expect(() => resolveBuiltinFlowOptions({ iterations: 0 })).toThrow(/iterations but received 0/);
  });
});

describe('synthetic pairs', () => {
  it('are consistent with their flow: prev(x) = next(x + flow(x))', () => {
    const p = renderSyntheticPair({ width: 40, height: 30, seed: 3, background: { dx: 3, dy: -2 } });
    expect(Array.from(p.flow.data.subarray(0, 2))).toEqual([3, -2]);
    for (let y = 2; y < 28; y++) for (let x = 0; x < 37; x++) {
      for (let c = 0; c < 3; c++) expect(p.next.data[((y - 2) * 40 + x + 3) * 3 + c]).toBe(p.prev.data[(y * 40 + x) * 3 + c]);
    }
    // rotation about the centre: flow = R x - x, so the centre does not move and the field is antisymmetric
    const r = renderSyntheticPair({ width: 41, height: 41, background: { dx: 0, dy: 0, angleDeg: 90 } });
    const at = (x: number, y: number) => [r.flow.data[2 * (y * 41 + x)]!, r.flow.data[2 * (y * 41 + x) + 1]!];
    expect(at(20, 20).map((v) => Math.abs(v) < 1e-9)).toEqual([true, true]);
    const [u, v] = at(30, 20); // 10 px right of centre, rotated 90deg clockwise on screen (y down) -> 10 px below
    expect(u).toBeCloseTo(-10, 9);
    expect(v).toBeCloseTo(10, 9);
  });
});

describe('built-in flow on synthetic pairs with exact flow', () => {
  const specs = standardPairSpecs(480, 270);
  for (const { name, spec } of specs) {
    it(`recovers the ${name} scene: small end-point error, >= 95% guidance agreement on moving pixels`, () => {
      const pair = renderSyntheticPair(spec);
      const est = estimateBuiltinFlow(pair.prev, pair.next, { workingWidth: 240 });
      const moving = movingMask(pair.flow, 2);
      expect(moving.reduce((a, b) => a + b, 0)).toBeGreaterThan(0.5 * moving.length);
      const epe = endpointError(est, pair.flow);
      expect(epe).toBeLessThan(name === 'opposite' ? 0.6 : 0.35);
      expect(guidanceAgreement(est, pair.flow)).toBeGreaterThanOrEqual(0.95);
    });
  }
  it('shifted texture at full resolution: median error well under a pixel', () => {
    const pair = renderSyntheticPair({ width: 160, height: 96, seed: 9, background: { dx: 3.3, dy: -1.7 } });
    const est = estimateBuiltinFlow(pair.prev, pair.next, { workingWidth: 160 });
    const errs: number[] = [];
    for (let y = 8; y < 88; y++) for (let x = 8; x < 152; x++) {
      const i = y * 160 + x;
      errs.push(Math.hypot(est.data[2 * i]! - 3.3, est.data[2 * i + 1]! + 1.7));
    }
    errs.sort((a, b) => a - b);
    expect(errs[errs.length >> 1]).toBeLessThan(0.1);
  });
  it('does not drift along straight edges (aperture problem) and fills flat areas from textured ones', () => {
    // horizontal stripes moved by (3, 2): only v is observable, u must stay near 0 instead of drifting
    const w = 160, h = 96;
    const stripes = (dy: number): RgbImage => {
      const d = new Uint8Array(w * h * 3);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) d.fill(Math.round(128 + 90 * Math.sin((y - dy) * 0.35) * Math.cos((y - dy) * 0.05)), (y * w + x) * 3, (y * w + x) * 3 + 3);
      return { width: w, height: h, data: d };
    };
    const f = estimateBuiltinFlow(stripes(0), stripes(2), { workingWidth: w });
    let maxU = 0, sumV = 0, count = 0;
    for (let y = 10; y < h - 10; y++) for (let x = 10; x < w - 10; x++) {
      const i = y * w + x;
      maxU = Math.max(maxU, Math.abs(f.data[2 * i]!));
      sumV += f.data[2 * i + 1]!;
      count++;
    }
    expect(maxU).toBeLessThan(0.5);
    expect(sumV / count).toBeCloseTo(2, 0);
    // a flat 110x60 area moving with a textured scene by (3, -2) takes the surrounding motion
    const pair = renderSyntheticPair({ width: w, height: h, seed: 6, background: { dx: 3, dy: -2 } });
    for (let y = 18; y < 78; y++) {
      pair.prev.data.fill(120, (y * w + 25) * 3, (y * w + 135) * 3);
      pair.next.data.fill(120, ((y - 2) * w + 28) * 3, ((y - 2) * w + 138) * 3);
    }
    const g = estimateBuiltinFlow(pair.prev, pair.next, { workingWidth: w });
    const c = 48 * w + 80;
    expect(g.data[2 * c]).toBeGreaterThan(2); // without the fill (fillRadius 0): 1.2
    expect(g.data[2 * c]).toBeLessThan(3.5);
    expect(Math.abs(g.data[2 * c + 1]! + 2)).toBeLessThan(0.5);
  });
  it('handles tiny and 1-pixel-thin frames with finite flow', () => {
    for (const [w, h] of [[1, 1], [3, 1], [1, 5], [2, 2], [17, 9]] as const) {
      const img: RgbImage = { width: w, height: h, data: Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 37) % 251) };
      const f = estimateBuiltinFlow(img, img);
      expect([f.width, f.height]).toEqual([w, h]);
      expect(Array.from(f.data).every((x) => Number.isFinite(x) && Math.abs(x) < 1e-3)).toBe(true);
    }
  });
  it('identical frames give (near) zero flow', () => {
    const pair = renderSyntheticPair({ width: 96, height: 64, background: { dx: 0, dy: 0 } });
    const est = estimateBuiltinFlow(pair.prev, pair.prev);
    expect(Math.max(...Array.from(est.data, Math.abs))).toBeLessThan(1e-3);
  });
});

describe('guidance from video', () => {
  class RecordingEstimator implements FlowEstimator {
    readonly description = 'recording';
    readonly calls: [RgbImage, RgbImage][] = [];
    async estimate(prev: RgbImage, next: RgbImage): Promise<FlowField> {
      this.calls.push([prev, next]);
      return { width: 1, height: 1, data: Float32Array.from([2, -1]) };
    }
    async release(): Promise<void> {}
  }
  const a: RgbImage = { width: 1, height: 1, data: new Uint8Array(3) };
  const b: RgbImage = { width: 1, height: 1, data: new Uint8Array(3) };
  const c: RgbImage = { width: 1, height: 1, data: new Uint8Array(3) };
  it('uses -estimate(cur, prev), estimate(cur, next), or their mean with both neighbours', async () => {
    const e = new RecordingEstimator();
    expect(Array.from((await motionFromNeighbours(e, { prev: a, cur: b, next: c }, 'previous'))!.data)).toEqual([-2, 1]);
    expect(e.calls[0]![0]).toBe(b);
    expect(e.calls[0]![1]).toBe(a);
    expect(Array.from((await motionFromNeighbours(e, { cur: b, next: c }))!.data)).toEqual([2, -1]); // the first frame: next only
    expect(e.calls[1]![0]).toBe(b);
    expect(e.calls[1]![1]).toBe(c);
    expect(Array.from((await motionFromNeighbours(e, { prev: a, cur: b, next: c }, 'next'))!.data)).toEqual([2, -1]);
    // both: mean of (-2, 1) (from the previous frame) and (2, -1) (to the next one)
    expect(Array.from((await motionFromNeighbours(e, { prev: a, cur: b, next: c }))!.data)).toEqual([0, 0]);
    // ... and how far apart the two are: |(-2, 1) - (2, -1)| = sqrt(20); one neighbour: no disagreement
    expect((await motionFromNeighbours(e, { prev: a, cur: b, next: c }))!.disagreement![0]).toBeCloseTo(Math.sqrt(20), 6);
    expect((await motionFromNeighbours(e, { prev: a, cur: b, next: c }, 'next'))!.disagreement).toBeUndefined();
    expect(Array.from((await motionFromNeighbours(e, { prev: a, cur: b }, 'next'))!.data)).toEqual([-2, 1]); // the last frame: previous only
    expect(await motionFromNeighbours(e, { cur: b })).toBeUndefined();
  });
  it('the physics gets the disagreement alike whether the worker computes the motion or it is sent with the frame', async () => {
    const w = 96; const h = 64;
    const texture = (x: number, y: number) => 128 + 60 * Math.sin(0.31 * x + 0.7 * Math.sin(0.05 * y)) + 40 * Math.cos(0.23 * y - 0.11 * x);
    // content moves 2 px right from the previous frame, then 6 px right to the next one: mean 4, disagreement 4
    const frame = (shift: number): RgbImage => ({ width: w, height: h, data: Uint8Array.from({ length: w * h * 3 }, (_, i) => Math.round(texture((Math.floor(i / 3) % w) - shift, Math.floor(i / 3 / w)))) });
    const [prev, cur, next] = [frame(-2), frame(0), frame(6)];
    const motion = (await motionFromNeighbours(new BuiltinFlowEstimator(), { prev, cur, next }))!;
    const inner = (p: number) => Math.floor(p / w) > 12 && Math.floor(p / w) < h - 12 && p % w > 16 && p % w < w - 16;
    const centre = Array.from({ length: w * h }, (_, p) => p).filter(inner);
    const mean = (f: (p: number) => number) => centre.reduce((acc, p) => acc + f(p), 0) / centre.length;
    expect(mean((p) => motion.data[2 * p]!)).toBeCloseTo(4, 0);
    expect(mean((p) => motion.disagreement![p]!)).toBeCloseTo(4, 0);
    const task = { index: 0, width: w, height: h, rgb: cur.data, method: 'physics' as const, exposure: 1, tile: 0, consistency: false };
    const inWorker = await decomposeFrame({}, { ...task, prev: prev.data, next: next.data });
    const sent = await decomposeFrame({}, { ...task, ...motionTaskFields(motion) });
    const withoutDisagreement = await decomposeFrame({}, { ...task, motion: motion.data });
    expect(Buffer.from(inWorker.frames).equals(Buffer.from(sent.frames))).toBe(true);
    expect(Buffer.from(inWorker.frames).equals(Buffer.from(withoutDisagreement.frames))).toBe(false);
  });
  it('gives the direction content moves in, with the built-in estimator', async () => {
    const est = await createFlowEstimator({ workingWidth: 96 });
    const pair = renderSyntheticPair({ width: 192, height: 108, seed: 5, background: { dx: -3.1, dy: 2.4 } });
    // frames: prev -> cur moves by (-3.1, 2.4): guidance (-1, 1) (down-left) at most pixels
    for (const frames of [{ prev: pair.prev, cur: pair.next }, { cur: pair.prev, next: pair.next }]) {
      const g = quantizeFlow((await motionFromNeighbours(est, frames))!);
      let hits = 0;
      for (let i = 0; i < g.width * g.height; i++) if (g.data[2 * i] === -1 && g.data[2 * i + 1] === 1) hits++;
      expect(hits / (g.width * g.height)).toBeGreaterThan(0.95);
    }
    await est.release();
    await expect(est.estimate(pair.prev, pair.next)).rejects.toThrow(/release/);
  });
  it('validates estimator options', async () => {
    await expect(createFlowEstimator({ backend: 'raft' })).rejects.toThrow(/--model/);
    await expect(createFlowEstimator({ workingWidth: 3 })).rejects.toThrow(/--working-width/);
    await expect(createFlowEstimator({ backend: 'magic' as never })).rejects.toThrow(/"magic"/);
  });
});
