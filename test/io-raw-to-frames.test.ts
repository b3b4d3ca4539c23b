import { describe, expect, it } from 'vitest';
import { BufferPool } from '../pipeline/io/buffer-pool.js';
import { PassThrough, Readable } from 'node:stream';
import { PartialFrameError, RawFrameCutter, rawToFrames, rawToFramesAhead } from '../pipeline/io/raw-to-frames.js';

/** Bytes 0..n-1 (mod 256), so every frame's content is predictable. */
function bytes(n: number, start = 0): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (start + i) % 256);
}

async function* chunksOf(data: Uint8Array, sizes: number[]): AsyncGenerator<Uint8Array> {
  let off = 0;
  for (const s of sizes) {
    yield data.subarray(off, off + s);
    off += s;
  }
}

async function collect(it: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const f of it) out.push(f.slice());
  return out;
}

describe('RawFrameCutter', () => {
  it('cuts chunks that split frames anywhere (1-byte, straddling, multi-frame chunks)', () => {
    const data = bytes(6 * 4); // four 6-byte frames
    const cutter = new RawFrameCutter(6);
    const frames: Uint8Array[] = [];
    for (const [a, b] of [[0, 1], [1, 4], [4, 13], [13, 14], [14, 24]] as const) {
      frames.push(...cutter.push(data.subarray(a, b)).map((f) => f.slice()));
    }
    expect(frames.map((f) => [...f])).toEqual([[0, 1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11], [12, 13, 14, 15, 16, 17], [18, 19, 20, 21, 22, 23]]);
    expect(cutter.pendingBytes).toBe(0);
  });

  it('reports the unfinished frame as pending bytes', () => {
    const cutter = new RawFrameCutter(5);
    expect(cutter.push(bytes(7))).toHaveLength(1);
    expect(cutter.pendingBytes).toBe(2);
    expect(cutter.push(new Uint8Array(0))).toHaveLength(0);
    expect(cutter.pendingBytes).toBe(2);
  });

  it('fills buffers from the allocator and rejects wrong sizes', () => {
    const given: Uint8Array[] = [];
    const cutter = new RawFrameCutter(3, () => {
      const b = new Uint8Array(3);
      given.push(b);
      return b;
    });
    const out = cutter.push(bytes(6));
    expect(out[0]).toBe(given[0]);
    expect(out[1]).toBe(given[1]);
    expect(() => new RawFrameCutter(3, () => new Uint8Array(2)).push(bytes(1))).toThrow(RangeError);
    expect(() => new RawFrameCutter(0)).toThrow(RangeError);
  });
});

describe('rawToFrames', () => {
  it('yields whole frames across partial chunks', async () => {
    const data = bytes(4 * 10, 7);
    const frames = await collect(rawToFrames(chunksOf(data, [3, 3, 3, 1, 17, 2, 11]), 10));
    expect(frames).toHaveLength(4);
    frames.forEach((f, i) => expect([...f]).toEqual([...data.subarray(10 * i, 10 * i + 10)]));
  });

  it('throws PartialFrameError naming the frame index when the stream ends inside a frame', async () => {
    const data = bytes(25);
    const seen: number[] = [];
    const err = await (async () => {
      try {
        for await (const f of rawToFrames(chunksOf(data, [4, 9, 12]), 10)) seen.push(f[0]!);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(seen).toEqual([0, 10]);
    expect(err).toBeInstanceOf(PartialFrameError);
    expect((err as PartialFrameError).frameIndex).toBe(2);
    expect((err as PartialFrameError).pendingBytes).toBe(5);
  });

  it('allocates at most one buffer ahead when frames are released (many frames per chunk)', async () => {
    const pool = new BufferPool(4);
    async function* one(): AsyncGenerator<Uint8Array> { yield bytes(4 * 50); }
    let n = 0;
    for await (const f of rawToFrames(one(), 4, () => pool.acquire())) {
      expect(f[0]).toBe((4 * n) % 256);
      pool.release(f);
      n++;
    }
    expect(n).toBe(50);
    expect(pool.allocated).toBe(1);
  });

  it('is lazy: the source is read only as frames are requested (backpressure)', async () => {
    let pulled = 0;
    async function* source(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 100; i++) {
        pulled++;
        yield bytes(4);
      }
    }
    const it = rawToFrames(source(), 8)[Symbol.asyncIterator]();
    await it.next();
    expect(pulled).toBe(2);
    await it.return(undefined);
  });
});

describe('BufferPool', () => {
  it('reuses released buffers and never blocks when empty', () => {
    const pool = new BufferPool(16, 2);
    const a = pool.acquire();
    const b = pool.acquire();
    expect(pool.allocated).toBe(2);
    pool.release(a);
    expect(pool.acquire()).toBe(a);
    pool.release(b);
    pool.release(b); // double release is ignored
    expect(pool.available).toBe(1);
    pool.release(new Uint8Array(8)); // wrong size ignored
    expect(pool.available).toBe(1);
  });

  it('ignores detached (transferred) buffers', () => {
    const pool = new BufferPool(16);
    const a = pool.acquire();
    structuredClone(a.buffer, { transfer: [a.buffer as ArrayBuffer] });
    pool.release(a);
    expect(pool.available).toBe(0);
  });
});

describe('rawToFramesAhead (Node streams)', () => {
  it('cuts a stream of odd-sized chunks and reports a truncated last frame', async () => {
    const data = bytes(3 * 10 + 4);
    const sizes = [1, 7, 2, 13, 9, 2];
    const parts = sizes.map((_, i) => Buffer.from(data.subarray(sizes.slice(0, i).reduce((a, b) => a + b, 0), sizes.slice(0, i + 1).reduce((a, b) => a + b, 0))));
    const seen: number[][] = [];
    const err = await (async () => {
      try {
        for await (const f of rawToFramesAhead(Readable.from(parts), 10)) seen.push([...f]);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(seen).toEqual([[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [10, 11, 12, 13, 14, 15, 16, 17, 18, 19], [20, 21, 22, 23, 24, 25, 26, 27, 28, 29]]);
    expect(err).toBeInstanceOf(PartialFrameError);
    expect(err).toMatchObject({ frameIndex: 3, pendingBytes: 4 });
  });

  it('pauses the stream while readAhead frames wait (backpressure)', async () => {
    const stream = new PassThrough();
    const it = rawToFramesAhead(stream, 4, undefined, 2)[Symbol.asyncIterator]();
    const first = it.next();
    stream.write(Buffer.from(bytes(4 * 5)));
    expect([...(await first).value!]).toEqual([0, 1, 2, 3]);
    expect(stream.isPaused()).toBe(true);
    await it.next();
    await it.next();
    expect(stream.isPaused()).toBe(true); // 2 frames still wait
    await it.next();
    expect(stream.isPaused()).toBe(false); // 1 waits: read again
    stream.end();
    const rest: number[] = [];
    for (let r = await it.next(); !r.done; r = await it.next()) rest.push(r.value[0]!);
    expect(rest).toEqual([16]);
  });

  it('passes on a stream error', async () => {
    const stream = new PassThrough();
    const it = rawToFramesAhead(stream, 4)[Symbol.asyncIterator]();
    const p = it.next();
    stream.destroy(new Error('boom'));
    await expect(p).rejects.toThrow('boom');
  });
});
