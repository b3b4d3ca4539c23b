// Pure maths of procedural generation: PRNG, affine motion, masks, rendering, exposures, exact flow
// and guidance, tested on small literal scenes.
import { describe, expect, it } from 'vitest';
import { encodeLinearTo8 } from '../pipeline/math/colour.js';
import { encodeLinearTo8Fast, gtIndices, blurFrames } from '../pipeline/math/blur.js';
import { Rng, deriveSeed } from '../pipeline/math/prng.js';
import {
  applyAffine, composeAffine, imageFlowMap, imageToLayer, invertAffine, layerToImage, staticMotion, type LayerMotion,
} from '../pipeline/math/procedural/affine.js';
import { DEFAULT_PROCEDURAL_CONFIG } from '../pipeline/math/procedural/config.js';
import { accumulateFlow, renderExposure, subframeTime } from '../pipeline/math/procedural/exposure.js';
import { maskExtent, randomMaskShape, rasterizeMask } from '../pipeline/math/procedural/mask.js';
import { renderInstant, type SceneLayer, type Texture } from '../pipeline/math/procedural/render.js';
import { guidanceFromFlow, halveFlow, withAlpha } from '../pipeline/math/procedural/scene.js';
import { planVideo, subframesFor } from '../pipeline/math/procedural/scene-plan.js';

/** A smooth RGB texture (sums of low-frequency sinusoids), linear values in [0.05, 0.95]. */
function smoothTexture(w: number, h: number, seed: number): Texture {
  const rng = new Rng(seed);
  const waves = Array.from({ length: 9 }, () => [rng.uniform(0.05, 0.25), rng.uniform(0.05, 0.25), rng.uniform(0, 6.28)] as const);
  const data = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 3; c++) {
        let v = 0;
        for (let k = 0; k < 3; k++) {
          const [fx, fy, ph] = waves[c * 3 + k]!;
          v += Math.sin(fx * x + fy * y + ph);
        }
        data[(y * w + x) * 3 + c] = 0.5 + 0.15 * v;
      }
    }
  }
  return { width: w, height: h, channels: 3, data };
}

function translation(v: [number, number], anchor: [number, number] = [0, 0], centre: [number, number] = [0, 0]): LayerMotion {
  return { ...staticMotion(anchor, centre), v0: v, v1: v };
}

describe('prng', () => {
  it('is deterministic per seed and differs between derived seeds', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(new Rng(43).next()).not.toBe(xs[0]);
    expect(deriveSeed(1, 0)).toBe(deriveSeed(1, 0));
    const seeds = new Set(Array.from({ length: 1000 }, (_, i) => deriveSeed(1, i)));
    expect(seeds.size).toBe(1000);
    expect(deriveSeed(1, 5)).not.toBe(deriveSeed(2, 5));
  });
  it('draws uniform values in range with the right mean', () => {
    const r = new Rng(7);
    const us = Array.from({ length: 20000 }, () => r.uniform(2, 4));
    expect(Math.min(...us)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...us)).toBeLessThan(4);
    expect(us.reduce((a, b) => a + b, 0) / us.length).toBeCloseTo(3, 1);
    const ints = new Set(Array.from({ length: 500 }, () => r.int(0, 3)));
    expect([...ints].sort()).toEqual([0, 1, 2, 3]);
  });
});

