// Flow-based frame interpolation for temporal up-sampling before blur synthesis: warp both
// neighbours to time t and blend them, down-weighting pixels whose forward/backward flows
// disagree (occlusions). Linear-light RGB in, linear-light RGB out. Pure: no I/O.

/** Forward-backward inconsistency per pixel of the first frame: |F01(x) + F10(x + F01(x))| in pixels. */
export function flowInconsistency(f01: Float32Array, f10: Float32Array, width: number, height: number, out = new Float32Array(width * height)): Float32Array {
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      const u = f01[2 * p]!;
      const v = f01[2 * p + 1]!;
      const qx = Math.min(width - 1, Math.max(0, Math.round(x + u)));
      const qy = Math.min(height - 1, Math.max(0, Math.round(y + v)));
      const q = qy * width + qx;
      out[p] = Math.hypot(u + f10[2 * q]!, v + f10[2 * q + 1]!);
    }
  }
  return out;
}

function bilinear3(img: Float32Array, width: number, height: number, x: number, y: number, out: Float32Array, o: number): void {
  const cx = Math.min(width - 1, Math.max(0, x));
  const cy = Math.min(height - 1, Math.max(0, y));
  const x0 = Math.min(width - 2, Math.floor(cx));
  const y0 = Math.min(height - 2, Math.floor(cy));
  const fx = cx - x0;
  const fy = cy - y0;
  const i00 = (y0 * width + x0) * 3;
  const i01 = i00 + width * 3;
  for (let c = 0; c < 3; c++) {
    const top = img[i00 + c]! + fx * (img[i00 + 3 + c]! - img[i00 + c]!);
    const bot = img[i01 + c]! + fx * (img[i01 + 3 + c]! - img[i01 + c]!);
    out[o + c] = top + fy * (bot - top);
  }
}

/**
 * Frame at time t in (0, 1) between `a` (t = 0) and `b` (t = 1), linear RGB width x height x 3.
 * `f01` is the flow a -> b at a's pixels, `f10` the flow b -> a at b's pixels; `c0`, `c1` their
 * forward-backward inconsistencies (flowInconsistency). Intermediate flows use the linear-motion
 * approximation F_t0 = -(1-t) t F01 + t^2 F10, F_t1 = (1-t)^2 F01 - t (1-t) F10; each warped
 * neighbour is weighted by its time proximity times exp(-c^2 / 2) (1-px inconsistency scale).
 * Frames of at least 2x2 pixels.
 */
export function interpolateFrame(
  a: Float32Array, b: Float32Array, f01: Float32Array, f10: Float32Array, c0: Float32Array, c1: Float32Array,
  width: number, height: number, t: number, out = new Float32Array(width * height * 3),
): Float32Array {
  if (!(t > 0 && t < 1)) throw new RangeError(`Expected an interpolation time in (0, 1) but received ${t}`);
  if (width < 2 || height < 2) throw new RangeError(`Expected frames of at least 2x2 pixels but received ${width}x${height}`);
  const s0 = new Float32Array(3);
  const s1 = new Float32Array(3);
  const k01 = -(1 - t) * t;
  const k10 = t * t;
  const j01 = (1 - t) * (1 - t);
  const j10 = -t * (1 - t);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      const u01 = f01[2 * p]!, v01 = f01[2 * p + 1]!, u10 = f10[2 * p]!, v10 = f10[2 * p + 1]!;
      const x0 = x + k01 * u01 + k10 * u10;
      const y0 = y + k01 * v01 + k10 * v10;
      const x1 = x + j01 * u01 + j10 * u10;
      const y1 = y + j01 * v01 + j10 * v10;
      bilinear3(a, width, height, x0, y0, s0, 0);
      bilinear3(b, width, height, x1, y1, s1, 0);
      const e0 = c0[Math.min(height - 1, Math.max(0, Math.round(y0))) * width + Math.min(width - 1, Math.max(0, Math.round(x0)))]!;
      const e1 = c1[Math.min(height - 1, Math.max(0, Math.round(y1))) * width + Math.min(width - 1, Math.max(0, Math.round(x1)))]!;
      let w0 = (1 - t) * Math.exp(-0.5 * e0 * e0);
      let w1 = t * Math.exp(-0.5 * e1 * e1);
      const sum = w0 + w1;
      if (sum < 1e-6) { w0 = 1 - t; w1 = t; } else { w0 /= sum; w1 /= sum; }
      const o = p * 3;
      out[o] = w0 * s0[0]! + w1 * s1[0]!;
      out[o + 1] = w0 * s0[1]! + w1 * s1[1]!;
      out[o + 2] = w0 * s0[2]! + w1 * s1[2]!;
    }
  }
  return out;
}
