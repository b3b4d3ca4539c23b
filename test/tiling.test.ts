import { describe, expect, it } from 'vitest';
import { autoTileSize, axisStarts, defaultOverlap, extractTile, featherAxis, planTiles, TileAccumulator } from '../pipeline/math/tiling.js';

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

  it('chooses no tiling when the frame fits the budget, else the largest fitting multiple of 4', () => {
    expect(autoTileSize(960, 540, { budgetBytes: 1e9, bytesPerPixel: 1000 })).toBe(0);
    expect(autoTileSize(3840, 2160, { budgetBytes: 1e9, bytesPerPixel: 1000 })).toBe(1000); // sqrt(1e6) = 1000
    expect(autoTileSize(3840, 2160, { budgetBytes: 1e7, bytesPerPixel: 1000 })).toBe(128); // floor at minTile
    expect(defaultOverlap(512)).toBe(64);
    expect(defaultOverlap(64)).toBe(16);
  });

  it('extracts a tile of an interleaved image', () => {
    const src = Uint8Array.from({ length: 4 * 3 * 2 }, (_, i) => i);
    expect(Array.from(extractTile(src, 4, 2, { x: 1, y: 1, width: 2, height: 2 }))).toEqual([10, 11, 12, 13, 18, 19, 20, 21]);
  });
});
