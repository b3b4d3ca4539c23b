// Calls to the editor's server. Every URL is relative to the page's own (/TOKEN/), so the token
// travels with each request without the code ever handling it.
import type { ErrorBody } from './protocol.js';

/** Resolve a server-relative URL ('api/x', 'result/...') against the page. */
export function urlOf(path: string): string {
  return new URL(path, document.baseURI).toString();
}

async function answer<T>(res: Response): Promise<T> {
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`;
    try {
      message = ((await res.json()) as ErrorBody).error ?? message;
    } catch {
      // not JSON: keep the status line
    }
    throw new Error(message);
  }
  return (await res.json()) as T;
}

/** GET a JSON answer. */
export async function getJson<T>(path: string): Promise<T> {
  return answer<T>(await fetch(urlOf(path)));
}

/** POST a JSON body (or text as is), get a JSON answer. */
export async function post<T>(path: string, body: unknown): Promise<T> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return answer<T>(await fetch(urlOf(path), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: text }));
}

/** Load an image and wait until it can be drawn. */
export async function loadImage(src: string): Promise<HTMLImageElement> {
  const img = new Image();
  img.src = src.startsWith('data:') ? src : urlOf(src);
  await img.decode();
  return img;
}
