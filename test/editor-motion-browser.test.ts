// Browser test of `afb edit IMAGE --motion FILE` (Debian's chromium driven by playwright-core): the
// known motion drawn as arrows, a drawn region overriding it, Animate by the learned method, and
// the exported motion.flo giving `afb decompose --motion` the very same 7 frames.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import sharp from 'sharp';
import { openFrameSource } from '../pipeline/io/frame-source.js';
import { readFlowFile, writeFlowFile } from '../pipeline/io/flo.js';
import { decodeImage, readImage } from '../pipeline/io/image.js';
import type { RgbImage } from '../pipeline/math/types.js';
import type { Animation, EditorHook } from '../web/editor/protocol.js';
import { runAfb } from './helpers/cli.js';
import { CHROMIUM, openEditorPage, startEditorCli, stopEditorClis } from './helpers/editor-page.js';
import { makeTempDir, removeTempDir, REPO_ROOT } from './helpers/media.js';

// What the page-side callbacks of page.evaluate use (they run in the browser, typed here without the DOM library).
declare const window: { afbEditor?: EditorHook };

/** Half the sample frame: 240x136. */
const W = 240, H = 136;
/** The known motion: static left of x = 80, else (2 + 3x/W, 1 + y/H) pixels per frame interval. */
const motionAt = (x: number, y: number): [number, number] => (x < 80 ? [0, 0] : [2 + (3 * x) / W, 1 + y / H]);
/** Arrow cells of a 240-pixel-wide image: 8 pixels (about 32 across). */
const CELL = 8;
/** --exposure of both the editor and afb decompose (not 1, the default estimate falls back to on this unblurred motion). */
const EXPOSURE = '0.7';
/** The polygon drawn, image pixels. */
const DRAWN: [number, number][] = [[100, 20], [200, 30], [210, 110], [110, 115]];

let dir = '';
let url = '';
let image: RgbImage;
let browser: Browser;

const arrowsOf = (page: Page) => page.evaluate(() => window.afbEditor!.motionArrows());
const toClient = (page: Page, p: [number, number]): Promise<[number, number]> => page.evaluate(([x, y]) => window.afbEditor!.toClient(x, y), p);

/** Even-odd test of a point against a polygon (written here, apart from afb's rasteriser). */
function insidePolygon(px: number, py: number, poly: readonly (readonly [number, number])[]): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i]!;
    const [xj, yj] = poly[j]!;
    if (yi > py !== yj > py && px < xi + ((py - yi) * (xj - xi)) / (yj - yi)) inside = !inside;
  }
  return inside;
}

/** Whether two pixel arrays hold the same values. */
const sameValues = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.prototype.every.call(a, (v: number, i: number) => v === b[i]);

/** Mean of the known motion over the cell centred on (x, y) (it is linear in x and y). */
const cellMean = (x: number, y: number): [number, number] => motionAt(x - 0.5, y - 0.5);

