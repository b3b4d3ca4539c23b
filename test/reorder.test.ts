import { describe, expect, it } from 'vitest';
import { ReorderBuffer } from '../pipeline/math/reorder.js';

describe('ReorderBuffer', () => {
  it('releases results in index order whatever order they finish in', () => {
    const buf = new ReorderBuffer<string>();
    expect(buf.push(2, 'c')).toEqual([]);
    expect(buf.push(1, 'b')).toEqual([]);
    expect(buf.pending).toBe(2);
    expect(buf.push(0, 'a')).toEqual(['a', 'b', 'c']);
    expect(buf.push(4, 'e')).toEqual([]);
    expect(buf.push(3, 'd')).toEqual(['d', 'e']);
    expect(buf.nextIndex).toBe(5);
    expect(buf.pending).toBe(0);
  });

  it('handles a random permutation', () => {
    const order = [5, 3, 9, 0, 1, 8, 2, 7, 4, 6];
    const buf = new ReorderBuffer<number>();
    const out = order.flatMap((i) => buf.push(i, i * 10));
    expect(out).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
  });

  it('rejects duplicates and indices already released', () => {
    const buf = new ReorderBuffer<number>(3);
    expect(() => buf.push(2, 0)).toThrow(RangeError);
    buf.push(5, 0);
    expect(() => buf.push(5, 0)).toThrow(/pushed twice/);
  });
});
