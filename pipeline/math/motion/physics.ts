// The physical decomposition with the motion known: deblur the frame in linear light with each
// pixel's linear motion kernel (Richardson-Lucy), then render the 7 frames by moving the sharp
// image along the motion. Pure: no I/O. Conventions: pipeline/math/motion/motion-field.ts.
import { encodeLinearToSrgbFloat, toLinearLut } from '../colour.js';
import { DEFAULT_STATIC_THRESHOLD } from '../guidance.js';
import type { TileRect } from '../tiling.js';
import { addBilinear, applyLineKernel, sampleCounts, type LineKernelOptions } from './line-kernel.js';
import { frameTime, motionTrust, movingPixels, staticMask, TRUST_PIXELS, TRUST_RELATIVE, validateExposure, type MotionField } from './motion-field.js';

/** Settings of the physical decomposition, every default written out in PHYSICS_DEFAULTS. */
export interface PhysicsOptions extends LineKernelOptions {
  /** Exposure fraction e: the blur covers e * F. */
  readonly exposure: number;
  /** Richardson-Lucy iterations (0: no deblurring, the blurry frame itself is moved along the motion). */
  readonly iterations: number;
  /** Pixels with |F| below this (pixels per frame interval) are static: output = input. */
  readonly staticThreshold: number;
  /** Frames rendered per blurry frame. */
  readonly frames: number;
  /** Keep the deblurring only where the motion is trusted (motionTrust: where the motion from the
   * previous frame and the motion to the next one agree), the blurry frame elsewhere. */
  readonly flowTrust: boolean;
}

/** Defaults: 6 iterations, samples <= 1 px apart, at most 9, deblurring kept where the motion is
 * trusted (docs/motion.md has the measurements behind them). */
export const PHYSICS_DEFAULTS: PhysicsOptions = {
  exposure: 1,
  iterations: 6,
  spacing: 1,
  maxSamples: 9,
  staticThreshold: DEFAULT_STATIC_THRESHOLD,
  frames: 7,
  flowTrust: true,
};

/** Smallest denominator in the Richardson-Lucy ratio (linear light). */
const RL_EPSILON = 1e-4;

/** Fill in defaults and check ranges; RangeError naming the bad field. */
export function resolvePhysicsOptions(options: Partial<PhysicsOptions> = {}): PhysicsOptions {
  const o = { ...PHYSICS_DEFAULTS, ...options };
  validateExposure(o.exposure);
  const int = (name: string, v: number, min: number, max: number) => {
    if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`Expected an integer in [${min}, ${max}] for ${name} but received ${v}`);
  };
  int('iterations', o.iterations, 0, 100);
  int('maxSamples', o.maxSamples, 1, 64);
  int('frames', o.frames, 1, 64);
  if (!(o.spacing > 0)) throw new RangeError(`Expected a number > 0 for spacing but received ${o.spacing}`);
  if (!(o.staticThreshold >= 0)) throw new RangeError(`Expected a number >= 0 for staticThreshold but received ${o.staticThreshold}`);
  if (typeof o.flowTrust !== 'boolean') throw new RangeError(`Expected true or false for flowTrust but received ${JSON.stringify(o.flowTrust)}`);
  return o;
}

/** The settings a motion model's sidecar may give (its `physics` block, snake_case as
 * models/export_motion.py writes it): the physics the network was trained on. */
const SIDECAR_PHYSICS_FIELDS = {
  iterations: 'iterations',
  spacing: 'spacing',
  max_samples: 'maxSamples',
  static_threshold: 'staticThreshold',
  frames: 'frames',
  flow_trust: 'flowTrust',
} as const satisfies Record<string, Exclude<keyof PhysicsOptions, 'exposure'>>;

/**
 * A motion model's `physics` block as options (missing fields: the defaults, except `flow_trust`:
 * off, as the networks exported before it existed were trained). RangeError naming the field for a
 * value out of range, a field this version does not know, or a block that is not an object: the
 * network's physics input must be computed as it was in training.
 */
