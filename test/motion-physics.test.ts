// The physical decomposition (pipeline/math/motion): line kernel, Richardson-Lucy, rendering along
// the motion, on literal arrays and on a synthetic linear shift of a real photo.
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { linearToSrgb, srgbToLinear } from '../pipeline/math/colour.js';
import { applyLineKernel, sampleCount, sampleCounts } from '../pipeline/math/motion/line-kernel.js';
import { frameTime, meanMotion, motionTrust, movingPixels, staticMask } from '../pipeline/math/motion/motion-field.js';
import { deblurWithMotion, decomposeWithMotion, deblurRichardsonLucy, keepTrustedDeblurring, prepareMotion, renderAlongMotion, renderDeblurred, physicsOptionsFromSidecar, resolvePhysicsOptions } from '../pipeline/math/motion/physics.js';
import { addExposureSums, exposureCorrelations, pickExposure } from '../pipeline/math/motion/exposure.js';

const constantMotion = (w: number, h: number, u: number, v: number) => {
  const data = new Float32Array(w * h * 2);
  for (let p = 0; p < w * h; p++) { data[2 * p] = u; data[2 * p + 1] = v; }
  return { width: w, height: h, data };
};

describe('motion fields', () => {
  it('frame times are the centres of 7 equal slices of the exposure', () => {
    [-3, -2, -1, 0, 1, 2, 3].forEach((k, j) => expect(frameTime(j)).toBeCloseTo(k / 7, 12));
  });
  it('the static mask and moving list follow |F| < threshold', () => {
    const m = { width: 3, height: 1, data: new Float32Array([0.3, 0.3, 0.4, -0.3, 0, 0.5]) };
    expect([...staticMask(m, 0.5)]).toEqual([1, 0, 0]); // |(0.3,0.3)| = 0.42; |(0.4,-0.3)| = |(0,0.5)| = 0.5 is not < 0.5
    expect([...movingPixels(staticMask(m, 0.5))]).toEqual([1, 2]);
  });
  it('the mean of two motions is taken per component', () => {
    const a = { width: 1, height: 1, data: new Float32Array([2, -4]) };
    const b = { width: 1, height: 1, data: new Float32Array([4, 0]) };
    expect([...meanMotion(a, b).data]).toEqual([3, -2]);
  });
  it('the mean of two motions carries their disagreement |a - b| per pixel, and the trust follows from it', () => {
    // pixel 0: (2,-4) vs (4,0): |(-2,-4)| = sqrt(20); pixel 1: the same motion; pixel 2: opposite
    const a = { width: 3, height: 1, data: new Float32Array([2, -4, 5, 0, 3, 0]) };
    const b = { width: 3, height: 1, data: new Float32Array([4, 0, 5, 0, -3, 0]) };
    const m = meanMotion(a, b);
    expect([...m.data]).toEqual([3, -2, 5, 0, 0, 0]);
    expect(m.disagreement![0]).toBeCloseTo(Math.sqrt(20), 6);
    expect([...m.disagreement!.subarray(1)]).toEqual([0, 6]);
    // T = 0.5 |F| + 1: pixel 0 |F| = sqrt(13), T = 2.803, d = 4.472: 1 - (4.472 - 2.803) / 2.803 = 0.4045
    // pixel 1: d = 0 -> 1; pixel 2: |F| = 0, T = 1, d = 6 >= 2T -> 0
    const t = motionTrust(m)!;
    const t0 = 0.5 * Math.sqrt(13) + 1;
    expect(t[0]).toBeCloseTo(1 - (Math.sqrt(20) - t0) / t0, 5);
    expect(t[0]).toBeCloseTo(0.4045, 3);
    expect([t[1], t[2]]).toEqual([1, 0]);
    // literal disagreements around T = 0.5 * 4 + 1 = 3 for F = (4, 0): d <= 3 -> 1, 4.5 -> 0.5, >= 6 -> 0
    const lit = { width: 5, height: 1, data: new Float32Array(10).map((_, i) => (i % 2 ? 0 : 4)), disagreement: new Float32Array([0, 3, 4.5, 6, 9]) };
    expect([...motionTrust(lit)!]).toEqual([1, 1, 0.5, 0, 0]);
    expect(motionTrust({ width: 1, height: 1, data: new Float32Array([4, 0]) })).toBeUndefined(); // one motion: trusted
    expect(() => motionTrust({ ...lit, disagreement: new Float32Array(4) })).toThrow(/5 disagreement values/);
    // only at given pixels (the physics passes its moving pixels): the same values there, 0 elsewhere
    expect([...motionTrust(lit, undefined, undefined, new Int32Array([2, 0]))!]).toEqual([1, 0, 0.5, 0, 0]);
    expect(() => motionTrust(lit, undefined, undefined, new Int32Array([5]))).toThrow(/\[0, 5\).*5/);
  });
});