beforeAll(async () => {
  dir = await makeTempDir('editor-motion-browser-');
  const source = await openFrameSource(join(REPO_ROOT, 'samples/rocket-pan.mp4'), { start: 1, maxFrames: 1 });
  let frame: RgbImage | undefined;
  for await (const f of source) frame = { width: f.width, height: f.height, data: Uint8Array.from(f.data) };
  await sharp(Buffer.from(frame!.data), { raw: { width: frame!.width, height: frame!.height, channels: 3 } }).resize(W, H).png().toFile(join(dir, 'rocket.png'));
  image = await readImage(join(dir, 'rocket.png'));
  const data = new Float32Array(W * H * 2);
  for (let p = 0; p < W * H; p++) data.set(motionAt(p % W, Math.floor(p / W)), 2 * p);
  await writeFlowFile(join(dir, 'motion.flo'), { width: W, height: H, data });
  // A motion-aware network with random weights: the runtime path is under test, not the network.
  const exported = spawnSync('/usr/bin/python3', ['models/export_motion.py', '--random', '3', '--out', join(dir, 'motion.onnx')], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 240_000 });
  expect(exported.status, exported.stderr).toBe(0);
  url = await startEditorCli(dir, ['rocket.png', '--motion', 'motion.flo', '--model', 'motion.onnx', '--exposure', EXPOSURE, '-o', 'export'], ['--threads', '1']);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

afterAll(async () => {
  await browser?.close();
  await stopEditorClis();
  await removeTempDir(dir);
});

describe('afb edit --motion in chromium', () => {
  it('draws the known motion as arrows proportional to the speed, none where it is static; M hides them', async () => {
    const page = await openEditorPage(browser, url);
    expect(await page.isVisible('#arrows-row')).toBe(true);
    expect(await page.textContent('#motion-note')).toBe('Known motion: motion.flo. Animate: learned, exposure 0.7.');
    await page.waitForFunction(() => window.afbEditor!.motionArrows().length > 0, null, { timeout: 60_000 });
    const arrows = await arrowsOf(page);
    expect(arrows).toHaveLength(((W - 80) / CELL) * (H / CELL)); // every cell right of x = 80, none left of it
    for (const a of arrows) {
      expect(a.x).toBeGreaterThan(80);
      const [u, v] = cellMean(a.x, a.y);
      expect(Math.abs(a.u - u)).toBeLessThan(2e-3);
      expect(Math.abs(a.v - v)).toBeLessThan(2e-3);
    }
    await page.keyboard.press('m');
    expect(await arrowsOf(page)).toEqual([]);
    await page.keyboard.press('m');
    expect(await arrowsOf(page)).toHaveLength(arrows.length);
    await page.close();
  });

  it('a region overrides the motion; Animate plays 7 frames, the very frames afb decompose --motion gives for the exported motion.flo', async () => {
    const page = await openEditorPage(browser, url);
    for (const p of DRAWN) await page.mouse.click(...(await toClient(page, p)));
    await page.mouse.click(...(await toClient(page, DRAWN[0]!)));
    await page.click('#palette button[data-label="up-left"]');
    const [region] = await page.evaluate(() => window.afbEditor!.regions());
    expect(region!.label).toBe('up-left');
    // The arrows of the cells inside the region turn up-left and keep their speed.
    await page.waitForFunction(() => window.afbEditor!.motionArrows().some((a) => a.x === 148 && a.y === 68 && a.u < 0), null, { timeout: 60_000 });
    const arrows = await arrowsOf(page);
    const whollyInside = (x: number, y: number) => [[-4, -4], [4, -4], [4, 4], [-4, 4]].every(([dx, dy]) => insidePolygon(x + dx!, y + dy!, region!.points));
    const turned = arrows.filter((a) => whollyInside(a.x, a.y));
    expect(turned.length).toBeGreaterThan(60);
    for (const a of turned) {
      const [u, v] = cellMean(a.x, a.y);
      expect(Math.abs(Math.hypot(a.u, a.v) - Math.hypot(u, v))).toBeLessThan(1e-2); // mean of |F| vs |mean F|: F is nearly uniform in a cell
      expect(Math.abs(a.u - a.v)).toBeLessThan(2e-3);
      expect(a.u).toBeLessThan(0);
    }
    for (const a of arrows.filter((b) => b.x > 220)) expect([a.u, a.v]).toEqual(cellMean(a.x, a.y).map((c) => Math.round(c * 1000) / 1000));

    const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/api/animate')), page.click('#animate')]);
    const animation = (await response.json()) as Animation;
    await page.waitForFunction(() => window.afbEditor!.shownFrames().length === 7, null, { timeout: 120_000 });
    expect(await page.evaluate(() => window.afbEditor!.shownFrames())).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(await page.textContent('#status')).toMatch(/^Animated in \d+\.\d s \(learned, exposure 0\.70\)$/);
    await page.locator('#frame-slider').fill('0');
    await page.keyboard.press('b'); // back to the blurry image under the arrows
    const shot = await page.screenshot();
    await writeFile(join(dir, 'editor-motion.png'), shot);
    if (process.env['AFB_UPDATE_DOCS'] === '1') await copyFile(join(dir, 'editor-motion.png'), join(REPO_ROOT, 'docs/editor-motion.png'));
    const frames = await Promise.all(animation.frames.map(async (f) => decodeImage(await (await page.request.get(new URL(f, url).href)).body())));

    await page.click('#export');
    await page.waitForSelector('#exports li >> nth=12', { timeout: 120_000 });
    expect(await page.locator('#exports a[download="rocket-motion.flo"]').count()).toBe(1);
    const flo = await readFlowFile(join(dir, 'export', 'motion.flo'));
    expect([flo.width, flo.height]).toEqual([W, H]);
    let inside = 0;
    for (let p = 0; p < W * H; p++) {
      const [x, y] = [p % W, Math.floor(p / W)];
      const [u, v] = motionAt(x, y);
      const [fu, fv] = [flo.data[2 * p]!, flo.data[2 * p + 1]!];
      if (insidePolygon(x + 0.5, y + 0.5, region!.points)) {
        inside++;
        const s = Math.hypot(Math.fround(u), Math.fround(v)) * Math.SQRT1_2;
        expect(Math.abs(fu + s) + Math.abs(fv + s), `pixel ${x},${y}`).toBeLessThan(1e-5);
      } else {
        expect([fu, fv], `pixel ${x},${y}`).toEqual([Math.fround(u), Math.fround(v)]);
      }
    }
    expect(inside).toBeGreaterThan(7000);

    const cli = await runAfb(['--workers', '1', '--threads', '1', '--log-level', 'warn', 'decompose', 'rocket.png', '--motion', 'export/motion.flo', '--model', 'motion.onnx', '--exposure', EXPOSURE, '-o', 'cli'], dir);
    expect(cli.code, cli.stderr).toBe(0);
    for (let j = 0; j < 7; j++) {
      const want = await readImage(join(dir, 'cli', `00${j}.png`));
      expect(sameValues(frames[j]!.data, want.data), `frame ${j}`).toBe(true);
      expect(sameValues((await readImage(join(dir, 'export', `00${j}.png`))).data, want.data), `exported frame ${j}`).toBe(true);
    }
    // Not the blurry image again: the moving part changes from the first frame to the last, the static part stays the input.
    let changed = 0;
    for (let i = 0; i < W * H * 3; i++) if (frames[0]!.data[i] !== frames[6]!.data[i]) changed++;
    expect(changed).toBeGreaterThan(W * H * 3 * 0.2);
    const p = 3 * (60 * W + 20);
    for (const f of frames) expect(Array.from(f.data.subarray(p, p + 3))).toEqual(Array.from(image.data.subarray(p, p + 3)));
    await page.close();
  });
});
