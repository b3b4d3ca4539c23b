import { describe, expect, it } from 'vitest';
import { autoTileShape, axisStarts, defaultOverlap, extractTile, featherAxis, maxTilePixelsForBudget, planTiles, TileAccumulator, TileAccumulator8 } from '../pipeline/math/tiling.js';
import { pixelFramesIntoHwc8, pixelFramesIntoPlanar, planarFramesToHwc8 } from '../pipeline/math/tensor-layout.js';
import { chooseTile, ENSEMBLE_BYTES_PER_PIXEL, LEARNED_WORKER_MEMORY, memoryBudgetBytes, WORKER_MEMORY, workerMemoryModel } from '../pipeline/frame/tile-policy.js';

/** Run a pointwise "model" (v -> 2v+0.1 on 2 planes) tile by tile and blend. */
function tiledPointwise(src: Float32Array, w: number, h: number, tile: number, overlap: number): Float32Array {
  const tiles = planTiles(w, h, tile, overlap);
  const acc = new TileAccumulator(w, h, 2, tiles);
  for (const rect of tiles) {
    const part = extractTile(src, w, 1, rect);
    const out = new Float32Array(2 * part.length);
    for (let i = 0; i < part.length; i++) {
      out[i] = 2 * part[i]! + 0.1;
      out[part.length + i] = -part[i]!;
    }
    acc.add(out, rect);
  }
  return acc.result();
}

