import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { request } from 'node:http';
import { syncBuiltinESMExports } from 'node:module';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { resolveOptions } from '../configs/option-schema.js';
import { EDIT_OPTIONS } from '../configs/edit-options.js';
import { loadEditorAssets } from '../pipeline/editor/assets.js';
import { openCommand } from '../pipeline/editor/open-browser.js';
import { startEditor, type Editor } from '../pipeline/editor/start.js';
import { Logger } from '../pipeline/log.js';
import { labelmeToGuidance } from '../pipeline/math/labelme.js';
import { GuidancePredictor } from '../pipeline/runtime/predictor.js';
import type { Suggestion } from '../web/editor/protocol.js';
import { makeTempDir, removeTempDir } from './helpers/media.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const w = 40, h = 24;
const pixels = Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 37 + 11) % 256);
const canary = `canary-${randomBytes(8).toString('hex')}`;
let dir = '';
let editor: Editor;

/** One raw HTTP request (the path is sent exactly as given: no URL normalisation). */
function raw(o: { path: string; method?: string; host?: string; port?: number; headers?: Record<string, string>; body?: Buffer | string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: o.host ?? '127.0.0.1', port: o.port ?? editor.server.port, path: o.path, method: o.method ?? 'GET', headers: o.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (o.body !== undefined) req.write(o.body);
    req.end();
  });
}

const api = (name: string) => `/${editor.server.token}/${name}`;
const postJson = (name: string, value: unknown) => raw({ path: api(name), method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(value) });

function options(over: Record<string, unknown>) {
  return resolveOptions(EDIT_OPTIONS, { model: fixture('decomposer-linear.onnx'), predictor: fixture('predictor-tiny.onnx'), tile: 'off', ...over });
}

beforeAll(async () => {
  dir = await makeTempDir('editor-server-');
  await sharp(Buffer.from(pixels), { raw: { width: w, height: h, channels: 3 } }).png().toFile(join(dir, 'blur.png'));
  await fsp.writeFile(join(dir, 'secret.txt'), canary);
  editor = await startEditor(join(dir, 'blur.png'), options({}), { workers: 1, threads: 1, log: new Logger('silent') }, { maxBodyBytes: 4096 });
});
afterAll(async () => {
  await editor?.close();
  await removeTempDir(dir);
});