describe('affine motion', () => {
  it('inverts and composes', () => {
    const m = [1.2, -0.3, 5, 0.4, 0.9, -2] as const;
    const id = composeAffine(m, invertAffine(m));
    [1, 0, 0, 0, 1, 0].forEach((v, i) => expect(id[i]).toBeCloseTo(v, 12));
    expect(() => invertAffine([1, 2, 0, 2, 4, 0])).toThrow(RangeError);
  });
  it('maps the anchor to its path and rotates/zooms about it', () => {
    const m: LayerMotion = { anchor: [10, 20], centre: [50, 60], v0: [2, 0], v1: [4, 2], duration: 4, rot0: 0, omega: Math.PI / 2, logScale0: 0, zeta: Math.log(2) };
    // at t = 1: position = centre + v0 + (v1 - v0) / (2 * 4) = (52.25, 60.25); angle 90 deg; scale 2
    const [x, y] = applyAffine(layerToImage(m, 1), 10, 20);
    expect(x).toBeCloseTo(52.25, 12);
    expect(y).toBeCloseTo(60.25, 12);
    const [x2, y2] = applyAffine(layerToImage(m, 1), 11, 20); // one texel right -> 2 px down (y-down rotation by +90)
    expect(x2 - x).toBeCloseTo(0, 12);
    expect(y2 - y).toBeCloseTo(2, 12);
    const back = applyAffine(imageToLayer(m, 1), x2, y2);
    expect(back[0]).toBeCloseTo(11, 10);
    expect(back[1]).toBeCloseTo(20, 10);
  });
  it('flow map of a translation is the displacement', () => {
    const m = translation([3, -1.5]);
    const [qx, qy] = applyAffine(imageFlowMap(m, 0.25, 0.75), 7, 9);
    expect(qx - 7).toBeCloseTo(1.5, 12);
    expect(qy - 9).toBeCloseTo(-0.75, 12);
  });
});

