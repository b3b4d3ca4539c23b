// Random plan of one procedural video: which photos, which crops and scales, which masks and
// which motions; everything drawn from a seeded stream. Pure: no I/O (photo sizes come in).
import { deriveSeed, Rng } from '../prng.js';
import { applyAffine, imageToLayer, maxDisplacement, type LayerMotion } from './affine.js';
import type { MotionRange, ProceduralConfig } from './config.js';
import { maskExtent, randomMaskShape, type MaskShape } from './mask.js';

/** Which part of a photo becomes a texture, and at what size (photo pixels -> texture pixels). */
export interface TextureRequest {
  readonly photo: number;
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
  readonly outWidth: number;
  readonly outHeight: number;
}

/** Plan of a sprite: its texture, its soft mask (rasterised at the texture size) and its motion. */
export interface SpritePlan {
  readonly request: TextureRequest;
  readonly mask: MaskShape;
  readonly motion: LayerMotion;
}

/** Plan of a whole video. */
export interface VideoPlan {
  readonly background: { readonly request: TextureRequest; readonly motion: LayerMotion };
  readonly sprites: readonly SpritePlan[];
  /** Sub-frames of each exposure. */
  readonly subframes: readonly number[];
  /** Exposure fraction of this video: exposure i spans [i, i + dutyCycle) of the timeline. */
  readonly dutyCycle: number;
}

/**
 * The exposure fraction of the video with random stream `seed`: uniform in config.dutyCycle, from
 * a stream of its own (so the rest of the plan does not depend on it).
 */
export function drawDutyCycle(seed: number, config: Pick<ProceduralConfig, 'dutyCycle'>): number {
  const [lo, hi] = config.dutyCycle;
  if (lo === hi) return lo;
  return new Rng(deriveSeed(seed, 0xd07c)).uniform(lo, hi);
}

/** Draw start/end velocities (px per exposure) for a layer: static, slow or up to maxShift. */
function drawVelocity(rng: Rng, range: MotionRange, slowShift: number): { v0: [number, number]; v1: [number, number]; moving: boolean } {
  const u = rng.next();
  if (u < range.staticProb || range.maxShift === 0) return { v0: [0, 0], v1: [0, 0], moving: false };
  const max = u < range.staticProb + range.slowProb ? Math.min(slowShift, range.maxShift) : range.maxShift;
  const m0 = rng.uniform(0, max);
  const a0 = rng.uniform(-Math.PI, Math.PI);
  // the velocity drifts over the video: turns by up to 45 degrees, speeds up or slows down
  const m1 = Math.min(max, m0 * rng.uniform(0.6, 1.4));
  const a1 = a0 + rng.uniform(-Math.PI / 4, Math.PI / 4);
  return { v0: [m0 * Math.cos(a0), m0 * Math.sin(a0)], v1: [m1 * Math.cos(a1), m1 * Math.sin(a1)], moving: true };
}

/** Draw a layer motion (translation ramp, rotation and zoom rates) whose anchor is at `mid` at mid-video. */
function drawMotion(rng: Rng, range: MotionRange, slowShift: number, duration: number, anchor: [number, number], mid: [number, number]): LayerMotion {
  const { v0, v1, moving } = drawVelocity(rng, range, slowShift);
  const omega = moving && rng.chance(0.5) ? (rng.uniform(-1, 1) * range.maxRotation * Math.PI) / 180 : 0;
  const zeta = moving && rng.chance(0.4) ? rng.uniform(-1, 1) * Math.log1p(range.maxZoom) : 0;
  const h = duration / 2;
  // position at mid-video = centre + v0 h + (v1 - v0) h^2 / (2 duration); solve for centre
  const k = (h * h) / (2 * duration);
  const centre: [number, number] = [mid[0] - v0[0] * h - (v1[0] - v0[0]) * k, mid[1] - v0[1] * h - (v1[1] - v0[1]) * k];
  return { anchor, centre, v0, v1, duration, rot0: 0, omega, logScale0: -zeta * h, zeta };
}

/** Photo scale: log-uniform between "just covers the region" and 1:1, capped at maxUpscale. */
function drawScale(rng: Rng, cover: number, maxUpscale: number): number {
  if (cover >= 1) return Math.min(cover, maxUpscale);
  return Math.exp(rng.uniform(Math.log(cover), 0));
}

/** Crop request for a texture of outW x outH from a photo of size pw x ph at scale sigma (texture px per photo px). */
function cropRequest(rng: Rng, photo: number, pw: number, ph: number, outW: number, outH: number, sigma: number): TextureRequest {
  const w = Math.max(1, Math.min(pw, Math.round(outW / sigma)));
  const h = Math.max(1, Math.min(ph, Math.round(outH / sigma)));
  return {
    photo,
    left: rng.int(0, pw - w),
    top: rng.int(0, ph - h),
    width: w,
    height: h,
    outWidth: Math.max(2, Math.min(outW, Math.round(w * sigma))),
    outHeight: Math.max(2, Math.min(outH, Math.round(h * sigma))),
  };
}

