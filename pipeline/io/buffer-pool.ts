// A pool of equally sized frame buffers: fresh memory is slow on these machines (allocating and
// touching 44 MB took 140-190 ms), so decoded frames reuse buffers the consumer released.

/**
 * Reusable byte buffers of one size. `acquire()` never blocks: when no released buffer is
 * available it allocates a new one, so a consumer that never releases is still correct (only
 * slower). `release()` ignores buffers of another size and detached buffers (ones transferred
 * to a worker thread), and keeps at most `maxPooled` of them.
 */
export class BufferPool {
  private readonly free: Uint8Array[] = [];
  private allocatedCount = 0;
  constructor(
    readonly byteLength: number,
    private readonly maxPooled = 8,
  ) {
    if (!Number.isInteger(byteLength) || byteLength <= 0) throw new RangeError(`Invalid buffer size ${byteLength}`);
  }
  /** A buffer of `byteLength` bytes, reused when possible (contents are unspecified). */
  acquire(): Uint8Array {
    const buf = this.free.pop();
    if (buf) return buf;
    this.allocatedCount++;
    return new Uint8Array(this.byteLength);
  }
  /** Give a buffer back for reuse. The caller must not touch it afterwards. */
  release(buf: Uint8Array): void {
    if (buf.byteLength !== this.byteLength || buf.buffer.byteLength !== this.byteLength) return;
    if (this.free.length < this.maxPooled && !this.free.includes(buf)) this.free.push(buf);
  }
  /** Buffers allocated so far (a test/benchmark hint that reuse works). */
  get allocated(): number {
    return this.allocatedCount;
  }
  /** Buffers currently waiting for reuse. */
  get available(): number {
    return this.free.length;
  }
}
