// The editor's local web server (node:http): every URL starts with a random token, only the
// page's own files, the one image and the session's in-memory results are served, and bodies
// are bounded. Bound to 127.0.0.1 unless the caller names another host.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AfbError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Asset } from './assets.js';
import { HttpError, readBody, readJson, sendBytes, sendJson } from './http-util.js';
import { exportFiles } from './export.js';
import type { EditorSession } from './session.js';
import { suggest } from './suggest.js';

/** Settings of the server. */
export interface EditorServerOptions {
  readonly session: EditorSession;
  readonly assets: ReadonlyMap<string, Asset>;
  /** Interface to listen on (default 127.0.0.1: this machine only). */
  readonly host?: string;
  /** Port (0 = any free port). */
  readonly port?: number;
  /** Largest request body in bytes (default 64 MiB: a labelme file may embed its image). */
  readonly maxBodyBytes?: number;
  /** A fixed token (tests); default 128 random bits. */
  readonly token?: string;
  readonly log: Logger;
}

/** A running editor server. */
export interface EditorServer {
  /** The page's URL, token included. */
  readonly url: string;
  readonly token: string;
  readonly host: string;
  readonly port: number;
  /** Stop accepting requests and close open connections. */
  close(): Promise<void>;
}

/** Default body limit: 64 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** Whether a host name or address only reaches this machine. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A route: method + exact name after the token, or a pattern for stored results. */
type Handler = (req: IncomingMessage, res: ServerResponse, match: RegExpMatchArray) => Promise<void>;

function routes(o: EditorServerOptions, limit: number): [string, RegExp, Handler][] {
  const s = o.session;
  return [
    ['GET', /^$/, async (_q, res) => sendAsset(res, o.assets.get('index.html')!)],
    ['GET', /^([a-z0-9-]+\.(?:js|css|html))$/, async (_q, res, m) => {
      const asset = o.assets.get(m[1]!);
      if (!asset) throw new HttpError(404, 'Not found');
      sendAsset(res, asset);
    }],
    ['GET', /^image$/, async (_q, res) => sendBytes(res, 200, 'image/png', await s.imagePng())],
    ['GET', /^api\/session$/, async (_q, res) => sendJson(res, 200, s.info())],
    ['POST', /^api\/guidance$/, async (q, res) => sendJson(res, 200, await s.guidance(await readJson(q, limit)))],
    ['POST', /^api\/animate$/, async (q, res) => sendJson(res, 200, await s.animate(await readJson(q, limit)))],
    ['POST', /^api\/suggest$/, async (q, res) => sendJson(res, 200, await suggest(s, await readJson(q, limit)))],
    ['POST', /^api\/import$/, async (q, res) => sendJson(res, 200, await s.importLabelme((await readBody(q, limit)).toString('utf8')))],
    ['POST', /^api\/export$/, async (q, res) => sendJson(res, 200, await exportFiles(s, await readJson(q, limit)))],
    ['GET', /^result\/([0-9a-f]{16})\/([a-z0-9-]+\.(?:png|gif|mp4|json|npy|flo))$/, async (_q, res, m) => {
      const item = s.results.get(m[1]!, m[2]!);
      if (!item) throw new HttpError(404, 'No such result (it may have been dropped to save memory)');
      const attachment: Record<string, string> = item.download ? { 'Content-Disposition': `attachment; filename="${item.download}"` } : {};
      sendBytes(res, 200, item.type, item.body, attachment);
    }],
  ];
}

function sendAsset(res: ServerResponse, asset: Asset): void {
  sendBytes(res, 200, asset.type, asset.body);
}

/** Start the server; resolves once it listens. */
export async function startEditorServer(o: EditorServerOptions): Promise<EditorServer> {
  const host = o.host ?? '127.0.0.1';
  const token = o.token ?? randomBytes(16).toString('hex');
  const limit = o.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const table = routes(o, limit);
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // The raw request target, never decoded into a path: '/TOKEN/NAME' or '/TOKEN/NAME?query'.
    const target = (req.url ?? '').split('?')[0]!;
    const parts = /^\/([^/]*)(?:\/(.*))?$/.exec(target);
    if (!parts || !sameToken(parts[1] ?? '', token)) throw new HttpError(403, 'Forbidden: this URL needs the token afb edit printed');
    if (isLoopbackHost(host)) {
      // DNS rebinding: a page of another site that resolves its name to 127.0.0.1 sends its own Host.
      const hostHeader = (req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
      if (!isLoopbackHost(hostHeader)) throw new HttpError(403, 'Forbidden: unexpected Host header');
    }
    const origin = req.headers.origin;
    if (req.method === 'POST' && origin !== undefined && origin !== `http://${req.headers.host ?? ''}`) throw new HttpError(403, 'Forbidden: cross-origin request');
    if (parts[2] === undefined) {
      res.writeHead(308, { Location: `/${token}/` }).end();
      return;
    }
    const name = parts[2];
    let methodMismatch = false;
    for (const [method, pattern, handler] of table) {
      const m = pattern.exec(name);
      if (!m) continue;
      if (method !== req.method) {
        methodMismatch = true;
        continue;
      }
      await handler(req, res, m);
      return;
    }
    throw methodMismatch ? new HttpError(405, 'Method not allowed') : new HttpError(404, 'Not found');
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      if (status >= 500) o.log.error(`editor: ${req.method} ${(req.url ?? '').replace(token, '<token>')}: ${(error as Error).message}`);
      // An oversized body is not read to its end: the connection closes after the answer.
      if (status === 413) res.shouldKeepAlive = false;
      if (!res.headersSent) sendJson(res, status, { error: (error as Error).message });
      else res.destroy();
    });
  });
  server.requestTimeout = 0; // Animate and Suggest may run for minutes on a CPU
  await new Promise<void>((resolve, reject) => {
    server.once('error', (cause: NodeJS.ErrnoException) => {
      reject(new AfbError(`Cannot listen on ${host}:${o.port ?? 0} (${cause.code ?? cause.message}): choose another --port or --host`, { cause, exitCode: 2 }));
    });
    server.listen(o.port ?? 0, host, () => {
      server.removeAllListeners('error');
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    url: `http://${shown}:${port}/${token}/`,
    token,
    host,
    port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