describe('line kernel', () => {
  it('samples ceil(length / spacing) points, within [1, maxSamples]', () => {
    const o = { spacing: 3, maxSamples: 9 };
    expect([0, 2.9, 3, 3.01, 26.9, 27.1, 100].map((l) => sampleCount(l, o))).toEqual([1, 1, 1, 2, 9, 9, 9]);
    expect([...sampleCounts(new Float32Array([3, 4, 0, 0]), o)]).toEqual([2, 1]);
  });
  it('averages bilinear samples along each pixel streak, clamped at the edges', () => {
    // one row of 6 pixels, 3 equal channels; D = (6, 0): K = 2 samples at x - 1.5 and x + 1.5
    const row = [0, 10, 20, 40, 80, 160];
    const src = new Float32Array(row.flatMap((v) => [v, v, v]));
    const dst = new Float32Array(18);
    const disp = new Float32Array(12);
    for (let p = 0; p < 6; p++) disp[2 * p] = 6;
    applyLineKernel(src, dst, 6, 1, disp, sampleCounts(disp, { spacing: 3, maxSamples: 9 }), new Int32Array([0, 2, 5]));
    const at = (x: number) => { const c = Math.min(5, Math.max(0, x)); const x0 = Math.floor(c); const f = c - x0; return row[x0]! * (1 - f) + row[Math.min(5, x0 + 1)]! * f; };
    for (const x of [0, 2, 5]) expect(dst[3 * x]).toBeCloseTo((at(x - 1.5) + at(x + 1.5)) / 2, 5);
    expect(dst[3]).toBe(0); // pixel 1 was not listed: untouched
    expect(dst[3 * 2]).toBeCloseTo((5 + 60) / 2, 5); // x = 2: samples at 0.5 (0..10) and 3.5 (40..80)
  });
});

/** The test's own shift: bilinear sample of an interleaved RGB float image at (x - dx, y - dy), clamped. */
function shifted(img: Float32Array, w: number, h: number, dx: number, dy: number): Float32Array {
  const out = new Float32Array(img.length);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const sx = Math.min(w - 1, Math.max(0, x - dx));
    const sy = Math.min(h - 1, Math.max(0, y - dy));
    const x0 = Math.floor(sx); const y0 = Math.floor(sy);
    const x1 = Math.min(w - 1, x0 + 1); const y1 = Math.min(h - 1, y0 + 1);
    const fx = sx - x0; const fy = sy - y0;
    for (let c = 0; c < 3; c++) {
      const v = (1 - fy) * ((1 - fx) * img[(y0 * w + x0) * 3 + c]! + fx * img[(y0 * w + x1) * 3 + c]!)
        + fy * ((1 - fx) * img[(y1 * w + x0) * 3 + c]! + fx * img[(y1 * w + x1) * 3 + c]!);
      out[(y * w + x) * 3 + c] = v;
    }
  }
  return out;
}

/** PSNR (range 1) over the interior of pixel-major frames (frames * 3 channels) against per-frame truths. */
function psnrInterior(frames: Float32Array, truth: Float32Array[], w: number, h: number, margin: number): number {
  let se = 0; let n = 0;
  const c = truth.length * 3;
  for (let y = margin; y < h - margin; y++) for (let x = margin; x < w - margin; x++) {
    const p = y * w + x;
    truth.forEach((t, j) => { for (let k = 0; k < 3; k++) { const d = frames[p * c + 3 * j + k]! - t[p * 3 + k]!; se += d * d; n++; } });
  }
  return -10 * Math.log10(se / n);
}

