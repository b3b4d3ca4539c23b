// Cuts a stream of raw video bytes (arbitrary chunk boundaries) into whole frames. Pure: the
// chunks come from anywhere (ffmpeg's stdout in practice, made-up buffers in tests).
import type { Readable } from 'node:stream';

/**
 * Incremental cutter: `push()` copies bytes into the current frame buffer and returns every
 * frame completed by this chunk; `pendingBytes` is the size of the unfinished frame.
 */
export class RawFrameCutter {
  private current: Uint8Array | undefined;
  private filled = 0;
  constructor(
    readonly frameBytes: number,
    private readonly allocate: () => Uint8Array = () => new Uint8Array(frameBytes),
  ) {
    if (!Number.isInteger(frameBytes) || frameBytes <= 0) throw new RangeError(`Invalid frame size ${frameBytes} bytes`);
  }
  /** Feed one chunk; returns the frames it completed (possibly none, possibly several). */
  push(chunk: Uint8Array): Uint8Array[] {
    const done: Uint8Array[] = [];
    let offset = 0;
    while (offset < chunk.length) {
      const step = this.pushSome(chunk, offset);
      offset = step.offset;
      if (step.frame) done.push(step.frame);
    }
    return done;
  }

  /**
   * Copy bytes from `chunk[offset..]` until one frame completes or the chunk is used up.
   * Allocates at most one buffer, so a consumer that releases each frame before asking for
   * the next keeps the pool small even when one chunk holds many frames.
   */
  pushSome(chunk: Uint8Array, offset: number): { frame: Uint8Array | undefined; offset: number } {
    if (offset >= chunk.length) return { frame: undefined, offset };
    if (!this.current) {
      this.current = this.allocate();
      if (this.current.length !== this.frameBytes) throw new RangeError(`allocate() returned ${this.current.length} bytes, expected ${this.frameBytes}`);
      this.filled = 0;
    }
    const n = Math.min(this.frameBytes - this.filled, chunk.length - offset);
    this.current.set(chunk.subarray(offset, offset + n), this.filled);
    this.filled += n;
    if (this.filled < this.frameBytes) return { frame: undefined, offset: offset + n };
    const frame = this.current;
    this.current = undefined;
    this.filled = 0;
    return { frame, offset: offset + n };
  }

  /** Bytes of the frame in progress (non-zero at the end of the stream = truncated frame). */
  get pendingBytes(): number {
    return this.current ? this.filled : 0;
  }
}

/** Raised by rawToFrames when the stream ends inside a frame. */
export class PartialFrameError extends Error {
  constructor(
    readonly frameIndex: number,
    readonly pendingBytes: number,
    readonly frameBytes: number,
  ) {
    super(`Stream ended inside frame ${frameIndex}: ${pendingBytes} of ${frameBytes} bytes`);
    this.name = 'PartialFrameError';
  }
}

/**
 * Async transform: raw byte chunks -> whole frames of `frameBytes` bytes. Backpressure comes
 * for free: the source is only read when the consumer asks for the next frame.
 * @throws PartialFrameError when the stream ends inside a frame.
 */
export async function* rawToFrames(
  chunks: AsyncIterable<Uint8Array>,
  frameBytes: number,
  allocate?: () => Uint8Array,
): AsyncGenerator<Uint8Array, void, undefined> {
  const cutter = new RawFrameCutter(frameBytes, allocate);
  let index = 0;
  for await (const chunk of chunks) {
    let offset = 0;
    while (offset < chunk.length) {
      const step = cutter.pushSome(chunk, offset);
      offset = step.offset;
      if (step.frame) {
        index++;
        yield step.frame;
      }
    }
  }
  if (cutter.pendingBytes > 0) throw new PartialFrameError(index, cutter.pendingBytes, frameBytes);
}

/**
 * Like rawToFrames, but reads up to `readAhead` whole frames ahead of the consumer, so the
 * producer (ffmpeg) keeps decoding while the consumer works on a frame. An async iterator
 * over a Node stream buffers only ~16 KB, which made ffmpeg wait for the consumer.
 * Backpressure: the stream is paused while `readAhead` frames wait.
 * @throws PartialFrameError when the stream ends inside a frame; the stream's own error.
 */
export async function* rawToFramesAhead(
  stream: Readable,
  frameBytes: number,
  allocate?: () => Uint8Array,
  readAhead = 2,
): AsyncGenerator<Uint8Array, void, undefined> {
  const cutter = new RawFrameCutter(frameBytes, allocate);
  const queue: Uint8Array[] = [];
  let ended = false;
  let paused = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const onData = (chunk: Buffer): void => {
    try {
      for (const frame of cutter.push(chunk)) queue.push(frame);
    } catch (error) {
      failure ??= { error };
    }
    if (queue.length >= readAhead && !paused) {
      paused = true;
      stream.pause();
    }
    notify();
  };
  const onEnd = (): void => {
    ended = true;
    notify();
  };
  const onError = (error: Error): void => {
    failure ??= { error };
    notify();
  };
  stream.on('data', onData);
  stream.on('end', onEnd);
  stream.on('close', onEnd);
  stream.on('error', onError);
  let index = 0;
  try {
    for (;;) {
      const frame = queue.shift();
      if (frame) {
        if (paused && queue.length < readAhead) {
          paused = false;
          stream.resume();
        }
        index++;
        yield frame;
        continue;
      }
      if (failure) throw failure.error;
      if (ended) break;
      await new Promise<void>((resolve) => (wake = resolve));
    }
    if (cutter.pendingBytes > 0) throw new PartialFrameError(index, cutter.pendingBytes, frameBytes);
  } finally {
    stream.off('data', onData);
    stream.off('end', onEnd);
    stream.off('close', onEnd);
    stream.off('error', onError);
  }
}
