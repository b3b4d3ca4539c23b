// `afb edit IMAGE --motion FILE` without a browser: the session's known motion, the arrows and the
// overlay of the motion the regions leave, Animate by the known motion's method, the exported
// motion.flo, and the start-up errors. The page itself: test/editor-motion-browser.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { resolveOptions } from '../configs/option-schema.js';
import { EDIT_OPTIONS } from '../configs/edit-options.js';
import { startEditor, type Editor } from '../pipeline/editor/start.js';
import { decomposeFrame } from '../pipeline/frame/decompose-frame.js';
import { decodeFlo, writeFlowFile } from '../pipeline/io/flo.js';
import { decodeGuidanceNpy } from '../pipeline/io/guidance-io.js';
import { decodeImage } from '../pipeline/io/image.js';
import { Logger } from '../pipeline/log.js';
import type { Animation, ExportResult, GuidanceInfo, SessionInfo, Suggestion } from '../web/editor/protocol.js';
import { makeTempDir, removeTempDir } from './helpers/media.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const w = 40, h = 24;
const pixels = Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 37 + 11) % 256);
/** The known motion: the left half static, the right half (2.5, 1) pixels per frame interval. */
const MOVE = [2.5, 1] as const;
const SPEED = Math.hypot(...MOVE);
const motionAt = (x: number): [number, number] => (x >= 20 ? [MOVE[0], MOVE[1]] : [0, 0]);
/** Up-left over x 24..35, y 4..15; static over x 30..39, y 16..23 (pixel centres decide). */
const REGIONS = [
  { label: 'up-left', shapeType: 'rectangle', points: [[24, 4], [36, 16]] },
  { label: 'static', shapeType: 'rectangle', points: [[30, 16], [40, 24]] },
];
/** The composed motion, written out by hand from REGIONS. */
function expectedMotion(x: number, y: number): [number, number] {
  if (x >= 24 && x < 36 && y >= 4 && y < 16) return [-SPEED * Math.SQRT1_2, -SPEED * Math.SQRT1_2];
  if (x >= 30 && y >= 16) return [0, 0];
  return motionAt(x);
}
const EXPOSURE = 0.6;
let dir = '';
let editor: Editor;
const run = { workers: 1, threads: 1, log: new Logger('silent') };

function options(over: Record<string, unknown>) {
  return resolveOptions(EDIT_OPTIONS, { model: fixture('decomposer-linear.onnx'), predictor: fixture('predictor-tiny.onnx'), tile: 'off', ...over });
}