/** The astronaut fixture (NASA, public domain) in linear light. */
async function astronaut(): Promise<{ photo: Float32Array; w: number; h: number }> {
  const { data, info } = await sharp(readFileSync(new URL('./fixtures/astronaut-160x120.png', import.meta.url))).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { photo: Float32Array.from(data, (v) => srgbToLinear(v / 255)), w: info.width, h: info.height };
}

/** A linear blur in linear light: 63 shifted copies over t in [-e/2, e/2] of the motion F. */
function linearBlur(photo: Float32Array, w: number, h: number, F: [number, number], e: number): Float32Array {
  const S = 63;
  const out = new Float32Array(photo.length);
  for (let s = 0; s < S; s++) {
    const t = ((s + 0.5) / S - 0.5) * e;
    const f = shifted(photo, w, h, t * F[0], t * F[1]);
    for (let i = 0; i < f.length; i++) out[i] += f[i]! / S;
  }
  return out;
}

describe('physical decomposition', () => {
  it('static motion gives exactly the input in every frame', () => {
    const rgb = new Uint8Array([0, 1, 2, 250, 251, 252, 17, 99, 128, 255, 0, 7]);
    const out = decomposeWithMotion(rgb, constantMotion(2, 2, 0.3, -0.2));
    for (let p = 0; p < 4; p++) for (let j = 0; j < 7; j++) for (let k = 0; k < 3; k++) expect(out[p * 21 + 3 * j + k]).toBe(Math.fround(rgb[p * 3 + k]! / 255));
  });
  it('renders frame j at x - t_j D(x): the middle frame is the latent image, the others shifted', () => {
    const w = 16; const h = 4;
    const latent = new Float32Array(w * h * 3).map((_, i) => ((i * 7919) % 101) / 100);
    const m = prepareMotion(constantMotion(w, h, 7, 0), resolvePhysicsOptions({ exposure: 1 }));
    const out = renderAlongMotion(latent, m, 7);
    const frameAt = (j: number) => Float32Array.from({ length: w * h * 3 }, (_, i) => out[Math.floor(i / 3) * 21 + 3 * j + (i % 3)]!);
    expect([...frameAt(3)]).toEqual([...latent]);
    // frame 6: t = 3/7, D = 7 px -> shifted right by 3 px (integer: exact copies away from the left edge)
    const f6 = frameAt(6);
    for (let y = 0; y < h; y++) for (let x = 3; x < w; x++) for (let c = 0; c < 3; c++) expect(f6[(y * w + x) * 3 + c]).toBeCloseTo(latent[(y * w + x - 3) * 3 + c]!, 6);
  });
  it('a rectangle rendered from the deblurred frame equals the same rectangle of the whole render', () => {
    const w = 13; const h = 9;
    const rgb = new Uint8Array(w * h * 3).map((_, i) => (i * 53 + 11) % 256);
    const data = new Float32Array(w * h * 2);
    for (let p = 0; p < w * h; p++) { const x = p % w; data[2 * p] = x < 4 ? 0.1 : 5 + (p % 3); data[2 * p + 1] = x < 4 ? 0 : -2; } // 4 static columns
    const d = deblurWithMotion(rgb, { width: w, height: h, data }, { exposure: 0.7 });
    const whole = renderDeblurred(d);
    expect([...whole]).toEqual([...decomposeWithMotion(rgb, { width: w, height: h, data }, { exposure: 0.7 })]);
    const rect = { x: 2, y: 3, width: 7, height: 5 }; // straddles the static columns
    const part = renderDeblurred(d, rect);
    expect(part.length).toBe(7 * 5 * 21);
    for (let ry = 0; ry < 5; ry++) for (let rx = 0; rx < 7; rx++) for (let ch = 0; ch < 21; ch++) {
      expect(part[(ry * 7 + rx) * 21 + ch]).toBe(whole[((3 + ry) * w + 2 + rx) * 21 + ch]);
    }
    // static pixels of the rectangle are exactly the input in every frame
    for (let ry = 0; ry < 5; ry++) for (let j = 0; j < 7; j++) for (let k = 0; k < 3; k++) {
      expect(part[(ry * 7 + 0) * 21 + 3 * j + k]).toBe(Math.fround(rgb[((3 + ry) * w + 2) * 3 + k]! / 255));
    }
    expect(() => renderDeblurred(d, { x: 8, y: 0, width: 6, height: 2 })).toThrow(/Expected a rectangle inside the 13x9 frame but received 6x2 at \(8, 0\)/);
  });
  it('keeps the deblurring where the motion is trusted and takes it back where it is not', () => {
    const w = 13; const h = 9;
    const rgb = new Uint8Array(w * h * 3).map((_, i) => (i * 53 + 11) % 256);
    const data = new Float32Array(w * h * 2);
    for (let p = 0; p < w * h; p++) { data[2 * p] = 4; data[2 * p + 1] = -1; } // |F| = 4.12, T = 3.06
    // left third agrees (d = 0), middle half-way (d = 1.5 T: trust 0.5), right third disagrees (d = 2T)
    const t = 0.5 * Math.hypot(4, -1) + 1;
    const disagreement = new Float32Array(w * h).map((_, p) => ((p % w) < 4 ? 0 : (p % w) < 9 ? 1.5 * t : 2 * t));
    const motion = { width: w, height: h, data };
    const sharp = deblurWithMotion(rgb, motion, { exposure: 1 }).latent; // one motion: all trusted
    const none = deblurWithMotion(rgb, motion, { exposure: 1, iterations: 0 }).latent; // the blurry frame
    const mixed = deblurWithMotion(rgb, { ...motion, disagreement }, { exposure: 1 }).latent;
    const off = deblurWithMotion(rgb, { ...motion, disagreement }, { exposure: 1, flowTrust: false }).latent;
    expect([...off]).toEqual([...sharp]);
    let changed = 0;
    for (let p = 0; p < w * h; p++) for (let c = 0; c < 3; c++) {
      const i = 3 * p + c;
      const want = (p % w) < 4 ? sharp[i]! : (p % w) < 9 ? 0.5 * (sharp[i]! + none[i]!) : none[i]!;
      expect(mixed[i]).toBeCloseTo(want, 6);
      changed = Math.max(changed, Math.abs(sharp[i]! - none[i]!));
    }
    expect(changed).toBeGreaterThan(0.05); // the deblurring did something to take back
    // the literal blend, in place, at the moving pixels only
    const latent = new Float32Array([0.8, 0.6, 0.4, 0.8, 0.6, 0.4]);
    keepTrustedDeblurring(latent, new Float32Array([0.2, 0.2, 0.2, 0.2, 0.2, 0.2]), new Float32Array([0.25, 0]), new Int32Array([0]));
    expect([...latent].map((v) => Math.round(v * 1e6) / 1e6)).toEqual([0.35, 0.3, 0.25, 0.8, 0.6, 0.4]);
  });
  it('Richardson-Lucy sharpens a blur made with the same kernel', () => {
    const w = 48; const h = 8;
    // a non-periodic texture along x: two incommensurate sines the 9-px streak attenuates but does
    // not null (a box of 9 nulls 2 pi k / 9 = 0.70 k rad/px)
    const sharpImg = new Float32Array(w * h * 3).map((_, i) => { const x = Math.floor(i / 3) % w; return 0.45 + 0.2 * Math.sin(x * 0.4) + 0.15 * Math.sin(x * 0.55 + 1) + 0.05 * (i % 3); });
    const motion = constantMotion(w, h, 9, 0);
    const m = prepareMotion(motion, resolvePhysicsOptions({ exposure: 1 }));
    const blur = new Float32Array(sharpImg.length);
    applyLineKernel(sharpImg, blur, w, h, m.displacement, m.counts, m.moving);
    const err = (a: Float32Array) => a.reduce((s, v, i) => s + (v - sharpImg[i]!) ** 2, 0);
    const e0 = err(blur);
    const e5 = err(deblurRichardsonLucy(blur, m, 5));
    const e20 = err(deblurRichardsonLucy(blur, m, 20));
    expect(e5).toBeLessThan(0.6 * e0);
    expect(e20).toBeLessThan(0.8 * e5);
  });
  it('recovers the 7 sharp frames of a linear shift of a real photo (astronaut, NASA, public domain)', async () => {
    const { photo, w, h } = await astronaut();
    const D: [number, number] = [8, 3]; // motion over the exposure, pixels
    const S = 49;
    const blurLin = new Float32Array(photo.length);
    for (let s = 0; s < S; s++) {
      const t = (s + 0.5) / S - 0.5;
      const f = shifted(photo, w, h, t * D[0], t * D[1]);
      for (let i = 0; i < f.length; i++) blurLin[i] += f[i]! / S;
    }
    const blur8 = Uint8Array.from(blurLin, (v) => Math.round(linearToSrgb(v) * 255));
    const truth = Array.from({ length: 7 }, (_, j) => shifted(photo, w, h, frameTime(j) * D[0], frameTime(j) * D[1]).map((v) => linearToSrgb(v)));
    const e = 0.5; // the same motion given as F = D / e with exposure e
    const out = decomposeWithMotion(blur8, constantMotion(w, h, D[0] / e, D[1] / e), { exposure: e });
    const repeat = new Float32Array(w * h * 21);
    for (let p = 0; p < w * h; p++) for (let j = 0; j < 7; j++) for (let k = 0; k < 3; k++) repeat[p * 21 + 3 * j + k] = blur8[p * 3 + k]! / 255;
    const warpedOnly = decomposeWithMotion(blur8, constantMotion(w, h, D[0] / e, D[1] / e), { exposure: e, iterations: 0 });
    const margin = 16; // away from the frame border, where the shifted photo was clamped
    const base = psnrInterior(repeat, truth, w, h, margin);
    const warped = psnrInterior(warpedOnly, truth, w, h, margin);
    const physics = psnrInterior(out, truth, w, h, margin);
    console.log(`linear shift of a photo: repeat-blurry ${base.toFixed(2)} dB, warped blurry ${warped.toFixed(2)} dB, physics ${physics.toFixed(2)} dB`);
    // measured: repeat-blurry 17.93 dB, warped blurry 20.03 dB, physics 23.05 dB (a detailed 160x120 photo)
    expect(warped).toBeGreaterThan(base + 1.5);
    expect(physics).toBeGreaterThan(warped + 2);
    expect(physics).toBeGreaterThan(22);
  });
});