export function physicsOptionsFromSidecar(block: unknown): Omit<PhysicsOptions, 'exposure'> {
  if (typeof block !== 'object' || block === null || Array.isArray(block)) {
    throw new RangeError(`Expected an object for physics but received ${JSON.stringify(block)}`);
  }
  const given: Partial<Record<keyof PhysicsOptions, number | boolean>> = { flowTrust: false };
  for (const [key, value] of Object.entries(block)) {
    const field = (SIDECAR_PHYSICS_FIELDS as Record<string, Exclude<keyof PhysicsOptions, 'exposure'>>)[key];
    if (!field) throw new RangeError(`Unknown physics setting "${key}" (known: ${Object.keys(SIDECAR_PHYSICS_FIELDS).join(', ')})`);
    if (field === 'flowTrust') {
      if (typeof value !== 'boolean') throw new RangeError(`Expected true or false for physics.${key} but received ${JSON.stringify(value)}`);
    } else if (typeof value !== 'number') {
      throw new RangeError(`Expected a number for physics.${key} but received ${JSON.stringify(value)}`);
    }
    given[field] = value as number | boolean;
  }
  try {
    return withoutExposure(resolvePhysicsOptions(given as Partial<PhysicsOptions>));
  } catch (cause) {
    // name the sidecar's field, not the option's
    const message = Object.entries(SIDECAR_PHYSICS_FIELDS).reduce((m, [key, field]) => m.replace(` for ${field} `, ` for physics.${key} `), (cause as Error).message);
    throw new RangeError(message, { cause });
  }
}

/** The settings that belong to a model (all but the exposure, which belongs to the clip). */
export function withoutExposure(o: PhysicsOptions): Omit<PhysicsOptions, 'exposure'> {
  return { iterations: o.iterations, spacing: o.spacing, maxSamples: o.maxSamples, staticThreshold: o.staticThreshold, frames: o.frames, flowTrust: o.flowTrust };
}

/** The motion prepared for one frame: displacement over the exposure, samples per pixel, moving pixels. */
export interface PreparedMotion {
  readonly width: number;
  readonly height: number;
  /** D = e * F, interleaved (dx, dy). */
  readonly displacement: Float32Array;
  readonly counts: Uint8Array;
  readonly moving: Int32Array;
  readonly isStatic: Uint8Array;
}

/** Scale the motion by the exposure and list the moving pixels. */
export function prepareMotion(motion: MotionField, o: PhysicsOptions): PreparedMotion {
  const displacement = new Float32Array(motion.data.length);
  for (let i = 0; i < displacement.length; i++) displacement[i] = motion.data[i]! * o.exposure;
  const isStatic = staticMask(motion, o.staticThreshold);
  return { width: motion.width, height: motion.height, displacement, counts: sampleCounts(displacement, o), moving: movingPixels(isStatic), isStatic };
}

/**
 * Richardson-Lucy deconvolution of a linear-light interleaved RGB image with the per-pixel line
 * kernel: L <- clamp(L * A(B / max(A(L), eps)), 0, 1), starting from L = B; A also serves as its
 * own adjoint (the kernel is symmetric). Static pixels keep B. Returns a new image.
 */