async function call<T>(name: string, body?: unknown): Promise<T> {
  const res = await fetch(`${editor.server.url}${name}`, body === undefined ? {} : { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status, name).toBe(200);
  return (await res.json()) as T;
}
const bytesOf = async (path: string) => new Uint8Array(await (await fetch(`${editor.server.url}${path}`)).arrayBuffer());

beforeAll(async () => {
  dir = await makeTempDir('editor-motion-');
  await sharp(Buffer.from(pixels), { raw: { width: w, height: h, channels: 3 } }).png().toFile(join(dir, 'blur.png'));
  const data = new Float32Array(w * h * 2);
  for (let p = 0; p < w * h; p++) data.set(motionAt(p % w), 2 * p);
  await writeFlowFile(join(dir, 'motion.flo'), { width: w, height: h, data });
  editor = await startEditor(join(dir, 'blur.png'), options({ motion: join(dir, 'motion.flo'), method: 'physics', exposure: EXPOSURE, output: join(dir, 'out') }), run);
});
afterAll(async () => {
  await editor?.close();
  await removeTempDir(dir);
});

describe('afb edit --motion', () => {
  it('tells the page the motion file, the method and the exposure', async () => {
    expect((await call<SessionInfo>('api/session')).motion).toEqual({ file: 'motion.flo', method: 'physics', exposure: EXPOSURE });
  });

  it('shows the known motion as arrows, one per moving 4x4 cell, and the overlay as its quadrants', async () => {
    const g = await call<GuidanceInfo>('api/guidance', { regions: [], directions: 4 });
    expect(g.arrows!.cell).toBe(4);
    // Cells of the right half only (5 columns x 6 rows), each (2.5, 1): quadrant 4 (down-right).
    expect(g.arrows!.arrows).toHaveLength(30);
    for (const [x, , u, v, q] of g.arrows!.arrows) expect([x > 20, u, v, q]).toEqual([true, 2.5, 1, 4]);
    expect(g.arrows!.maxSpeed).toBeCloseTo(SPEED, 5);
    expect(g.movingFraction).toBe(0.5);
    const overlay = await decodeImage(Buffer.from(g.overlay.split(',')[1]!, 'base64'));
    expect(Array.from(overlay.data.subarray(0, 3))).toEqual([0, 0, 0]); // static: black
    expect(Array.from(overlay.data.subarray(3 * 30, 3 * 30 + 3))).toEqual([0, 0, 255]); // down-right: blue
  });

  it('regions override it: a direction keeps the speed and turns it, static stops it', async () => {
    const g = await call<GuidanceInfo>('api/guidance', { regions: REGIONS, directions: 4 });
    expect(g.vocabularyIndex).toEqual([2, 0]);
    const arrows = g.arrows!.arrows;
    // The static region covers 4 whole cells (x 32..39, y 16..23): 30 - 4 arrows.
    expect(arrows).toHaveLength(26);
    const inside = arrows.filter(([x, y]) => x > 24 && x < 36 && y > 4 && y < 16);
    expect(inside).toHaveLength(9);
    for (const [, , u, v, q] of inside) {
      expect([u, v]).toEqual([-1.904, -1.904]); // 2.6926 / sqrt(2), to the page's 0.001
      expect(q).toBe(2); // up-left
    }
    // Half of the cell at x 28..31, y 16..19 is static: its mean is half the motion.
    expect(arrows.find(([x, y]) => x === 30 && y === 18)!.slice(2, 4)).toEqual([1.25, 0.5]);
    const overlay = await decodeImage(Buffer.from(g.overlay.split(',')[1]!, 'base64'));
    const colour = (x: number, y: number) => Array.from(overlay.data.subarray(3 * (y * w + x), 3 * (y * w + x) + 3));
    expect([colour(30, 10), colour(35, 20), colour(25, 20), colour(5, 5)]).toEqual([[0, 255, 0], [0, 0, 0], [0, 0, 255], [0, 0, 0]]);
  });

  it('animates with the method and exposure on the composed motion, and exports it as motion.flo', async () => {
    const a = await call<Animation>('api/animate', { regions: REGIONS, directions: 4 });
    expect(a.exposure).toBe(EXPOSURE);
    const motion = new Float32Array(w * h * 2);
    for (let p = 0; p < w * h; p++) motion.set(expectedMotion(p % w, Math.floor(p / w)), 2 * p);
    const want = await decomposeFrame({}, { index: 0, width: w, height: h, rgb: pixels, method: 'physics', motion, exposure: EXPOSURE, tile: 0, consistency: false });
    const plane = w * h * 3;
    for (let j = 0; j < 7; j++) {
      const frame = await decodeImage(await bytesOf(a.frames[j]!));
      const got = frame.data;
      let maxDiff = 0;
      for (let i = 0; i < plane; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i]! - want.frames[j * plane + i]!));
      expect(maxDiff, `frame ${j}`).toBeLessThanOrEqual(1); // float32 rounding of 1/sqrt(2) may move a value by one level
    }
    // The moving part moves: the first and last frames differ there.
    const first = (await decodeImage(await bytesOf(a.frames[0]!))).data;
    const last = (await decodeImage(await bytesOf(a.frames[6]!))).data;
    let differ = 0;
    for (let i = 0; i < plane; i++) if (first[i] !== last[i]) differ++;
    expect(differ).toBeGreaterThan(plane / 10);

    const r = await call<ExportResult>('api/export', { regions: REGIONS, directions: 4 });
    expect(r.files.map((f) => f.name)).toContain('blur-motion.flo');
    const flo = decodeFlo(await bytesOf(r.files.find((f) => f.name === 'blur-motion.flo')!.url));
    for (let p = 0; p < w * h; p++) {
      const [u, v] = expectedMotion(p % w, Math.floor(p / w));
      expect(flo.data[2 * p]!, `pixel ${p}`).toBeCloseTo(u, 5);
      expect(flo.data[2 * p + 1]!, `pixel ${p}`).toBeCloseTo(v, 5);
    }
    // guidance.npy is the overlay: the composed motion quantised.
    const g = decodeGuidanceNpy(await bytesOf(r.files.find((f) => f.name === 'blur-guidance.npy')!.url));
    expect([Array.from(g.data.subarray(2 * (10 * w + 30), 2 * (10 * w + 30) + 2)), Array.from(g.data.subarray(2 * (20 * w + 35), 2 * (20 * w + 35) + 2))]).toEqual([[-1, -1], [0, 0]]);
    expect(r.savedTo).toBe(join(dir, 'out'));
  });

  it('Suggest: each sample\'s regions override the motion, as drawn regions do', async () => {
    const list = await call<Suggestion[]>('api/suggest', { count: 2, seed: 4 });
    expect(list).toHaveLength(2);
    for (const s of list) {
      expect(s.exposure).toBe(EXPOSURE);
      // Animate with the sample's regions is the stored animation of the sample (the same composed motion).
      expect((await call<Animation>('api/animate', { regions: s.regions, directions: 4 })).id).toBe(s.id);
    }
  });

  it('names a bad motion file, a method without motion, and an export folder over the motion file before any worker starts', async () => {
    await writeFile(join(dir, 'motion.txt'), 'not a flow');
    await writeFile(join(dir, 'broken.flo'), 'PIEH');
    await writeFlowFile(join(dir, 'square.flo'), { width: 8, height: 8, data: new Float32Array(128) });
    await expect(startEditor(join(dir, 'blur.png'), options({ motion: join(dir, 'motion.txt') }), run)).rejects.toMatchObject({ name: 'InputError', path: join(dir, 'motion.txt') });
    await expect(startEditor(join(dir, 'blur.png'), options({ motion: join(dir, 'none.flo') }), run)).rejects.toMatchObject({ name: 'InputError', path: join(dir, 'none.flo') });
    await expect(startEditor(join(dir, 'blur.png'), options({ motion: join(dir, 'broken.flo') }), run)).rejects.toMatchObject({ name: 'InputError', message: expect.stringContaining('Invalid flow file') });
    await expect(startEditor(join(dir, 'blur.png'), options({ motion: join(dir, 'square.flo') }), run)).rejects.toMatchObject({ name: 'InputError', message: expect.stringContaining('aspect ratio') });
    await expect(startEditor(join(dir, 'blur.png'), options({ method: 'physics' }), run)).rejects.toMatchObject({ name: 'InvalidOptionError', option: '--method', value: 'physics' });
    await expect(startEditor(join(dir, 'blur.png'), options({ motion: join(dir, 'motion.flo'), output: dir }), run)).rejects.toMatchObject({ name: 'InvalidOptionError', option: '-o/--output' });
  });
});