describe('afb edit server: access', () => {
  it('listens on 127.0.0.1 and prints a URL with a 128-bit token', () => {
    expect(editor.server.host).toBe('127.0.0.1');
    expect(editor.server.url).toBe(`http://127.0.0.1:${editor.server.port}/${editor.server.token}/`);
    expect(editor.server.token).toMatch(/^[0-9a-f]{32}$/);
  });

  it('answers 403 without the token, with a wrong one and with a token prefix', async () => {
    const t = editor.server.token;
    for (const path of ['/', '/image', '/api/session', `/${t.slice(0, -1)}/image`, `/${t}x/image`, `/x${t}/image`, '/index.html']) {
      expect((await raw({ path })).status, path).toBe(403);
    }
    expect((await raw({ path: '/api/import', method: 'POST', body: '{}' })).status).toBe(403);
    expect((await raw({ path: api('image') })).status).toBe(200);
  });

  it('serves the page, its modules and the image with the token', async () => {
    const page = await raw({ path: api('') });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<script type="module" src="main.js">');
    expect((await raw({ path: api('main.js') })).body).toContain('afbEditor');
    const session = JSON.parse((await raw({ path: api('api/session') })).body) as { image: { width: number; height: number }; frames: number };
    expect(session.image).toEqual({ name: 'blur.png', width: w, height: h });
    expect(session.frames).toBe(7);
  });

  it('never reads a file for "..", absolute or encoded paths', async () => {
    const t = editor.server.token;
    const attempts = [
      `/${t}/../secret.txt`, `/${t}/../../package.json`, `/${t}/%2e%2e/secret.txt`, `/${t}/..%2fsecret.txt`, `/${t}/%2e%2e%2f%2e%2e%2fetc%2fpasswd`,
      `/${t}//etc/passwd`, `/${t}/%2Fetc%2Fpasswd`, `/${t}/..\\..\\secret.txt`, `/${t}/image/../secret.txt`, `/${t}/result/../../secret.txt`,
      `/${t}/result/0123456789abcdef/../../../etc/passwd`, `/${t}/secret.txt`, `/${t}/blur.png`, `/${t}/main.js/../../secret.txt`,
      '/../../etc/passwd', '//etc/passwd', `http://127.0.0.1/${t}/../secret.txt`, `/${t}/%252e%252e/secret.txt`, `/${t}/%E2%80%A5/secret.txt`,
    ];
    // Count every file the process opens while these requests are served.
    const opened: string[] = [];
    const names = ['readFile', 'open', 'stat', 'access', 'opendir'] as const;
    const saved = names.map((n) => fsp[n]);
    const syncNames = ['readFileSync', 'openSync', 'createReadStream', 'readFile', 'open'] as const;
    const savedSync = syncNames.map((n) => fs[n]);
    names.forEach((n, i) => {
      (fsp as Record<string, unknown>)[n] = (...args: unknown[]) => {
        opened.push(`${n} ${String(args[0])}`);
        return (saved[i] as (...a: unknown[]) => unknown)(...args);
      };
    });
    syncNames.forEach((n, i) => {
      (fs as Record<string, unknown>)[n] = (...args: unknown[]) => {
        opened.push(`${n} ${String(args[0])}`);
        return (savedSync[i] as (...a: unknown[]) => unknown)(...args);
      };
    });
    syncBuiltinESMExports();
    try {
      for (const path of attempts) {
        const r = await raw({ path });
        expect([403, 404], path).toContain(r.status);
        expect(r.body).not.toContain(canary);
        expect(r.body).not.toContain('root:');
      }
      expect(opened).toEqual([]);
      // The spies do see files opened through the named imports the server's modules use.
      await loadEditorAssets();
      expect(opened.some((o) => o.endsWith('index.html'))).toBe(true);
    } finally {
      names.forEach((n, i) => ((fsp as Record<string, unknown>)[n] = saved[i]));
      syncNames.forEach((n, i) => ((fs as Record<string, unknown>)[n] = savedSync[i]));
      syncBuiltinESMExports();
    }
  });

  it('refuses an oversized body (declared or streamed) with 413 and keeps serving', async () => {
    const big = await raw({ path: api('api/import'), method: 'POST', body: 'x'.repeat(10_000) });
    expect(big.status).toBe(413);
    expect(big.body).toContain('over the limit of 4096 bytes');
    const declared = await raw({ path: api('api/import'), method: 'POST', headers: { 'Content-Length': '1000000000' }, body: '{' });
    expect(declared.status).toBe(413);
    const chunked = await raw({ path: api('api/guidance'), method: 'POST', headers: { 'Transfer-Encoding': 'chunked' }, body: 'y'.repeat(8192) });
    expect(chunked.status).toBe(413);
    expect((await raw({ path: api('api/session') })).status).toBe(200);
  });

  it('refuses other Host headers (DNS rebinding) and cross-origin POSTs', async () => {
    expect((await raw({ path: api('image'), headers: { Host: 'evil.example' } })).status).toBe(403);
    const origin = `http://127.0.0.1:${editor.server.port}`;
    expect((await raw({ path: api('api/session'), headers: { Host: `localhost:${editor.server.port}` } })).status).toBe(200);
    expect((await raw({ path: api('api/guidance'), method: 'POST', headers: { Origin: 'http://evil.example' }, body: '{}' })).status).toBe(403);
    expect((await raw({ path: api('api/guidance'), method: 'POST', headers: { Origin: origin }, body: JSON.stringify({ regions: [], directions: 4 }) })).status).toBe(200);
  });

  it('is not reachable on this machine\'s other addresses unless --host names one', async () => {
    const others = Object.values(networkInterfaces()).flat().filter((a) => a && a.family === 'IPv4' && !a.internal).map((a) => a!.address);
    for (const address of others) {
      await expect(raw({ host: address, path: api('image') })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    }
    const open = await startEditor(join(dir, 'blur.png'), options({ host: '0.0.0.0' }), { workers: 1, threads: 1, log: new Logger('silent') });
    try {
      expect(open.server.host).toBe('0.0.0.0');
      for (const address of others) {
        expect((await raw({ host: address, port: open.server.port, path: `/${open.server.token}/image`, headers: { Host: `${address}:${open.server.port}` } })).status).toBe(200);
        expect((await raw({ host: address, port: open.server.port, path: '/image' })).status).toBe(403);
      }
    } finally {
      await open.close();
    }
  });
});

describe('afb edit server: API', () => {
  const square = { label: 'down-right', shapeType: 'polygon', points: [[4, 2], [20, 2], [20, 14], [4, 14]] };

  it('rejects bad bodies with 400 naming the field and value', async () => {
    expect(await postJson('api/guidance', { regions: [square], directions: 3 })).toMatchObject({ status: 400, body: expect.stringContaining('one of 2, 4, 8, 16 for directions but received 3') });
    const badLabel = await postJson('api/guidance', { regions: [{ ...square, label: 'sideways' }], directions: 4 });
    expect(badLabel.status).toBe(400);
    expect(badLabel.body).toContain('labelme shape 0 label but received \\"sideways\\"');
    expect((await postJson('api/guidance', { regions: [{ ...square, points: [[0, 'x']] }], directions: 4 })).status).toBe(400);
    expect((await postJson('api/suggest', { count: 0, seed: 1 })).body).toContain('an integer from 1 to 64 for count but received 0');
    expect((await raw({ path: api('api/guidance'), method: 'POST', body: '{not json' })).status).toBe(400);
    expect((await raw({ path: api('api/guidance') })).status).toBe(405);
  });

  it('imports labelme annotations made on a larger copy, scaling the points', async () => {
    const r = await postJson('api/import', { imageWidth: 80, imageHeight: 48, shapes: [{ label: 'up-left', points: [[8, 4], [40, 4], [40, 28]], shape_type: 'polygon' }] });
    expect(JSON.parse(r.body)).toEqual({ regions: [{ label: 'up-left', shapeType: 'polygon', points: [[4, 2], [20, 2], [20, 14]] }], scale: [0.5, 0.5] });
    expect((await postJson('api/import', { shapes: [{ label: 'nowhere', points: [[0, 0], [1, 0], [1, 1]] }] })).status).toBe(400);
  });

  it('suggests the same maps as afb decompose --samples N --seed S, as regions that repaint them exactly', async () => {
    const r = await postJson('api/suggest', { count: 3, seed: 5 });
    expect(r.status).toBe(200);
    const list = JSON.parse(r.body) as Suggestion[];
    expect(list.map((s) => s.sample)).toEqual([0, 1, 2]);
    const predictor = await GuidancePredictor.create(fixture('predictor-tiny.onnx'));
    const maps = await predictor.sample({ width: w, height: h, data: pixels }, 3, 5);
    await predictor.release();
    for (const [k, s] of list.entries()) {
      const repainted = labelmeToGuidance(s.regions.map((x) => ({ ...x })), w, h, 4);
      expect(Array.from(repainted.data)).toEqual(Array.from(maps[k]!.data));
      expect(s.frames).toHaveLength(7);
      expect((await raw({ path: api(s.frames[6]!) })).status).toBe(200);
    }
  });
});

describe('afb edit start-up', () => {
  const log = new Logger('silent');
  const run = { workers: 1, threads: 1, log };

  it('names a bad image, annotation or export folder before any worker starts', async () => {
    await expect(startEditor(join(dir, 'nope.png'), options({}), run)).rejects.toMatchObject({ name: 'InputError', message: expect.stringContaining('Image not found') });
    await fsp.writeFile(join(dir, 'bad.json'), JSON.stringify({ shapes: [{ label: 'sideways', points: [[0, 0], [1, 0], [1, 1]] }] }));
    await expect(startEditor(join(dir, 'blur.png'), options({ labelme: join(dir, 'bad.json') }), run)).rejects.toMatchObject({ name: 'InputError', path: join(dir, 'bad.json') });
    // Export writes DIR/annotation.json: never over the annotation the session started from.
    await fsp.writeFile(join(dir, 'annotation.json'), JSON.stringify({ imageWidth: w, imageHeight: h, shapes: [] }));
    await expect(startEditor(join(dir, 'blur.png'), options({ labelme: join(dir, 'annotation.json'), output: dir }), run)).rejects.toMatchObject({ name: 'InvalidOptionError', option: '-o/--output' });
    await expect(startEditor(join(dir, 'blur.png'), options({ predictor: join(dir, 'none.onnx') }), run)).rejects.toMatchObject({ name: 'InputError', message: expect.stringContaining('Guidance predictor not found') });
  });

  it('starts from a --labelme annotation: the page gets its regions', async () => {
    const shapes = [{ label: 'angle:30', points: [[1, 1], [9, 1], [9, 7]], shape_type: 'polygon' }, { label: 'static', points: [[2, 2], [5, 5]], shape_type: 'rectangle' }];
    await fsp.writeFile(join(dir, 'start.json'), JSON.stringify({ imageWidth: w, imageHeight: h, shapes }));
    const e = await startEditor(join(dir, 'blur.png'), options({ labelme: join(dir, 'start.json'), directions: 16 }), run);
    try {
      const info = JSON.parse((await raw({ port: e.server.port, path: `/${e.server.token}/api/session` })).body) as { regions: unknown; directions: number };
      expect(info.directions).toBe(16);
      expect(info.regions).toEqual([{ label: 'angle:30', shapeType: 'polygon', points: [[1, 1], [9, 1], [9, 7]] }, { label: 'static', shapeType: 'rectangle', points: [[2, 2], [5, 5]] }]);
    } finally {
      await e.close();
    }
  });

  it('reports a busy port as a typed error and stops its workers', async () => {
    await expect(startEditor(join(dir, 'blur.png'), options({ port: editor.server.port }), run)).rejects.toMatchObject({ name: 'AfbError', exitCode: 2, message: expect.stringContaining(`Cannot listen on 127.0.0.1:${editor.server.port} (EADDRINUSE)`) });
  });

  it('opens the URL with the desktop\'s opener', () => {
    expect(openCommand('http://x/', 'linux')).toEqual(['xdg-open', ['http://x/']]);
    expect(openCommand('http://x/', 'darwin')).toEqual(['open', ['http://x/']]);
    expect(openCommand('http://x/', 'win32')).toEqual(['cmd', ['/c', 'start', '""', 'http://x/']]);
  });
});