export function deblurRichardsonLucy(blur: Float32Array, m: PreparedMotion, iterations: number): Float32Array {
  const { width: w, height: h, displacement, counts, moving } = m;
  const latent = blur.slice();
  if (iterations === 0 || moving.length === 0) return latent;
  // One buffer holds A(L), then A(ratio): the first is used up before the second is written.
  const work = new Float32Array(blur.length);
  // The ratio B / A(L) is sampled around moving pixels, static ones included: there A(L) = L = B.
  const ratio = new Float32Array(blur.length);
  for (let i = 0; i < blur.length; i++) ratio[i] = blur[i]! / Math.max(blur[i]!, RL_EPSILON);
  for (let it = 0; it < iterations; it++) {
    applyLineKernel(latent, work, w, h, displacement, counts, moving);
    for (let i = 0; i < moving.length; i++) {
      const o = moving[i]! * 3;
      for (let c = 0; c < 3; c++) ratio[o + c] = blur[o + c]! / Math.max(work[o + c]!, RL_EPSILON);
    }
    applyLineKernel(ratio, work, w, h, displacement, counts, moving);
    for (let i = 0; i < moving.length; i++) {
      const o = moving[i]! * 3;
      for (let c = 0; c < 3; c++) {
        const v = latent[o + c]! * work[o + c]!;
        latent[o + c] = v < 0 ? 0 : v > 1 ? 1 : v;
      }
    }
  }
  return latent;
}

/**
 * Frames along the motion: frame j at pixel x is the latent image at x - t_j D(x), t_j the centre of
 * the j-th of `frames` slices of the exposure (frameTime). Linear light in, linear light out, pixel
 * by pixel: `frames * 3` channels per pixel, channel = frame * 3 + rgb (the layout of the network's
 * physics input). Static pixels are the latent pixel itself. With `rect`, only that rectangle of the
 * frame is rendered (rect.width x rect.height pixels, still sampling the whole latent image).
 */
export function renderAlongMotion(latent: Float32Array, m: PreparedMotion, frames: number, rect?: TileRect): Float32Array {
  const { width: w, height: h, displacement, isStatic } = m;
  const r = checkRect(rect, w, h);
  const c = frames * 3;
  const out = new Float32Array(r.width * r.height * c);
  const times = Array.from({ length: frames }, (_, j) => frameTime(j, frames));
  for (let ry = 0; ry < r.height; ry++) {
    const y = r.y + ry;
    for (let rx = 0; rx < r.width; rx++) {
      const x = r.x + rx;
      const p = y * w + x;
      const base = (ry * r.width + rx) * c;
      if (isStatic[p]) {
        for (let j = 0; j < frames; j++) {
          out[base + 3 * j] = latent[p * 3]!;
          out[base + 3 * j + 1] = latent[p * 3 + 1]!;
          out[base + 3 * j + 2] = latent[p * 3 + 2]!;
        }
        continue;
      }
      const dx = displacement[2 * p]!;
      const dy = displacement[2 * p + 1]!;
      for (let j = 0; j < frames; j++) addBilinear(latent, w, h, 3, x - times[j]! * dx, y - times[j]! * dy, 1, out, base + 3 * j);
    }
  }
  return out;
}

function checkRect(rect: TileRect | undefined, w: number, h: number): TileRect {
  if (!rect) return { x: 0, y: 0, width: w, height: h };
  const { x, y, width, height } = rect;
  if (![x, y, width, height].every(Number.isInteger) || x < 0 || y < 0 || width < 1 || height < 1 || x + width > w || y + height > h) {
    throw new RangeError(`Expected a rectangle inside the ${w}x${h} frame but received ${width}x${height} at (${x}, ${y})`);
  }
  return rect;
}

/**
 * Step 1 of the physical decomposition, done once per frame: the frame deblurred with its motion
 * (linear light) and the prepared motion. `renderDeblurred` then renders any rectangle of the 7
 * frames from it, so a tiled caller never holds all 7 frames of a large image as floats.
 */
export interface Deblurred {
  /** The sharp (latent) image, linear light, interleaved RGB. */
  readonly latent: Float32Array;
  readonly motion: PreparedMotion;
  readonly options: PhysicsOptions;
  /** The input frame (static pixels are copied from it exactly). */
  readonly rgb: Uint8Array | Uint16Array;
}