describe("a motion model's physics block", () => {
  it('maps the snake_case fields, fills the defaults and names a bad or unknown field', () => {
    expect(physicsOptionsFromSidecar({ iterations: 3, spacing: 2.5, max_samples: 5, static_threshold: 0.25, frames: 7, flow_trust: true }))
      .toEqual({ iterations: 3, spacing: 2.5, maxSamples: 5, staticThreshold: 0.25, frames: 7, flowTrust: true });
    // flow_trust absent: off (networks exported before it were trained without it)
    expect(physicsOptionsFromSidecar({ iterations: 0 })).toEqual({ iterations: 0, spacing: 1, maxSamples: 9, staticThreshold: 0.5, frames: 7, flowTrust: false });
    expect(() => physicsOptionsFromSidecar({ flow_trust: 1 })).toThrow(/true or false for physics\.flow_trust but received 1/);
    expect(() => physicsOptionsFromSidecar({ spacing: 0 })).toThrow(/physics\.spacing but received 0/);
    expect(() => physicsOptionsFromSidecar({ max_samples: 2.5 })).toThrow(/physics\.max_samples but received 2\.5/);
    expect(() => physicsOptionsFromSidecar({ iterations: '6' })).toThrow(/a number for physics\.iterations but received "6"/);
    expect(() => physicsOptionsFromSidecar({ maxSamples: 9 })).toThrow(/Unknown physics setting "maxSamples"/);
    expect(() => physicsOptionsFromSidecar([6])).toThrow(/an object for physics/);
  });
});

