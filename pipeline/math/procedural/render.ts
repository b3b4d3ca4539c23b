// Render one instant of a layered scene: an opaque background layer (mirror-extended beyond its
// texture) under sprite layers with soft alpha, each moved by its own affine map. Bilinear
// sampling at the exact inverse-affine position of every pixel centre. Pure: no I/O.
import { imageToLayer, layerToImage, applyAffine, type Affine, type LayerMotion } from './affine.js';

/** A linear-light texture, interleaved RGB (channels 3) or RGB + alpha (channels 4). */
export interface Texture {
  readonly width: number;
  readonly height: number;
  readonly channels: 3 | 4;
  readonly data: Float32Array;
}

/** One layer of a scene: its texture and its motion. Layer 0 is the opaque background. */
export interface SceneLayer {
  readonly texture: Texture;
  readonly motion: LayerMotion;
}

/** Reflect a coordinate into [0, n-1] (mirror without repeating the edge texel). */
function reflect(u: number, n: number): number {
  if (n <= 1) return 0;
  const period = 2 * (n - 1);
  let r = u % period;
  if (r < 0) r += period;
  return r > n - 1 ? period - r : r;
}

/** Background: every pixel sampled (mirror outside the texture); also added into `acc` when given. */
function renderOpaque(tex: Texture, inv: Affine, width: number, height: number, out: Float32Array, acc: Float32Array | undefined): void {
  const tw = tex.width;
  const th = tex.height;
  const d = tex.data;
  const [a, b, c, dd, e, f] = inv;
  const row = tw * 3;
  for (let y = 0; y < height; y++) {
    let u = b * y + c;
    let v = e * y + f;
    let o = y * width * 3;
    for (let x = 0; x < width; x++, u += a, v += dd, o += 3) {
      let uu = u;
      let vv = v;
      if (!(uu >= 0 && vv >= 0 && uu < tw - 1 && vv < th - 1)) {
        uu = tw === 1 ? 0 : Math.min(reflect(uu, tw), tw - 1.000001);
        vv = th === 1 ? 0 : Math.min(reflect(vv, th), th - 1.000001);
      }
      const x0 = Math.floor(uu);
      const y0 = Math.floor(vv);
      const fx = uu - x0;
      const fy = vv - y0;
      const i00 = (y0 * tw + x0) * 3;
      const i10 = x0 + 1 < tw ? i00 + 3 : i00;
      const dy = y0 + 1 < th ? row : 0;
      const i01 = i00 + dy;
      const i11 = i10 + dy;
      // bilinear as three lerps per channel
      let p = d[i00]!, q = d[i01]!;
      let top = p + fx * (d[i10]! - p);
      const r0 = top + fy * (q + fx * (d[i11]! - q) - top);
      p = d[i00 + 1]!; q = d[i01 + 1]!;
      top = p + fx * (d[i10 + 1]! - p);
      const r1 = top + fy * (q + fx * (d[i11 + 1]! - q) - top);
      p = d[i00 + 2]!; q = d[i01 + 2]!;
      top = p + fx * (d[i10 + 2]! - p);
      const r2 = top + fy * (q + fx * (d[i11 + 2]! - q) - top);
      out[o] = r0;
      out[o + 1] = r1;
      out[o + 2] = r2;
      if (acc) {
        acc[o] += r0;
        acc[o + 1] += r1;
        acc[o + 2] += r2;
      }
    }
  }
}