/** Deblur interleaved 8- or 16-bit sRGB with its motion (Richardson-Lucy, linear light). */
export function deblurWithMotion(rgb: Uint8Array | Uint16Array, motion: MotionField, options: Partial<PhysicsOptions> = {}): Deblurred {
  const o = resolvePhysicsOptions(options);
  const n = motion.width * motion.height;
  if (rgb.length !== n * 3) throw new RangeError(`Expected ${motion.width}x${motion.height} RGB (${n * 3} values) to match the motion but received ${rgb.length}`);
  const lut = toLinearLut('srgb', rgb instanceof Uint8Array ? 8 : 16);
  const blur = new Float32Array(n * 3);
  for (let i = 0; i < blur.length; i++) blur[i] = lut[rgb[i]!]!;
  const m = prepareMotion(motion, o);
  const latent = deblurRichardsonLucy(blur, m, o.iterations);
  const trust = o.flowTrust && o.iterations > 0 ? motionTrust(motion, TRUST_RELATIVE, TRUST_PIXELS, m.moving) : undefined; // read at m.moving only
  if (trust) keepTrustedDeblurring(latent, blur, trust, m.moving);
  return { latent, motion: m, options: o, rgb };
}

/** latent <- blur + trust * (latent - blur) at the moving pixels (in place): where the motion is not
 * trusted, the deblurring a wrong kernel made is taken back (motionTrust). */
export function keepTrustedDeblurring(latent: Float32Array, blur: Float32Array, trust: Float32Array, moving: Int32Array): void {
  for (let i = 0; i < moving.length; i++) {
    const p = moving[i]!;
    const w = trust[p]!;
    if (w === 1) continue;
    for (let c = 0; c < 3; c++) latent[3 * p + c] = blur[3 * p + c]! + w * (latent[3 * p + c]! - blur[3 * p + c]!);
  }
}

/**
 * Step 2: the 7 frames of `rect` (default: the whole frame), pixel by pixel, `frames * 3` sRGB
 * floats in [0,1] (channel = frame * 3 + rgb). Static pixels are exactly the input value (code / max).
 */
export function renderDeblurred(d: Deblurred, rect?: TileRect): Float32Array {
  const { width: w, height: h } = d.motion;
  const r = checkRect(rect, w, h);
  const rendered = renderAlongMotion(d.latent, d.motion, d.options.frames, r);
  const frames = encodeLinearToSrgbFloat(rendered, rendered); // in place: one frame-set buffer, not two
  restoreStatic(frames, d.rgb, d.motion.isStatic, d.options.frames, r, w);
  return frames;
}

/**
 * The whole physical decomposition of one frame: interleaved 8- or 16-bit sRGB in; out, pixel by
 * pixel, `frames * 3` sRGB floats in [0,1] (channel = frame * 3 + rgb). Static pixels are exactly
 * the input value (code / max) in every frame.
 */
export function decomposeWithMotion(rgb: Uint8Array | Uint16Array, motion: MotionField, options: Partial<PhysicsOptions> = {}): Float32Array {
  return renderDeblurred(deblurWithMotion(rgb, motion, options));
}

/** Static pixels of pixel-major frames (`frames * 3` channels) of rectangle `r` of a frame `w`
 * pixels wide become exactly the input code / max. */
export function restoreStatic(out: Float32Array, rgb: Uint8Array | Uint16Array, isStatic: Uint8Array, frames: number, r: TileRect, w: number): void {
  const scale = rgb instanceof Uint8Array ? 1 / 255 : 1 / 65535;
  const c = frames * 3;
  for (let ry = 0; ry < r.height; ry++) {
    for (let rx = 0; rx < r.width; rx++) {
      const p = (r.y + ry) * w + r.x + rx;
      if (!isStatic[p]) continue;
      const q = (ry * r.width + rx) * c;
      for (let j = 0; j < frames; j++) {
        out[q + 3 * j] = rgb[p * 3]! * scale;
        out[q + 3 * j + 1] = rgb[p * 3 + 1]! * scale;
        out[q + 3 * j + 2] = rgb[p * 3 + 2]! * scale;
      }
    }
  }
}
