// Browser tests of `afb edit`: Debian's chromium driven by playwright-core (no browser download),
// on a frame of the shipped sample clip (a real photograph with rendered motion blur).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import sharp from 'sharp';
import { openFrameSource } from '../pipeline/io/frame-source.js';
import { decodeGuidanceNpy } from '../pipeline/io/guidance-io.js';
import { readImage, writePng } from '../pipeline/io/image.js';
import { labelmeToGuidance } from '../pipeline/math/labelme.js';
import type { RgbImage } from '../pipeline/math/types.js';
import { GuidancePredictor } from '../pipeline/runtime/predictor.js';
import type { EditorHook, Region } from '../web/editor/protocol.js';

// What the page-side callbacks of page.evaluate use (they run in the browser, typed here without the DOM library).
declare const window: { afbEditor?: EditorHook };
declare const document: { getElementById(id: string): { width: number; height: number; textContent: string | null; getBoundingClientRect(): { width: number } } | null };
import { CHROMIUM, openEditorPage, startEditorCli, stopEditorClis } from './helpers/editor-page.js';
import { makeTempDir, removeTempDir, REPO_ROOT } from './helpers/media.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
/** The polygon drawn, in image pixels of the 480x272 frame. */
const DRAWN: [number, number][] = [[70, 40], [300, 55], [330, 210], [90, 225]];
const SEED = 3;

let dir = '';
let out = '';
let image: RgbImage;
let url = '';
let browser: Browser;

/** Start `afb edit` in the test folder as a user would and read the URL it prints. */
const startCli = (args: string[]) => startEditorCli(dir, args);
const openPage = (at = url): Promise<Page> => openEditorPage(browser, at);

const regionsOf = (page: Page) => page.evaluate(() => window.afbEditor!.regions());
const toClient = (page: Page, p: [number, number]): Promise<[number, number]> => page.evaluate(([x, y]) => window.afbEditor!.toClient(x, y), p);

/** Expected frame j of the linear test model at pixel i (channel c): blurry + (j - 3)(0.05 gx + 0.02 gy), 8-bit. */
function linearModel(j: number, value: number, gx: number, gy: number): number {
  return Math.round(255 * Math.min(1, Math.max(0, value / 255 + (j - 3) * (0.05 * gx + 0.02 * gy))));
}

