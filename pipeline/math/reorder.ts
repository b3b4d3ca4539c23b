// Put results that finish out of order back in order (frames from parallel workers before the
// encoder). Pure: no I/O.

/** Holds results by index and releases them in index order, starting at `next`. */
export class ReorderBuffer<T> {
  private readonly held = new Map<number, T>();
  constructor(private next = 0) {}

  /** Store result `index`; returns the results now ready, in order (possibly none). */
  push(index: number, value: T): T[] {
    if (!Number.isInteger(index) || index < this.next) throw new RangeError(`Expected a pending index >= ${this.next} but received ${index}`);
    if (this.held.has(index)) throw new RangeError(`Result ${index} was pushed twice`);
    this.held.set(index, value);
    const ready: T[] = [];
    while (this.held.has(this.next)) {
      ready.push(this.held.get(this.next)!);
      this.held.delete(this.next);
      this.next++;
    }
    return ready;
  }

  /** Index of the next result to release. */
  get nextIndex(): number {
    return this.next;
  }

  /** Results held back waiting for an earlier one. */
  get pending(): number {
    return this.held.size;
  }
}
