// 3x3 median filter (border pixels use clamped neighbours): the robust smoothing step of the
// built-in flow estimator. Pure.

/** Write the 3x3 median of `src` (w x h, row-major) into `out` (must not alias `src`). */
export function median3x3(src: Float32Array, w: number, h: number, out: Float32Array): void {
  for (let y = 0; y < h; y++) {
    const ym = Math.max(0, y - 1) * w;
    const y0 = y * w;
    const yp = Math.min(h - 1, y + 1) * w;
    for (let x = 0; x < w; x++) {
      const xm = x > 0 ? x - 1 : 0;
      const xp = x < w - 1 ? x + 1 : x;
      // Paeth's 19-exchange median-of-9 network on locals; min/max instead of branches: flow is
      // noisy, and mispredicted branches made the branchy version 4x slower on it.
      let p0 = src[ym + xm]!, p1 = src[ym + x]!, p2 = src[ym + xp]!;
      let p3 = src[y0 + xm]!, p4 = src[y0 + x]!, p5 = src[y0 + xp]!;
      let p6 = src[yp + xm]!, p7 = src[yp + x]!, p8 = src[yp + xp]!;
      let t: number;
      t = Math.min(p1, p2); p2 = Math.max(p1, p2); p1 = t;
      t = Math.min(p4, p5); p5 = Math.max(p4, p5); p4 = t;
      t = Math.min(p7, p8); p8 = Math.max(p7, p8); p7 = t;
      t = Math.min(p0, p1); p1 = Math.max(p0, p1); p0 = t;
      t = Math.min(p3, p4); p4 = Math.max(p3, p4); p3 = t;
      t = Math.min(p6, p7); p7 = Math.max(p6, p7); p6 = t;
      t = Math.min(p1, p2); p2 = Math.max(p1, p2); p1 = t;
      t = Math.min(p4, p5); p5 = Math.max(p4, p5); p4 = t;
      t = Math.min(p7, p8); p8 = Math.max(p7, p8); p7 = t;
      p3 = Math.max(p0, p3);
      p5 = Math.min(p5, p8);
      t = Math.min(p4, p7); p7 = Math.max(p4, p7); p4 = t;
      p6 = Math.max(p3, p6);
      p4 = Math.max(p1, p4);
      p2 = Math.min(p2, p5);
      p4 = Math.min(p4, p7);
      t = Math.min(p4, p2); p2 = Math.max(p4, p2); p4 = t;
      p4 = Math.max(p6, p4);
      p4 = Math.min(p4, p2);
      out[y0 + x] = p4;
    }
  }
}