describe('tiling', () => {
  it('spreads tile starts evenly from 0 to size - tile with at least the overlap', () => {
    expect(axisStarts(100, 128, 16)).toEqual([0]);
    expect(axisStarts(200, 128, 16)).toEqual([0, 72]);
    const s = axisStarts(1000, 128, 16); // ceil(984/112) = 9 tiles
    expect(s).toHaveLength(9);
    expect(s[0]).toBe(0);
    expect(s[8]).toBe(872);
    for (let i = 1; i < s.length; i++) expect(128 - (s[i]! - s[i - 1]!)).toBeGreaterThanOrEqual(16);
  });

  it('plans tiles of a multiple of 4 covering the frame', () => {
    const tiles = planTiles(130, 70, 66, 8); // 66 -> 64
    expect(new Set(tiles.map((t) => t.width))).toEqual(new Set([64]));
    expect(tiles.length).toBe(3 * 2);
    expect(Math.max(...tiles.map((t) => t.x + t.width))).toBe(130);
    expect(Math.max(...tiles.map((t) => t.y + t.height))).toBe(70);
  });

  it('feathers linearly over the shared parts and keeps weights positive', () => {
    const starts = [0, 6];
    expect(Array.from(featherAxis(0, 10, starts))).toEqual([1, 1, 1, 1, 1, 1, 0.875, 0.625, 0.375, 0.125]);
    expect(Array.from(featherAxis(6, 10, starts))).toEqual([0.125, 0.375, 0.625, 0.875, 1, 1, 1, 1, 1, 1]);
  });

  it('tiled equals untiled for a pointwise model on a linear ramp and on noise', () => {
    const w = 50, h = 37;
    const ramp = Float32Array.from({ length: w * h }, (_, i) => 0.01 * (i % w) + 0.02 * Math.floor(i / w));
    const noise = Float32Array.from({ length: w * h }, (_, i) => ((i * 2654435761) % 1000) / 1000);
    for (const src of [ramp, noise]) {
      const out = tiledPointwise(src, w, h, 16, 4);
      for (let i = 0; i < w * h; i++) {
        expect(out[i]).toBeCloseTo(2 * src[i]! + 0.1, 5);
        expect(out[w * h + i]).toBeCloseTo(-src[i]!, 5);
      }
    }
  });

  it('blends a seam between tiles that disagree as a linear ramp', () => {
    // Each tile returns a constant (its index): the blend must ramp 0 -> 1 across the shared part.
    const tiles = planTiles(16, 4, 12, 8);
    expect(tiles.map((t) => t.x)).toEqual([0, 4]);
    const acc = new TileAccumulator(16, 4, 1, tiles);
    tiles.forEach((rect, i) => acc.add(new Float32Array(rect.width * rect.height).fill(i), rect));
    const row = Array.from(acc.result().subarray(0, 16));
    expect(row.slice(0, 4)).toEqual([0, 0, 0, 0]);
    expect(row.slice(12)).toEqual([1, 1, 1, 1]);
    for (let x = 4; x < 12; x++) expect(row[x]).toBeCloseTo(featherAxis(4, 12, [0, 4])[x - 4]! / (featherAxis(4, 12, [0, 4])[x - 4]! + featherAxis(0, 12, [0, 4])[x]!), 6);
    for (let x = 5; x < 12; x++) expect(row[x]!).toBeGreaterThan(row[x - 1]!);
  });

  it('uses an overlap of 1/8 of the tile, at least 16 px, a multiple of 4', () => {
    expect(defaultOverlap(512)).toBe(64);
    expect(defaultOverlap(64)).toBe(16);
  });

  it('extracts a tile of an interleaved image', () => {
    const src = Uint8Array.from({ length: 4 * 3 * 2 }, (_, i) => i);
    expect(Array.from(extractTile(src, 4, 2, { x: 1, y: 1, width: 2, height: 2 }))).toEqual([10, 11, 12, 13, 18, 19, 20, 21]);
  });

  it('plans rectangular tile grids: the cheapest grid whose tiles fit the pixel budget', () => {
    expect(autoTileShape(960, 540, { maxTilePixels: 960 * 540, overlap: 64 })).toBeUndefined();
    const shape = autoTileShape(1920, 1080, { maxTilePixels: 400_000, overlap: 64 })!;
    expect(shape.width * shape.height).toBeLessThanOrEqual(400_000);
    expect(shape.width % 4).toBe(0);
    expect(shape.height % 4).toBe(0);
    // Brute force over all grids: no fitting grid computes fewer pixels.
    const cost = (tw: number, th: number) => planTiles(1920, 1080, { width: tw, height: th }, 64).length * tw * th;
    const chosen = cost(shape.width, shape.height);
    for (let tw = 128; tw <= 1920; tw += 4) {
      for (let th = 128; th <= 1080; th += 4) {
        if (tw * th <= 400_000 && th > 64 && tw > 64) expect(cost(tw, th)).toBeGreaterThanOrEqual(chosen);
      }
    }
    // Tiles cover the frame with at least the overlap between neighbours.
    const tiles = planTiles(1920, 1080, shape, 64);
    expect(Math.max(...tiles.map((t) => t.x + t.width))).toBe(1920);
    expect(Math.max(...tiles.map((t) => t.y + t.height))).toBe(1080);
  });

  it('sizes tiles from a memory budget: per-worker share minus the frame-sized buffers', () => {
    const m = { modelBytesPerPixel: 1000, frameBytesPerPixel: 100 };
    expect(maxTilePixelsForBudget(100, 100, 100 * 100 * 1100, m)).toBe(Infinity);
    // 500 MB for the worker (1 GB over 2 workers); minus 100 B x 2 Mpx = 300 MB -> 300 k px tiles.
    expect(maxTilePixelsForBudget(2000, 1000, 1e9 / 2, m)).toBe(300_000);
    expect(maxTilePixelsForBudget(2000, 1000, 1e8 / 2, m)).toBe(128 * 128); // floor
  });

  it('blends tiles into 8-bit frames like the float accumulator (within one level), constant stays exact', () => {
    const w = 70, h = 45, frames = 2;
    const tiles = planTiles(w, h, { width: 32, height: 24 }, 12);
    const f32 = new TileAccumulator(w, h, frames * 3, tiles);
    const u8 = new TileAccumulator8(w, h, frames, tiles);
    const konst = new TileAccumulator8(w, h, frames, tiles);
    for (const rect of tiles) {
      const plane = rect.width * rect.height;
      const out = new Float32Array(frames * 3 * plane);
      for (let p = 0; p < frames * 3; p++) {
        for (let y = 0; y < rect.height; y++) {
          for (let x = 0; x < rect.width; x++) {
            // a smooth image in [0,1] (the model contract) plus a tile-dependent offset, so the blend weights matter
            out[p * plane + y * rect.width + x] = ((rect.x + x) / w) * 0.55 + ((rect.y + y) / h) * 0.06 * (p + 1) + 0.01 * (rect.x % 7);
          }
        }
      }
      f32.add(out, rect);
      u8.add(out, rect);
      konst.add(new Float32Array(frames * 3 * plane).fill(100 / 255), rect);
    }
    const ref = planarFramesToHwc8(f32.result(), frames, w, h);
    const got = u8.result();
    expect(got.length).toBe(ref.length);
    let maxDiff = 0;
    for (let i = 0; i < ref.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i]! - ref[i]!));
    expect(maxDiff).toBeLessThanOrEqual(1);
    expect(Array.from(new Set(konst.result()))).toEqual([100]);
  });

  it('writes pixel-major frames of a rectangle into whole 8-bit frames (rounded as planarFramesToHwc8) and planar floats', () => {
    // 2 frames of a 3x2 image; the rectangle is the right 2x2 block; values 0..1 and out of range
    const w = 3; const h = 2; const n = 2; const rect = { x: 1, y: 0, width: 2, height: 2 };
    const src = new Float32Array([
      0.0, 0.5, 1.0, 0.2, 0.4, 0.6, //  pixel (1,0): frame 0 rgb, frame 1 rgb
      1.2, -0.1, 0.002, 0.998, 0.25, 0.75, // (2,0)
      0.1, 0.1, 0.1, 0.902, 0.902, 0.902, // (1,1)
      0.3, 0.6, 0.9, 0.0, 1.0, 0.5, // (2,1)
    ]);
    const planar = new Float32Array(n * 3 * w * h).fill(-1);
    pixelFramesIntoPlanar(src, n, rect, w, h, planar);
    const plane = w * h;
    expect(planar[0 * plane + 1]).toBeCloseTo(0.0, 6); // frame 0, r, pixel 1
    expect(planar[1 * plane + 2]).toBeCloseTo(-0.1, 6); // frame 0, g, pixel 2
    expect(planar[5 * plane + 5]).toBeCloseTo(0.5, 6); // frame 1, b, pixel 5
    expect(planar[0]).toBe(-1); // outside the rectangle: untouched
    const out8 = new Uint8Array(n * plane * 3).fill(7);
    pixelFramesIntoHwc8(src, n, rect, w, h, out8);
    // pixel 2 (x 2, y 0), frame 0: 1.2 -> 255, -0.1 -> 0, 0.002 -> round(0.51) = 1
    expect([...out8.subarray(6, 9)]).toEqual([255, 0, 1]);
    // pixel 4 (x 1, y 1), frame 1: 0.902 -> round(230.01) = 230
    expect([...out8.subarray(plane * 3 + 12, plane * 3 + 15)]).toEqual([230, 230, 230]);
    expect(out8[0]).toBe(7);
    const ref = planarFramesToHwc8(planar.map((v) => (v === -1 ? 7 / 255 : v)), n, w, h);
    expect([...out8]).toEqual([...ref]);
  });

  it('budgets 768 MiB per worker by default (at most half the RAM); --memory overrides, 0 = no limit', () => {
    const GiB = 2 ** 30;
    expect(memoryBudgetBytes(undefined, 2, 24 * GiB)).toBe(1.5 * GiB);
    expect(memoryBudgetBytes(undefined, 16, 8 * GiB)).toBe(4 * GiB); // half of 8 GiB caps 16 x 768 MiB
    expect(memoryBudgetBytes(1000, 2, 24 * GiB)).toBe(1000 * 2 ** 20);
    expect(memoryBudgetBytes(0, 2, 24 * GiB)).toBe(Infinity);
    // 2 workers at 1080p: tiles; 960x540: whole frames; 16 workers with 768 MiB each: 1080p whole or nearly
    expect(chooseTile('auto', 960, 540, memoryBudgetBytes(undefined, 2, 24 * GiB) / 2).tile).toBe(0);
    const t = chooseTile('auto', 1920, 1080, memoryBudgetBytes(undefined, 2, 24 * GiB) / 2);
    expect(t.overBudget).toBe(false);
    expect(typeof t.tile === 'object' && t.tile.width * t.tile.height < 1920 * 1080).toBe(true);
    expect(chooseTile('auto', 3840, 2160, 0.75 * GiB).overBudget).toBe(true);
    expect(chooseTile(512, 3840, 2160, 1).tile).toBe(512); // a fixed --tile is used as given
  });

  it('sizes tiles by the method: the learned worker model, no tiles for physics', () => {
    const GiB = 2 ** 30;
    const perWorker = memoryBudgetBytes(undefined, 2, 24 * GiB) / 2;
    const area = (t: ReturnType<typeof chooseTile>['tile']) => (typeof t === 'number' ? t : t.width * t.height);
    const learned = chooseTile('auto', 1920, 1080, perWorker, 'learned');
    expect(learned.overBudget).toBe(false);
    // the model's own prediction for the chosen tile stays within the budget
    const m = LEARNED_WORKER_MEMORY;
    expect(m.fixedBytes! + 1920 * 1080 * m.frameBytesPerPixel + area(learned.tile) * m.modelBytesPerPixel).toBeLessThanOrEqual(perWorker);
    expect(area(learned.tile)).toBeLessThan(area(chooseTile('auto', 1920, 1080, perWorker, 'guidance').tile));
    expect(workerMemoryModel('guidance')).toBe(WORKER_MEMORY);
    expect(chooseTile('auto', 1920, 1080, perWorker, 'physics').tile).toBe(0);
    // fixedBytes comes off the budget before the frame and the tile
    expect(maxTilePixelsForBudget(100, 100, 1e6, { modelBytesPerPixel: 100, frameBytesPerPixel: 10, fixedBytes: 5e5 }, 1)).toBe(4000); // (1e6 - 5e5 - 1e5) / 100
    expect(chooseTile('auto', 1920, 1080, Infinity, 'learned').tile).toBe(0); // --memory 0: whole frames
    // --ensemble above 1 holds more per tile pixel: smaller tiles for the same budget
    expect(workerMemoryModel('learned', 4)!.modelBytesPerPixel).toBe(m.modelBytesPerPixel + ENSEMBLE_BYTES_PER_PIXEL);
    expect(area(chooseTile('auto', 1920, 1080, perWorker, 'learned', 4).tile)).toBeLessThan(area(learned.tile));
  });
});