/** Sprite: alpha-composite over `out` inside its bounding box; zero alpha outside its texture. */
function renderSprite(
  tex: Texture, fwd: Affine, inv: Affine, width: number, height: number,
  out: Float32Array, acc: Float32Array | undefined, ids: Uint8Array | undefined, layerId: number,
): void {
  const tw = tex.width;
  const th = tex.height;
  const d = tex.data;
  // image-space bounding box of the texture rectangle
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const [cu, cv] of [[0, 0], [tw - 1, 0], [0, th - 1], [tw - 1, th - 1]] as const) {
    const [px, py] = applyAffine(fwd, cu, cv);
    minX = Math.min(minX, px); maxX = Math.max(maxX, px); minY = Math.min(minY, py); maxY = Math.max(maxY, py);
  }
  const xs = Math.max(0, Math.floor(minX));
  const xe = Math.min(width - 1, Math.ceil(maxX));
  const ys = Math.max(0, Math.floor(minY));
  const ye = Math.min(height - 1, Math.ceil(maxY));
  const [a, b, c, dd, e, f] = inv;
  for (let y = ys; y <= ye; y++) {
    let u = a * xs + b * y + c;
    let v = dd * xs + e * y + f;
    for (let x = xs; x <= xe; x++, u += a, v += dd) {
      if (!(u >= 0 && v >= 0 && u < tw - 1 && v < th - 1)) continue;
      const x0 = Math.floor(u);
      const y0 = Math.floor(v);
      const fx = u - x0;
      const fy = v - y0;
      const i00 = (y0 * tw + x0) * 4;
      const i10 = i00 + 4;
      const i01 = i00 + tw * 4;
      const i11 = i01 + 4;
      const w00 = (1 - fx) * (1 - fy);
      const w10 = fx * (1 - fy);
      const w01 = (1 - fx) * fy;
      const w11 = fx * fy;
      const al = w00 * d[i00 + 3]! + w10 * d[i10 + 3]! + w01 * d[i01 + 3]! + w11 * d[i11 + 3]!;
      if (al <= 0) continue;
      const o = (y * width + x) * 3;
      const keep = 1 - al;
      const o0 = out[o]!, o1 = out[o + 1]!, o2 = out[o + 2]!;
      const n0 = keep * o0 + al * (w00 * d[i00]! + w10 * d[i10]! + w01 * d[i01]! + w11 * d[i11]!);
      const n1 = keep * o1 + al * (w00 * d[i00 + 1]! + w10 * d[i10 + 1]! + w01 * d[i01 + 1]! + w11 * d[i11 + 1]!);
      const n2 = keep * o2 + al * (w00 * d[i00 + 2]! + w10 * d[i10 + 2]! + w01 * d[i01 + 2]! + w11 * d[i11 + 2]!);
      out[o] = n0;
      out[o + 1] = n1;
      out[o + 2] = n2;
      if (acc) {
        // the background pass already added the value underneath: swap it for the composite
        acc[o] += n0 - o0;
        acc[o + 1] += n1 - o1;
        acc[o + 2] += n2 - o2;
      }
      if (ids && al >= 0.5) ids[y * width + x] = layerId;
    }
  }
}

/**
 * Render the scene at time t into `out` (linear RGB, width x height x 3). When `ids` is given it
 * receives, per pixel, the index of the topmost layer with alpha >= 0.5 (the layer whose motion
 * is the pixel's flow). When `acc` is given, the rendered frame is also added into it (the
 * running sum of an exposure), in the same pass.
 */
export function renderInstant(layers: readonly SceneLayer[], t: number, width: number, height: number, out: Float32Array, ids?: Uint8Array, acc?: Float32Array): void {
  if (layers.length === 0) throw new RangeError('A scene needs at least a background layer');
  if (layers.length > 255) throw new RangeError(`A scene holds at most 255 layers, received ${layers.length}`);
  if (out.length !== width * height * 3) throw new RangeError(`Output buffer holds ${out.length} values, expected ${width * height * 3}`);
  const bg = layers[0]!;
  if (bg.texture.channels !== 3) throw new RangeError('The background layer must be an RGB texture');
  renderOpaque(bg.texture, imageToLayer(bg.motion, t), width, height, out, acc);
  if (ids) ids.fill(0);
  for (let k = 1; k < layers.length; k++) {
    const layer = layers[k]!;
    if (layer.texture.channels !== 4) throw new RangeError(`Sprite layer ${k} must be an RGBA texture`);
    renderSprite(layer.texture, layerToImage(layer.motion, t), imageToLayer(layer.motion, t), width, height, out, acc, ids, k);
  }
}