describe('ground-truth indices', () => {
  it('puts frames at slice centres for 7 x odd windows', () => {
    expect(gtIndices(49)).toEqual([3, 10, 17, 24, 31, 38, 45]);
    expect(gtIndices(7)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(gtIndices(21)).toEqual([1, 4, 7, 10, 13, 16, 19]);
  });
  it('rounds half up for even k and spreads over long windows', () => {
    expect(gtIndices(28)).toEqual([2, 6, 10, 14, 18, 22, 26]);
    expect(gtIndices(128)).toEqual([9, 27, 45, 64, 82, 100, 118]); // (j + 0.5) * 128 / 7 - 0.5 = 8.64, 26.93, 45.21, 63.5, ...
    expect(() => gtIndices(5, 7)).toThrow(RangeError);
  });
  it('chooses the fewest sub-frames keeping steps small', () => {
    const c = { subframes: 49, subframeStep: 1, numGts: 7 };
    expect(subframesFor(0, c)).toBe(7);
    expect(subframesFor(7, c)).toBe(7);
    expect(subframesFor(8, c)).toBe(21); // k = 2 -> 3 (odd)
    expect(subframesFor(30, c)).toBe(35);
    expect(subframesFor(500, c)).toBe(49);
    expect(subframesFor(3, { ...c, subframeStep: 0 })).toBe(49);
  });
});

describe('linear-light encoding', () => {
  it('fast 8-bit encoder matches the exact one', () => {
    const r = new Rng(3);
    const src = new Float32Array(20000);
    for (let i = 0; i < src.length; i++) src[i] = i < 300 ? i / 299 : r.next() ** 3;
    src[0] = -0.1;
    src[1] = 1.5;
    const fast = encodeLinearTo8Fast(src);
    const exact = encodeLinearTo8(src);
    let diff = 0;
    for (let i = 0; i < src.length; i++) if (fast[i] !== exact[i]) diff++;
    expect(diff).toBe(0);
  });
  it('the accumulator mean encodes like the exact encoder, across resets', async () => {
    const { LinearAccumulator } = await import('../pipeline/math/blur.js');
    const r = new Rng(11);
    const acc = new LinearAccumulator(3000);
    for (let round = 0; round < 2; round++) {
      acc.reset();
      const frames = Array.from({ length: 5 }, () => Uint8Array.from({ length: 3000 }, () => r.int(0, 255)));
      frames.forEach((f) => acc.addEncoded(f));
      expect(acc.count).toBe(5);
      expect(Array.from(acc.meanEncoded8())).toEqual(Array.from(encodeLinearTo8(acc.meanLinear())));
    }
  });
  it('the integer path, the float path and a switch between them agree', async () => {
    const { LinearAccumulator } = await import('../pipeline/math/blur.js');
    const { decodeToLinear } = await import('../pipeline/math/colour.js');
    const r = new Rng(12);
    const frames = Array.from({ length: 4 }, () => Uint8Array.from({ length: 600 }, () => r.int(0, 255)));
    const exact = new Float64Array(600);
    frames.forEach((f) => decodeToLinear(f).forEach((v, i) => { exact[i] += v / 4; }));
    const ints = new LinearAccumulator(600);
    frames.forEach((f) => ints.addEncoded(f));
    const mixed = new LinearAccumulator(600);
    mixed.addEncoded(frames[0]!);
    mixed.addEncoded(frames[1]!);
    mixed.addLinear(decodeToLinear(frames[2]!)); // switches to float64 mid-window
    mixed.addEncoded(frames[3]!);
    for (const acc of [ints, mixed]) {
      const m = acc.meanLinear();
      for (let i = 0; i < 600; i++) expect(Math.abs(m[i]! - exact[i]!)).toBeLessThan(2e-7);
    }
  });
  it('blurFrames is the linear mean, not the code mean', () => {
    // black and white average to linear 0.5 = sRGB code 188, not 128
    const out = blurFrames([new Uint8Array([0, 0, 0]), new Uint8Array([255, 255, 255])]);
    expect([...out]).toEqual([188, 188, 188]);
  });
});

describe('masks', () => {
  it('is opaque at the centre, clear at the corners, soft in between', () => {
    const shape = randomMaskShape(new Rng(5), 10, 2);
    const ext = maskExtent(shape);
    const size = 2 * ext + 1;
    const m = rasterizeMask(shape, size, size);
    expect(m[ext * size + ext]).toBe(1);
    expect(m[0]).toBe(0);
    expect(m[size * size - 1]).toBe(0);
    // the whole border is clear (sprites need a zero border for bilinear sampling)
    for (let i = 0; i < size; i++) {
      expect(m[i]).toBe(0);
      expect(m[(size - 1) * size + i]).toBe(0);
      expect(m[i * size]).toBe(0);
    }
    expect(m.some((v) => v > 0 && v < 1)).toBe(true);
    expect(m.every((v) => v >= 0 && v <= 1)).toBe(true);
  });
});

describe('rendering', () => {
  it('an integer translation copies texels exactly', () => {
    const tex = smoothTexture(20, 16, 1);
    const layers: SceneLayer[] = [{ texture: tex, motion: translation([0, 0], [0, 0], [-3, -2]) }];
    const out = new Float32Array(8 * 6 * 3);
    renderInstant(layers, 0.5, 8, 6, out);
    // image (x, y) shows texel (x + 3, y + 2)
    for (const [x, y] of [[0, 0], [7, 5], [4, 2]] as const) {
      for (let c = 0; c < 3; c++) expect(out[(y * 8 + x) * 3 + c]).toBeCloseTo(tex.data[((y + 2) * 20 + x + 3) * 3 + c]!, 6);
    }
  });
  it('mirrors the background beyond its texture', () => {
    const tex: Texture = { width: 3, height: 1, channels: 3, data: new Float32Array([0.1, 0.1, 0.1, 0.5, 0.5, 0.5, 0.9, 0.9, 0.9]) };
    const out = new Float32Array(6 * 1 * 3);
    renderInstant([{ texture: tex, motion: staticMotion([0, 0], [0, 0]) }], 0, 6, 1, out);
    expect([0, 1, 2, 3, 4, 5].map((x) => Number(out[x * 3]!.toFixed(4)))).toEqual([0.1, 0.5, 0.9, 0.5, 0.1, 0.5]);
  });
  it('composites an opaque sprite and reports its layer id', () => {
    const bg: Texture = { width: 10, height: 10, channels: 3, data: new Float32Array(300).fill(0.2) };
    const alpha = new Float32Array(36).fill(0);
    for (let y = 1; y < 5; y++) for (let x = 1; x < 5; x++) alpha[y * 6 + x] = 1;
    const sprite = withAlpha({ width: 6, height: 6, channels: 3, data: new Float32Array(108).fill(0.8) }, alpha);
    const layers: SceneLayer[] = [
      { texture: bg, motion: staticMotion([0, 0], [0, 0]) },
      { texture: sprite, motion: staticMotion([0, 0], [2, 3]) },
    ];
    const out = new Float32Array(100 * 3);
    const ids = new Uint8Array(100);
    renderInstant(layers, 0, 10, 10, out, ids);
    expect(out[(5 * 10 + 5) * 3]).toBeCloseTo(0.8, 6); // texel (3, 2) of the sprite
    expect(ids[5 * 10 + 5]).toBe(1);
    expect(out[0]).toBeCloseTo(0.2, 6);
    expect(ids[0]).toBe(0);
  });
});

/** A background drifting by `bgV` px per exposure and an opaque-centred soft sprite moving by `spV`. */
function twoLayerScene(bgV: [number, number], spV: [number, number], w = 40, h = 32): SceneLayer[] {
  const shape = { ...randomMaskShape(new Rng(9), 7, 1), kind: 'ellipse' as const, aspect: 1 };
  const ext = maskExtent(shape);
  const size = 2 * ext + 1;
  const sprite = withAlpha(smoothTexture(size, size, 2), rasterizeMask(shape, size, size));
  return [
    { texture: smoothTexture(w + 60, h + 60, 1), motion: translation(bgV, [30, 30], [0, 0]) },
    { texture: sprite, motion: translation(spV, [ext, ext], [w / 2, h / 2]) },
  ];
}

describe('exposures', () => {
  it('the blurry frame is the mean of the sub-frames and ground truths are sub-frames', () => {
    const layers = twoLayerScene([4, 1], [-6, 3]);
    const W = 40, H = 32, S = 21;
    const ex = renderExposure(layers, 2, W, H, { subframes: S });
    const mean = new Float64Array(W * H * 3);
    const frame = new Float32Array(W * H * 3);
    const subs: Float32Array[] = [];
    for (let s = 0; s < S; s++) {
      renderInstant(layers, subframeTime(2, s, S), W, H, frame);
      subs.push(frame.slice());
      for (let i = 0; i < mean.length; i++) mean[i] += frame[i]! / S;
    }
    let maxErr = 0;
    for (let i = 0; i < mean.length; i++) maxErr = Math.max(maxErr, Math.abs(mean[i]! - ex.blur[i]!));
    expect(maxErr).toBeLessThan(1e-5);
    expect(ex.gtSubframes).toEqual([1, 4, 7, 10, 13, 16, 19]);
    ex.sharp.forEach((f, j) => expect(Array.from(f)).toEqual(Array.from(subs[ex.gtSubframes[j]!]!)));
  });

  it('guidance of content moving right-down is (1, 1); a static scene is static', () => {
    const layers: SceneLayer[] = [{ texture: smoothTexture(80, 80, 4), motion: translation([5, 3], [40, 40], [16, 16]) }];
    const ex = renderExposure(layers, 0, 32, 32, { subframes: 7 });
    // aggregate flow from frame 0 to 6 = 6/7 of the exposure's displacement
    expect(ex.flow[0]).toBeCloseTo((5 * 6) / 7, 5);
    expect(ex.flow[1]).toBeCloseTo((3 * 6) / 7, 5);
    const g = guidanceFromFlow({ width: 32, height: 32, data: ex.flow }, 'full', 0.5);
    expect(g.data.every((v) => v === 1)).toBe(true);
    const still = renderExposure([{ texture: smoothTexture(80, 80, 4), motion: staticMotion([40, 40], [16, 16]) }], 0, 32, 32, { subframes: 7 });
    expect(still.flow.every((v) => v === 0)).toBe(true);
    expect(still.blur.every((v, i) => Math.abs(v - still.sharp[3]![i]!) < 1e-6)).toBe(true);
    const gs = guidanceFromFlow({ width: 32, height: 32, data: still.flow }, 'half', 0.5);
    expect([gs.width, gs.height]).toEqual([16, 16]);
    expect(gs.data.every((v) => v === 0)).toBe(true);
  });

  it('a sprite moving left-up over a static background gets (-1,-1) on the sprite and (0,0) elsewhere', () => {
    const layers = twoLayerScene([0, 0], [-7, -4]);
    const ex = renderExposure(layers, 0, 40, 32, { subframes: 7 });
    const g = guidanceFromFlow({ width: 40, height: 32, data: ex.flow }, 'full', 0.5);
    const at = (x: number, y: number) => [g.data[2 * (y * 40 + x)], g.data[2 * (y * 40 + x) + 1]];
    expect(at(20, 16)).toEqual([-1, -1]);
    expect(at(0, 0)).toEqual([0, 0]);
    expect(at(39, 31)).toEqual([0, 0]);
  });

  it('exact flow warps frame j onto frame j+1 away from sprite edges', () => {
    const W = 40, H = 32;
    const layers = twoLayerScene([3.3, -1.7], [-5.1, 2.6], W, H);
    const ex = renderExposure(layers, 1, W, H, { subframes: 21, pairFlows: true });
    const ids0 = new Uint8Array(W * H);
    const ids1 = new Uint8Array(W * H);
    const tmp = new Float32Array(W * H * 3);
    const errs: number[] = [];
    for (let j = 0; j < 6; j++) {
      renderInstant(layers, ex.gtTimes[j]!, W, H, tmp, ids0);
      renderInstant(layers, ex.gtTimes[j + 1]!, W, H, tmp, ids1);
      const a = ex.sharp[j]!;
      const b = ex.sharp[j + 1]!;
      const f = ex.pairFlows![j]!;
      for (let y = 3; y < H - 3; y++) {
        for (let x = 3; x < W - 3; x++) {
          const p = y * W + x;
          const qx = x + f[2 * p]!;
          const qy = y + f[2 * p + 1]!;
          if (qx < 1 || qy < 1 || qx > W - 2 || qy > H - 2) continue;
          // skip pixels near a layer boundary (soft edges, occlusion) in either frame
          let edge = false;
          for (let dy = -3; dy <= 3 && !edge; dy++) for (let dx = -3; dx <= 3; dx++) {
            if (ids0[(y + dy) * W + x + dx] !== ids0[p] || ids1[(Math.round(qy) + dy) * W + Math.round(qx) + dx] !== ids0[p]) { edge = true; break; }
          }
          if (edge) continue;
          const x0 = Math.floor(qx), y0 = Math.floor(qy), fx = qx - x0, fy = qy - y0;
          for (let c = 0; c < 3; c++) {
            const s = (xx: number, yy: number) => b[(yy * W + xx) * 3 + c]!;
            const v = (1 - fy) * ((1 - fx) * s(x0, y0) + fx * s(x0 + 1, y0)) + fy * ((1 - fx) * s(x0, y0 + 1) + fx * s(x0 + 1, y0 + 1));
            errs.push(Math.abs(v - a[p * 3 + c]!));
          }
        }
      }
    }
    errs.sort((p, q) => p - q);
    expect(errs.length).toBeGreaterThan(3000);
    expect(errs[Math.floor(errs.length / 2)]!).toBeLessThan(0.004); // bilinear resampling error of a smooth texture
    expect(errs[Math.floor(errs.length * 0.99)]!).toBeLessThan(0.02);
    // and a wrong flow (reversed) is much worse: the check can fail
    const f0 = ex.pairFlows![0]!;
    let wrong = 0, n = 0;
    for (let p = 0; p < W * H; p += 7) {
      const x = p % W, y = Math.floor(p / W);
      const qx = Math.round(x - f0[2 * p]!), qy = Math.round(y - f0[2 * p + 1]!);
      if (qx < 0 || qy < 0 || qx >= W || qy >= H) continue;
      wrong += Math.abs(ex.sharp[1]![(qy * W + qx) * 3]! - ex.sharp[0]![p * 3]!);
      n++;
    }
    expect(wrong / n).toBeGreaterThan(0.01);
  });

  it('aggregate flow is the sum of the pair flows', () => {
    const layers = twoLayerScene([2, 1], [-3, 2]);
    const ex = renderExposure(layers, 0, 40, 32, { subframes: 7, pairFlows: true });
    for (let i = 0; i < ex.flow.length; i += 13) {
      const s = ex.pairFlows!.reduce((a, f) => a + f[i]!, 0);
      expect(ex.flow[i]).toBeCloseTo(s, 4);
    }
    const ids = new Uint8Array(40 * 32);
    const direct = new Float32Array(40 * 32 * 2);
    accumulateFlow(layers, ids, 0, 1, 40, 32, direct); // all-background ids: one exposure of background motion
    expect(direct[0]).toBeCloseTo(2, 10);
    expect(direct[1]).toBeCloseTo(1, 10);
  });
});

describe('field quantiser used for procedural guidance', () => {
  it('matches the per-vector reference quantizeVector4 exactly', async () => {
    const { quantizeFlow4, quantizeVector4 } = await import('../pipeline/math/guidance.js');
    const r = new Rng(2);
    const vals = [0, 0.5, -0.5, 0.3, 0.4, -0.4, 1e-9, NaN, 2, -3];
    const data = new Float32Array(4000);
    for (let i = 0; i < data.length; i++) data[i] = i < 400 ? vals[r.int(0, vals.length - 1)]! : r.uniform(-2, 2);
    const flow = { width: 100, height: 20, data };
    const perVector = Array.from({ length: 2000 }, (_, i) => quantizeVector4(data[2 * i]!, data[2 * i + 1]!, 0.5)).flat();
    expect(Array.from(quantizeFlow4(flow, 0.5).data)).toEqual(perVector);
  });
});

describe('half-resolution flow', () => {
  it('averages 2x2 blocks, odd edges included', () => {
    const data = new Float32Array(3 * 2 * 2);
    [1, 2, 3].forEach((v, x) => { data[2 * x] = v; data[2 * (3 + x)] = v + 10; });
    const h = halveFlow({ width: 3, height: 2, data });
    expect([h.width, h.height]).toEqual([2, 1]);
    expect(h.data[0]).toBeCloseTo((1 + 2 + 11 + 12) / 4, 6);
    expect(h.data[2]).toBeCloseTo((3 + 13) / 2, 6);
  });
});

describe('video plans', () => {
  const sizes = [[640, 480], [1600, 1067], [300, 200], [512, 512]] as const;
  it('are deterministic per seed and differ between seeds', () => {
    const a = planVideo(11, DEFAULT_PROCEDURAL_CONFIG, sizes);
    expect(planVideo(11, DEFAULT_PROCEDURAL_CONFIG, sizes)).toEqual(a);
    expect(planVideo(12, DEFAULT_PROCEDURAL_CONFIG, sizes)).not.toEqual(a);
  });
  it('stay inside the photos, use other photos for sprites and cover static and moving cases', () => {
    let staticCam = 0, sprites = 0, videos = 0;
    for (let s = 0; s < 200; s++) {
      const p = planVideo(s, DEFAULT_PROCEDURAL_CONFIG, sizes);
      videos++;
      for (const r of [p.background.request, ...p.sprites.map((x) => x.request)]) {
        const [pw, ph] = sizes[r.photo]!;
        expect(r.left).toBeGreaterThanOrEqual(0);
        expect(r.top).toBeGreaterThanOrEqual(0);
        expect(r.left + r.width).toBeLessThanOrEqual(pw);
        expect(r.top + r.height).toBeLessThanOrEqual(ph);
      }
      for (const sp of p.sprites) expect(sp.request.photo).not.toBe(p.background.request.photo);
      if (p.background.motion.v0[0] === 0 && p.background.motion.v0[1] === 0) staticCam++;
      sprites += p.sprites.length;
      expect(p.subframes).toHaveLength(8);
      p.subframes.forEach((s2) => expect(s2 % 7).toBe(0));
    }
    expect(staticCam / videos).toBeGreaterThan(0.1);
    expect(staticCam / videos).toBeLessThan(0.35);
    expect(sprites / videos).toBeGreaterThan(1.5);
    expect(sprites / videos).toBeLessThan(2.6);
  });
});