beforeAll(async () => {
  dir = await makeTempDir('editor-browser-');
  out = join(dir, 'export');
  // A frame of samples/rocket-pan.mp4, decoded by afb's own ffmpeg frame source.
  const source = await openFrameSource(join(REPO_ROOT, 'samples/rocket-pan.mp4'), { start: 1, maxFrames: 1 });
  for await (const frame of source) image = { width: frame.width, height: frame.height, data: Uint8Array.from(frame.data) };
  await writePng(join(dir, 'rocket.png'), image);
  // Relative paths (the page shows the export folder as given; the README screenshot must not show this machine's paths).
  url = await startCli(['rocket.png', '--model', fixture('decomposer-linear.onnx'), '--predictor', fixture('predictor-tiny.onnx'), '--samples', '2', '--seed', String(SEED), '-o', 'export']);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

afterAll(async () => {
  await browser?.close();
  await stopEditorClis();
  await removeTempDir(dir);
});

describe('afb edit in chromium', () => {
  it('prints a token URL on 127.0.0.1', () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{32}\/$/);
  });

  it('draws a polygon, gives it a direction, animates 7 frames and exports what afb guidance --labelme computes', async () => {
    const page = await openPage();
    for (const p of DRAWN) await page.mouse.click(...(await toClient(page, p)));
    await page.mouse.click(...(await toClient(page, DRAWN[0]!))); // click the first point: close
    await page.click('#palette button[data-label="down-right"]');
    const regions = await regionsOf(page);
    expect(regions).toHaveLength(1);
    expect(regions[0]!.label).toBe('down-right');
    expect(regions[0]!.shapeType).toBe('polygon');
    const scale = await page.evaluate(() => window.afbEditor!.toClient(1, 0)[0] - window.afbEditor!.toClient(0, 0)[0]);
    regions[0]!.points.forEach(([x, y], k) => {
      expect(Math.abs(x - DRAWN[k]![0])).toBeLessThanOrEqual(1 / scale);
      expect(Math.abs(y - DRAWN[k]![1])).toBeLessThanOrEqual(1 / scale);
    });
    await page.waitForSelector('#regions li[data-label="down-right"]');

    await page.click('#animate');
    await page.waitForFunction(() => window.afbEditor!.shownFrames().length === 7, null, { timeout: 60_000 });
    expect(await page.evaluate(() => window.afbEditor!.shownFrames())).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(await page.getAttribute('#player', 'data-frames')).toBe('7');
    // Still playing: the frame shown keeps changing.
    const seen = new Set<string>();
    for (let i = 0; i < 12; i++) {
      seen.add((await page.getAttribute('#player', 'data-frame'))!);
      await page.waitForTimeout(60);
    }
    expect(seen.size).toBeGreaterThan(1);

    await page.locator('#frame-slider').fill('3');
    const shot = await page.screenshot();
    await (await import('node:fs/promises')).writeFile(join(dir, 'editor.png'), shot);
    if (process.env['AFB_UPDATE_DOCS'] === '1') await copyFile(join(dir, 'editor.png'), join(REPO_ROOT, 'docs/editor.png'));
    expect(shot.byteLength).toBeGreaterThan(50_000);

    await page.click('#export');
    await page.waitForSelector('#exports li >> nth=11', { timeout: 60_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#exports a[download="rocket.json"]')]);
    const downloaded = JSON.parse(await readFile((await download.path())!, 'utf8')) as { imagePath: string; shapes: unknown[] };
    const saved = JSON.parse(await readFile(join(out, 'annotation.json'), 'utf8')) as { imagePath: string; imageWidth: number; imageHeight: number; shapes: { label: string; points: number[][]; shape_type: string }[] };
    expect(downloaded.imagePath).toBe('rocket.png');
    expect(saved.imagePath).toBe('../rocket.png');
    expect(downloaded.shapes).toEqual(saved.shapes);
    expect(saved.shapes).toEqual([{ label: 'down-right', points: regions[0]!.points, group_id: null, description: '', shape_type: 'polygon', flags: {} }]);
    expect([saved.imageWidth, saved.imageHeight]).toEqual([480, 272]);

    // The exported guidance is what the CLI computes from the exported file.
    const cli = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/afb.js'), 'guidance', '--labelme', join(out, 'annotation.json'), '-o', join(dir, 'cli.npy')], { encoding: 'utf8' });
    expect(cli.status, cli.stderr).toBe(0);
    const exported = await readFile(join(out, 'guidance.npy'));
    expect(Buffer.compare(exported, await readFile(join(dir, 'cli.npy')))).toBe(0);
    const g = decodeGuidanceNpy(exported);
    expect(Array.from(g.data.subarray((130 * 480 + 200) * 2, (130 * 480 + 200) * 2 + 2))).toEqual([1, 1]); // inside
    expect(Array.from(g.data.subarray((10 * 480 + 10) * 2, (10 * 480 + 10) * 2 + 2))).toEqual([0, 0]); // outside

    // labelme itself reads the file, and its own rasteriser agrees with afb's (IoU).
    const py = spawnSync('/usr/bin/python3', ['-c', [
      'import json, sys, numpy as np',
      'from labelme.label_file import LabelFile',
      'from labelme.utils import shape_to_mask',
      'f = LabelFile(sys.argv[1])',
      's = f.shapes[0]',
      'm = shape_to_mask((272, 480), s["points"], shape_type=s["shape_type"])',
      'print(json.dumps({"label": s["label"], "n": len(f.shapes), "mask": np.flatnonzero(m).tolist()}))',
    ].join('\n'), join(out, 'annotation.json')], { encoding: 'utf8' });
    expect(py.status, py.stderr).toBe(0);
    const lm = JSON.parse(py.stdout) as { label: string; n: number; mask: number[] };
    expect([lm.label, lm.n]).toEqual(['down-right', 1]);
    const ours = new Set<number>();
    for (let i = 0; i < 480 * 272; i++) if (g.data[2 * i] !== 0) ours.add(i);
    const both = lm.mask.filter((i) => ours.has(i)).length;
    expect(both / (ours.size + lm.mask.length - both)).toBeGreaterThan(0.98);

    // The 7 frames are the model's output for that guidance (the linear test model, exactly).
    for (const j of [0, 6]) {
      const frame = await readImage(join(out, `00${j}.png`));
      for (const p of [130 * 480 + 200, 10 * 480 + 10, 200 * 480 + 250]) {
        for (let c = 0; c < 3; c++) {
          expect(Math.abs(frame.data[3 * p + c]! - linearModel(j, image.data[3 * p + c]!, g.data[2 * p]!, g.data[2 * p + 1]!))).toBeLessThanOrEqual(1);
        }
      }
    }
    await page.close();
  });

  it('imports the exported annotation back: the same regions, editable and undoable', async () => {
    const page = await openPage();
    const saved = JSON.parse(await readFile(join(out, 'annotation.json'), 'utf8')) as { shapes: { label: string; points: [number, number][] }[] };
    await page.setInputFiles('#import', join(out, 'annotation.json'));
    await page.waitForFunction(() => window.afbEditor!.regions().length === 1);
    const imported = await regionsOf(page);
    expect(imported).toEqual([{ label: 'down-right', shapeType: 'polygon', points: saved.shapes[0]!.points }]);
    await page.waitForSelector('#regions li[data-label="down-right"]');

    // Edit: select the region, drag a vertex, delete another, then undo both.
    await page.keyboard.press('e');
    await page.mouse.click(...(await toClient(page, [200, 130])));
    const v = await toClient(page, imported[0]!.points[1]!);
    await page.mouse.move(...v);
    await page.mouse.down();
    await page.mouse.move(v[0] + 20, v[1] + 10, { steps: 4 });
    await page.mouse.up();
    const moved = (await regionsOf(page))[0]!.points[1]!;
    expect(moved[0]).toBeGreaterThan(imported[0]!.points[1]![0] + 5);
    await page.keyboard.press('Delete'); // the dragged vertex is selected
    expect((await regionsOf(page))[0]!.points).toHaveLength(3);
    await page.keyboard.press('Control+z');
    await page.keyboard.press('Control+z');
    expect(await regionsOf(page)).toEqual(imported);
    await page.keyboard.press('Control+Shift+z');
    expect((await regionsOf(page))[0]!.points[1]).toEqual(moved);
    await page.keyboard.press('Escape');
    await page.keyboard.press('2'); // up-left for new regions
    await page.keyboard.press('a'); // Animate from the keyboard
    await page.waitForFunction(() => window.afbEditor!.shownFrames().length === 7, null, { timeout: 60_000 });
    await page.close();
  });

  it('suggests predictor samples as playing thumbnails; picking one gives regions that repaint the sample', async () => {
    const page = await openPage();
    await page.click('#suggest');
    await page.waitForSelector('.suggestion >> nth=1', { timeout: 60_000 });
    expect(await page.locator('.suggestion').count()).toBe(2);
    await page.click('.suggestion[data-sample="1"]');
    await page.waitForFunction(() => window.afbEditor!.shownFrames().length === 7, null, { timeout: 60_000 });
    const regions: Region[] = await regionsOf(page);
    const predictor = await GuidancePredictor.create(fixture('predictor-tiny.onnx'));
    const maps = await predictor.sample(image, 2, SEED);
    await predictor.release();
    const repainted = labelmeToGuidance(regions, image.width, image.height, 4);
    expect(Buffer.compare(Buffer.from(repainted.data.buffer), Buffer.from(maps[1]!.data.buffer))).toBe(0);
    await page.close();
  });

  it('opens a 4K image by scaling the view: the canvas stays the size of the window, points are in image pixels', async () => {
    const big = { width: 3840, height: 2160 };
    await sharp(Buffer.from(image.data), { raw: { width: image.width, height: image.height, channels: 3 } }).resize(big.width, big.height).png({ compressionLevel: 1 }).toFile(join(dir, 'rocket-4k.png'));
    const page = await openPage(await startCli(['rocket-4k.png', '--model', fixture('decomposer-linear.onnx')]));
    const canvas = await page.evaluate(() => {
      const c = document.getElementById('view')!;
      return { width: c.width, height: c.height, css: c.getBoundingClientRect().width };
    });
    expect(canvas.width).toBeLessThan(1280);
    expect(canvas.width).toBe(Math.round(canvas.css));
    const drawn: [number, number][] = [[1000, 500], [3000, 600], [2000, 1800]];
    for (const p of drawn) await page.mouse.click(...(await toClient(page, p)));
    await page.keyboard.press('Enter');
    const scale = await page.evaluate(() => window.afbEditor!.toClient(1, 0)[0] - window.afbEditor!.toClient(0, 0)[0]);
    expect(scale).toBeLessThan(0.3);
    const regions = await regionsOf(page);
    regions[0]!.points.forEach(([x, y], k) => expect(Math.hypot(x - drawn[k]![0], y - drawn[k]![1])).toBeLessThanOrEqual(1.5 / scale));
    await page.waitForFunction(() => document.getElementById('moving')!.textContent !== '', null, { timeout: 60_000 });
    // The overlay is the full-resolution guidance (3840x2160), drawn scaled into the view.
    expect(await page.textContent('#moving')).toMatch(/^\d+\.\d% of the image moves$/);
    await page.close();
  });
});
