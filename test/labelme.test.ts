import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError, InvalidOptionError } from '../pipeline/errors.js';
import { readLabelmeGuidance } from '../pipeline/io/labelme-io.js';
import { labelmeToGuidance, labelToCode, rasterizeShape, screenAngleToVector } from '../pipeline/math/labelme.js';

const rows = (mask: Uint8Array, w: number) => Array.from({ length: mask.length / w }, (_, y) => Array.from(mask.subarray(y * w, (y + 1) * w)).join(''));

describe('labelme rasteriser', () => {
  it('fills a literal triangle by pixel centres', () => {
    const mask = rasterizeShape({ label: 'up', shapeType: 'polygon', points: [[0, 0], [6, 0], [0, 6]] }, 6, 6, 0);
    // centre (x+.5, y+.5) inside x + y < 6  <=>  x + y <= 4
    expect(rows(mask, 6)).toEqual(['111110', '111100', '111000', '110000', '100000', '000000']);
  });
  it('uses the even-odd rule for self-intersecting polygons', () => {
    // outer square with an inner square traced in the same polygon (via a seam): the hole stays empty
    const pts: [number, number][] = [[0, 0], [6, 0], [6, 6], [0, 6], [0, 0], [2, 2], [2, 4], [4, 4], [4, 2], [2, 2]];
    const mask = rasterizeShape({ label: 'up', shapeType: 'polygon', points: pts }, 6, 6, 0);
    expect(rows(mask, 6)).toEqual(['111111', '111111', '110011', '110011', '111111', '111111']);
  });
  it('rasterises rectangles (half-open, any corner order) and circles', () => {
    expect(rows(rasterizeShape({ label: 'x', shapeType: 'rectangle', points: [[4, 3], [1, 1]] }, 5, 4, 0), 5)).toEqual(['00000', '01110', '01110', '00000']);
    expect(rows(rasterizeShape({ label: 'x', shapeType: 'circle', points: [[2.5, 2.5], [2.5, 4]] }, 5, 5, 0), 5)).toEqual(['00000', '01110', '01110', '01110', '00000']);
  });
  it('rejects other shape types and too few points, naming the shape', () => {
    expect(() => rasterizeShape({ label: 'x', shapeType: 'line', points: [[0, 0], [1, 1]] }, 2, 2, 3)).toThrow(/labelme shape 3 shape_type.*"line"/);
    expect(() => rasterizeShape({ label: 'x', shapeType: 'polygon', points: [[0, 0], [1, 1]] }, 2, 2, 1)).toThrow(InvalidOptionError);
  });
});

