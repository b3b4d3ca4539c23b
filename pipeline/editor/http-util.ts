// Small HTTP helpers for the editor's server: bounded request bodies, answers with the security
// headers every response carries, and an error type that carries its status.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A request the server refuses: `status` is the HTTP status sent back with `message`. */
export class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
  }
}

/**
 * Headers of every answer: nothing cached, no MIME sniffing, no framing, no referrer (the URL
 * holds the token), and a content security policy that only allows the page's own scripts.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Content-Security-Policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; media-src 'self' blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};

/** Send bytes with a content type (and optional extra headers). */
export function sendBytes(res: ServerResponse, status: number, type: string, body: Uint8Array | string, extra: Record<string, string> = {}): void {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': String(bytes.byteLength), ...extra });
  res.end(bytes);
}

/** Send a JSON value. */
export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  sendBytes(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

/**
 * Read a whole request body, refusing more than `limit` bytes with 413: a declared
 * Content-Length over the limit is refused before any byte is read, a longer stream as soon as
 * it passes the limit (the rest is not read).
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) throw new HttpError(413, `Request body of ${declared} bytes is over the limit of ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new HttpError(413, `Request body is over the limit of ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Parse a JSON request body; 400 naming the problem when it is not JSON. */
export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const text = (await readBody(req, limit)).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new HttpError(400, `Request body is not JSON (${(cause as Error).message})`);
  }
}