/** Sub-frames for one exposure: the smallest 7*k (k odd when possible) keeping sub-frame steps <= `step` px. */
export function subframesFor(displacement: number, config: Pick<ProceduralConfig, 'subframes' | 'subframeStep' | 'numGts'>): number {
  const n = config.numGts;
  const kMax = config.subframes / n;
  if (config.subframeStep <= 0) return config.subframes;
  let k = Math.max(1, Math.ceil(displacement / (n * config.subframeStep)));
  if (k % 2 === 0) k++; // odd k: ground-truth frames sit exactly at slice centres
  return Math.min(k, kMax) * n;
}

/**
 * Plan the video of random stream `seed` from a pool of photos with the given (width, height) sizes
 * (indices into the pool); background and sprites come from different photos when possible.
 */
export function planVideo(seed: number, config: ProceduralConfig, photoSizes: readonly (readonly [number, number])[]): VideoPlan {
  if (photoSizes.length === 0) throw new RangeError('The photo pool is empty');
  const rng = new Rng(seed);
  const { width: W, height: H, framesPerVideo: n } = config;
  const bgPhoto = rng.int(0, photoSizes.length - 1);
  // camera: rotation/zoom about the image centre, anchored at the texture point seen there mid-video
  const cam0 = drawMotion(rng, config.camera, config.slowShift, n, [0, 0], [(W - 1) / 2, (H - 1) / 2]);
  // texture extent needed: bounding box (relative to the anchor) of the view over the whole video
  let minU = Infinity, maxU = -Infinity, minV = Infinity, maxV = -Infinity;
  for (let q = 0; q <= 8; q++) {
    const inv = imageToLayer(cam0, (q / 8) * n);
    for (const [x, y] of [[0, 0], [W - 1, 0], [0, H - 1], [W - 1, H - 1]] as const) {
      const [u, v] = applyAffine(inv, x, y);
      minU = Math.min(minU, u); maxU = Math.max(maxU, u); minV = Math.min(minV, v); maxV = Math.max(maxV, v);
    }
  }
  const needW = Math.ceil(maxU - minU) + 3;
  const needH = Math.ceil(maxV - minV) + 3;
  const [pw, ph] = photoSizes[bgPhoto]!;
  const sigma = drawScale(rng, Math.max(needW / pw, needH / ph), config.maxUpscale);
  const bgReq = cropRequest(rng, bgPhoto, pw, ph, needW, needH, sigma);
  // anchor: where the needed box's origin lands in the (possibly smaller, then mirrored) texture
  const anchor: [number, number] = [-minU + 1 - (needW - bgReq.outWidth) / 2, -minV + 1 - (needH - bgReq.outHeight) / 2];
  const camera: LayerMotion = { ...cam0, anchor };

  const weights = [0.15, 0.25, 0.25, 0.2, 0.15];
  const maxCount = config.sprites.maxCount;
  let count = 0;
  if (maxCount > 0) {
    const u = rng.next();
    // the default 5 weights cover 0..4 sprites; other maxima draw uniformly
    if (maxCount === 4) { let acc = 0; for (count = 0; count < 4; count++) { acc += weights[count]!; if (u < acc) break; } }
    else count = Math.floor(u * (maxCount + 1));
  }
  const sprites: SpritePlan[] = [];
  const minSide = Math.min(W, H);
  for (let s = 0; s < count; s++) {
    let photo = rng.int(0, photoSizes.length - 1);
    if (photoSizes.length > 1 && photo === bgPhoto) photo = (photo + 1 + rng.int(0, photoSizes.length - 2)) % photoSizes.length;
    const radius = rng.uniform(config.sprites.minRadius, config.sprites.maxRadius) * minSide;
    const mask = randomMaskShape(rng, radius, Math.max(0.5, Math.min(3, radius / 8)));
    const ext = maskExtent(mask);
    const size = 2 * ext + 1;
    const [sw, sh] = photoSizes[photo]!;
    const sSigma = drawScale(rng, size / Math.min(sw, sh), config.maxUpscale);
    const request = cropRequest(rng, photo, sw, sh, size, size, sSigma);
    const mid: [number, number] = [rng.uniform(0.1, 0.9) * (W - 1), rng.uniform(0.1, 0.9) * (H - 1)];
    const motion = drawMotion(rng, config.sprites, config.slowShift, n, [(request.outWidth - 1) / 2, (request.outHeight - 1) / 2], mid);
    // a photo smaller than the box gives a smaller texture: shrink the mask to fit it
    const fit = Math.min(request.outWidth, request.outHeight) / size;
    sprites.push({ request, mask: fit < 1 ? { ...mask, radius: mask.radius * fit, feather: Math.max(0.5, mask.feather * fit) } : mask, motion });
  }

  const dutyCycle = drawDutyCycle(seed, config);
  const subframes: number[] = [];
  const camRadius = Math.hypot(W, H) / 2;
  for (let i = 0; i < n; i++) {
    let disp = maxDisplacement(camera, i, i + dutyCycle, camRadius);
    for (const sp of sprites) {
      const r = (Math.SQRT2 * Math.max(sp.request.outWidth, sp.request.outHeight)) / 2 * Math.exp(Math.abs(sp.motion.logScale0) + Math.abs(sp.motion.zeta) * n);
      disp = Math.max(disp, maxDisplacement(sp.motion, i, i + dutyCycle, r));
    }
    subframes.push(subframesFor(disp, config));
  }
  return { background: { request: bgReq, motion: camera }, sprites, subframes, dutyCycle };
}