describe('labelme labels', () => {
  it('maps the vocabulary to reference guidance', () => {
    expect(labelToCode('up-right', 4, 0)).toEqual([1, -1]);
    expect(labelToCode('Up Left', 4, 0)).toEqual([-1, -1]);
    expect(labelToCode('down_left', 4, 0)).toEqual([-1, 1]);
    expect(labelToCode('down-right', 4, 0)).toEqual([1, 1]);
    expect(labelToCode('static', 4, 0)).toEqual([0, 0]);
    // axis directions follow the quantiser's tie-breaks
    expect(labelToCode('right', 4, 0)).toEqual([1, -1]);
    expect(labelToCode('down', 4, 0)).toEqual([1, 1]);
    expect(labelToCode('left', 4, 0)).toEqual([-1, 1]);
    expect(labelToCode('up', 4, 0)).toEqual([-1, -1]);
    expect(labelToCode('left', 2, 0)).toEqual([-1]);
    expect(labelToCode('right', 8, 0)).toEqual([1, -1, 1]);
    expect(labelToCode('static', 16, 0)).toEqual([0, 0, 0, 0]);
  });
  it('reads angles: 0 = right, counter-clockwise on screen, y down in the output', () => {
    expect(screenAngleToVector(90)).toEqual([0, -1]);
    expect(screenAngleToVector(-90)).toEqual([0, 1]);
    expect(screenAngleToVector(450)).toEqual([0, -1]);
    const [u, v] = screenAngleToVector(30);
    expect(u).toBeCloseTo(Math.sqrt(3) / 2, 12);
    expect(v).toBeCloseTo(-0.5, 12);
    expect(labelToCode('30', 4, 0)).toEqual([1, -1]); // up-right on screen
    expect(labelToCode('angle:200', 4, 0)).toEqual([-1, 1]); // left, slightly down
    expect(labelToCode('angle: -60', 4, 0)).toEqual([1, 1]);
    expect(labelToCode('120deg', 4, 0)).toEqual([-1, -1]);
    expect(labelToCode('10', 16, 0)).toEqual([1, -1, 1, 1]);
  });
  it('names the shape and label when a label is unknown', () => {
    expect(() => labelToCode('sideways', 4, 7)).toThrow(InvalidOptionError);
    expect(() => labelToCode('sideways', 4, 7)).toThrow(/labelme shape 7 label.*"sideways"/);
  });
  it('paints shapes in order: later shapes win, unlabelled area static', () => {
    const g = labelmeToGuidance([
      { label: 'right', shapeType: 'rectangle', points: [[0, 0], [3, 2]] },
      { label: 'down-left', shapeType: 'rectangle', points: [[2, 0], [4, 2]] },
    ], 4, 3);
    const px = (x: number, y: number) => Array.from(g.data.subarray((y * 4 + x) * 2, (y * 4 + x) * 2 + 2));
    expect(px(0, 0)).toEqual([1, -1]);
    expect(px(2, 1)).toEqual([-1, 1]);
    expect(px(3, 0)).toEqual([-1, 1]);
    expect(px(1, 2)).toEqual([0, 0]);
  });
});

describe('labelme files', () => {
  let dir: string;
  beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'afb-labelme-')); });
  afterAll(async () => { await rm(dir, { recursive: true, force: true }); });
  it('reads a labelme JSON file with its image size', async () => {
    const p = join(dir, 'a.json');
    await writeFile(p, JSON.stringify({
      version: '5.2.1', imageWidth: 6, imageHeight: 4, imagePath: 'a.png',
      shapes: [{ label: 'up-left', points: [[0, 0], [3, 4]], shape_type: 'rectangle', flags: {} }, { label: 'static', points: [[1, 1], [2, 2]], shape_type: 'rectangle' }],
    }));
    const g = await readLabelmeGuidance(p);
    expect([g.width, g.height, g.channels]).toEqual([6, 4, 2]);
    expect(Array.from(g.data.subarray(0, 8))).toEqual([-1, -1, -1, -1, -1, -1, 0, 0]);
    expect(Array.from(g.data.subarray(14, 16))).toEqual([0, 0]); // (1, 1) repainted static
    const g8 = await readLabelmeGuidance(p, { directions: 8, width: 3, height: 2 });
    expect([g8.width, g8.height, g8.channels]).toEqual([3, 2, 3]);
  });
  it('reports malformed files and unknown labels', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{"shapes": [{"label": "up", "points": [[0, "x"]]}]}');
    await expect(readLabelmeGuidance(bad, { width: 2, height: 2 })).rejects.toThrow(InputError);
    await expect(readLabelmeGuidance(bad, { width: 2, height: 2 })).rejects.toThrow(/shape 0/);
    const unknown = join(dir, 'unknown.json');
    await writeFile(unknown, JSON.stringify({ imageWidth: 2, imageHeight: 2, shapes: [{ label: 'up', points: [[0, 0], [1, 1]], shape_type: 'rectangle' }, { label: 'wobble', points: [[0, 0], [1, 1]], shape_type: 'rectangle' }] }));
    await expect(readLabelmeGuidance(unknown)).rejects.toThrow(/labelme shape 1 label.*"wobble"/);
    const nosize = join(dir, 'nosize.json');
    await writeFile(nosize, JSON.stringify({ shapes: [] }));
    await expect(readLabelmeGuidance(nosize)).rejects.toThrow(/imageWidth/);
  });
});
