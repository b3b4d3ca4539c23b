// The editor page's own files, read into memory once when the server starts: the HTML and CSS
// sources (web/editor/) and the compiled browser modules (dist/web/editor/*.js). Requests look
// names up in this table; no request path is ever joined into a file-system path.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AfbError } from '../errors.js';
import { packageRoot } from '../video/defaults.js';

/** One file the server may send. */
export interface Asset {
  readonly type: string;
  readonly body: Buffer;
}

/** Names a compiled browser module may have (flat folder, kebab-case). */
const MODULE_NAME = /^[a-z0-9-]+\.js$/;

/**
 * Load the page's files: index.html, style.css and every compiled module. AfbError when the
 * browser code is not compiled (run npm run build).
 */
export async function loadEditorAssets(root = packageRoot()): Promise<ReadonlyMap<string, Asset>> {
  const source = join(root, 'web', 'editor');
  const compiled = join(root, 'dist', 'web', 'editor');
  if (!existsSync(join(compiled, 'main.js'))) throw new AfbError(`The editor's browser code is not compiled (${compiled}): run npm run build`);
  const assets = new Map<string, Asset>();
  assets.set('index.html', { type: 'text/html; charset=utf-8', body: await readFile(join(source, 'index.html')) });
  assets.set('style.css', { type: 'text/css; charset=utf-8', body: await readFile(join(source, 'style.css')) });
  for (const name of await readdir(compiled)) {
    if (MODULE_NAME.test(name)) assets.set(name, { type: 'text/javascript; charset=utf-8', body: await readFile(join(compiled, name)) });
  }
  return assets;
}