describe('exposure estimate', () => {
  it('finds the exposure fraction of a linear blur of a real photo within 0.1 (e = 0.25, 0.5, 1)', async () => {
    const { photo, w, h } = await astronaut();
    const F: [number, number] = [30, 10]; // pixels per frame interval
    for (const e of [0.25, 0.5, 1]) {
      const blurLin = linearBlur(photo, w, h, F, e);
      const blur8 = Uint8Array.from(blurLin, (v) => Math.round(linearToSrgb(v) * 255));
      const est = pickExposure(exposureCorrelations(blur8, constantMotion(w, h, F[0], F[1])));
      expect(est, `e = ${e}`).toBeDefined();
      expect(Math.abs(est! - e), `e = ${e}, estimated ${est}`).toBeLessThanOrEqual(0.1); // measured: 0.263, 0.525, 1
    }
  });
  it('finds it for an object blurred over a sharp still background, its motion spilling over the border', async () => {
    // The flow of a moving object spills over its border and fades (here over 12 px): those pixels
    // are called moving but are sharp and finely textured. Weighted by energy they outvoted the
    // blurred object and the estimate fell to about 0.2 at both exposures; one vote per pixel and
    // the motion check at both ends of the streak keep it right.
    const { photo, w, h } = await astronaut();
    const F: [number, number] = [24, 6];
    const object = { x0: 50, x1: 110, y0: 35, y1: 85 };
    const halo = 12;
    const motion = new Float32Array(w * h * 2);
    const inObject = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const d = Math.hypot(Math.max(object.x0 - x, 0, x - (object.x1 - 1)), Math.max(object.y0 - y, 0, y - (object.y1 - 1)));
      const k = Math.max(0, 1 - d / halo);
      motion[2 * (y * w + x)] = k * F[0];
      motion[2 * (y * w + x) + 1] = k * F[1];
      inObject[y * w + x] = d === 0 ? 1 : 0;
    }
    for (const e of [0.5, 1]) {
      const blurLin = linearBlur(photo, w, h, F, e);
      const rgb = Uint8Array.from(blurLin, (v, i) => Math.round(linearToSrgb(inObject[Math.floor(i / 3)] ? v : photo[i]!) * 255));
      const est = pickExposure(exposureCorrelations(rgb, { width: w, height: h, data: motion }));
      expect(est, `e = ${e}`).toBeDefined();
      expect(Math.abs(est! - e), `e = ${e}, estimated ${est}`).toBeLessThanOrEqual(0.1); // measured: 0.589, 1
    }
  });
  it('pools frames pixel by pixel: sums add element by element, and the mean normalised correlation decides', () => {
    const a = { along: Float64Array.of(-3, -1, 0), across: Float64Array.of(0, 0, 0), count: Float64Array.of(10, 10, 10) };
    const b = { along: Float64Array.of(0, -40, 0), across: Float64Array.of(0, 1, 0), count: Float64Array.of(0, 100, 100) };
    const search = { candidates: [0.4, 0.6, 0.8], minMotion: 12, minLag: 4, maxPixels: 100, stepDivisor: 4, motionTolerance: 0.1 };
    const pooled = addExposureSums(a, b);
    expect(Array.from(pooled.along)).toEqual([-3, -41, 0]);
    expect(Array.from(pooled.across)).toEqual([0, 1, 0]);
    expect(Array.from(pooled.count)).toEqual([10, 110, 110]);
    // alone: a's scores -0.3, -0.1, 0 give 0.4 (the first candidate: nothing to refine with); b has
    // no pixel at 0.4, so its best, 0.6, is not refined either
    expect(pickExposure(a, search)).toBe(0.4);
    expect(pickExposure(b, search)).toBe(0.6);
    // pooled: -3/10, (-41 - 1)/110, 0; a parabola through them puts the minimum left of 0.6
    const [s0, s1, s2] = [-0.3, -42 / 110, 0];
    expect(pickExposure(pooled, search)).toBeCloseTo(0.6 + 0.2 * ((0.5 * (s0 - s2)) / (s0 - 2 * s1 + s2)), 9);
  });
  it('gives no estimate without fast motion', () => {
    const rgb = new Uint8Array(64 * 48 * 3).map((_, i) => (i * 97) % 256);
    expect(pickExposure(exposureCorrelations(rgb, constantMotion(64, 48, 3, 1)))).toBeUndefined();
  });
});
