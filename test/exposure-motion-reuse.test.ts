// --exposure auto computes the first frames' motion for its estimate; MotionKeeper keeps it for the
// decomposition of those frames within a memory budget (pipeline/motion/clip-exposure.ts).
import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../pipeline/math/types.js';
import { estimateClipExposure, frameMotionBytes, MotionKeeper, neighbourRequests } from '../pipeline/motion/clip-exposure.js';
import { staticGuidance, type FrameMotion, type MotionSource } from '../pipeline/motion/source.js';

describe('estimateClipExposure and MotionKeeper', () => {
  it('hands each request\'s motion to onMotion, the one the source gives', async () => {
    const frames: RgbImage[] = Array.from({ length: 3 }, (_, k) => ({ width: 8, height: 6, data: Uint8Array.from({ length: 8 * 6 * 3 }, (_, i) => (i * 7 + k * 3) % 256) }));
    const given = frames.map(() => ({ guidance: staticGuidance(8, 6), motion: { width: 8, height: 6, data: new Float32Array(8 * 6 * 2) } }));
    const source: MotionSource = { description: 'fixed', knowsMotion: true, frameMotion: async (r) => [given[r.index]!], release: async () => {} };
    const seen: [number, FrameMotion][] = [];
    const e = await estimateClipExposure(source, neighbourRequests(frames), (r, m) => seen.push([r.index, m]));
    expect(e).toBeUndefined(); // no motion: nothing to measure
    expect(seen.map(([i]) => i)).toEqual([0, 1, 2]);
    seen.forEach(([i, m]) => expect(m).toBe(given[i]));
  });

  it('keeps motions while their total stays within the budget, hands each back once', () => {
    const motion = (): FrameMotion => ({ guidance: staticGuidance(4, 4), motion: { width: 4, height: 4, data: new Float32Array(32) } });
    expect(frameMotionBytes(motion())).toBe(4 * 4 * 10); // 2 floats + 2 guidance bytes a pixel
    const keeper = new MotionKeeper<number>(2 * 160 + 100);
    expect([0, 1, 2].map((i) => keeper.offer(i, motion()))).toEqual([true, true, false]); // the third would pass the budget
    expect(keeper.heldBytes).toBe(320);
    expect(keeper.take(2)).toBeUndefined(); // not kept: the caller computes it again
    expect(keeper.take(0)).toBeDefined();
    expect(keeper.take(0)).toBeUndefined(); // once
    expect(keeper.heldBytes).toBe(160);
    expect(keeper.offer(3, motion())).toBe(true); // room again
  });
});
