// Sink writing a folder of PNG frames named {n:08d}.png. The folder is built under a
// temporary name next to the target (with afb's marker) and renamed into place only when complete.
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OutputError } from '../errors.js';
import type { RgbImage } from '../math/types.js';
import { asOutputError } from './atomic.js';
import { createTempFolder, replaceDir } from './folder-output.js';
import { untrackTemp } from './temp-files.js';
import { checkFrame, type FrameSink, type PngFolderSinkOptions } from './frame-sink-types.js';
import { encodePng } from './image.js';

/** File name of frame number n: 8 digits, zero padded. */
export function pngFrameName(n: number): string {
  return `${String(n).padStart(8, '0')}.png`;
}

/** PNG file writes allowed in flight while the next frame is encoded. */
const MAX_PENDING_WRITES = 4;

class PngFolderSink implements FrameSink {
  private written = 0;
  private state: 'open' | 'finished' | 'failed' = 'open';
  private readonly pending = new Set<Promise<void>>();
  private writeError: unknown;
  constructor(
    readonly path: string,
    private readonly tmp: string,
    private readonly o: PngFolderSinkOptions,
  ) {}

  get framesWritten(): number {
    return this.written;
  }

  async write(frame: RgbImage): Promise<void> {
    if (this.state !== 'open') throw new Error(`Cannot write to a ${this.state} sink (${this.path})`);
    checkFrame(frame, this.o);
    if (this.o.signal?.aborted) throw await this.fail(this.o.signal.reason);
    if (this.writeError) throw await this.fail(this.writeError);
    let png: Buffer;
    try {
      // encodePng has consumed the pixels once it resolves: the caller may reuse the buffer.
      png = await encodePng(frame, this.o.compressionLevel ?? 6);
    } catch (error) {
      throw await this.fail(error);
    }
    const file = join(this.tmp, pngFrameName((this.o.startNumber ?? 0) + this.written));
    this.written++;
    const p = writeFile(file, png).catch((error: unknown) => {
      this.writeError ??= asOutputError(this.path, error);
    });
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
    if (this.pending.size >= MAX_PENDING_WRITES) await Promise.race(this.pending);
  }

  async finish(): Promise<void> {
    if (this.state !== 'open') throw new Error(`Cannot finish a ${this.state} sink (${this.path})`);
    await Promise.all(this.pending);
    if (this.writeError) throw await this.fail(this.writeError);
    if (this.written === 0) throw await this.fail(new OutputError(this.path, 'No frames were written'));
    try {
      await replaceDir(this.tmp, this.path);
      untrackTemp(this.tmp);
      this.state = 'finished';
    } catch (error) {
      throw await this.fail(new OutputError(this.path, `Cannot move the finished frame folder into place (${(error as Error).message})`, { cause: error }));
    }
  }

  async abort(): Promise<void> {
    if (this.state === 'finished') return;
    this.state = 'failed';
    await Promise.all(this.pending).catch(() => undefined);
    await rm(this.tmp, { recursive: true, force: true }).catch(() => undefined);
    untrackTemp(this.tmp);
  }

  private async fail(error: unknown): Promise<unknown> {
    await this.abort();
    return error;
  }
}

/**
 * Open a PNG-folder writer: frames become `<dir>/{n:08d}.png` (8 or 16 bit from the frames).
 * An existing folder of that name is replaced when the new one is complete: callers check first
 * with checkFolderOutput (folder-output.ts) that it may be.
 * @throws OutputError when the parent folder is not writable.
 */
export async function openPngFolderSink(dir: string, o: PngFolderSinkOptions): Promise<FrameSink> {
  if (o.compressionLevel !== undefined && !(Number.isInteger(o.compressionLevel) && o.compressionLevel >= 0 && o.compressionLevel <= 9)) {
    throw new RangeError(`compressionLevel must be an integer in [0, 9], received ${o.compressionLevel}`);
  }
  return new PngFolderSink(dir, await createTempFolder(dir), o);
}
