// One blurry frame through a decomposition method, whole or in feathered tiles, optional blur
// consistency, output as 7 interleaved 8-bit RGB frames. Shared by the worker and in-process use.
//   guidance  the paper's network on the quantised guidance (models/afb-cpu.onnx)
//   physics   deblur with the known motion, frames rendered along it (no network)
//   learned   physics + the motion-aware network's residual (models/afb-motion.onnx)
import type { DecomposeMethod } from '../../configs/model-options.js';
import { BuiltinFlowEstimator } from '../flow/builtin.js';
import { enforceBlurConsistency } from '../math/consistency.js';
import { quantizeFlow } from '../math/guidance.js';
import type { MotionField } from '../math/motion/motion-field.js';
import { deblurWithMotion, PHYSICS_DEFAULTS, renderDeblurred } from '../math/motion/physics.js';
import { hwcToPaddedChw, pixelFramesIntoHwc8, pixelFramesIntoPlanar, planarFramesToHwc8, planarFramesToHwcFloat } from '../math/tensor-layout.js';
import { extractTile, planTiles, TileAccumulator, TileAccumulator8, defaultOverlap, type TileRect, type TileShape } from '../math/tiling.js';
import { motionFromNeighbours, type MotionNeighbours } from '../motion/video-motion.js';
import { Decomposer, FRAMES_PER_BLUR } from '../runtime/decomposer.js';
import type { MotionDecomposer } from '../runtime/motion-decomposer.js';


/** A frame to decompose (buffers are transferred to the worker). */
export interface DecomposeTask {
  /** Frame index (for messages and tests). */
  readonly index: number;
  readonly width: number;
  readonly height: number;
  /** Interleaved RGB, 8-bit (or 16-bit: then values are scaled by 1/65535). */
  readonly rgb: Uint8Array | Uint16Array;
  /** Default 'guidance'. */
  readonly method?: DecomposeMethod;
  /** Interleaved guidance (x, y) in {-1,0,1} for 'guidance' (derived from `motion` when absent). */
  readonly guidance?: Int8Array;
  /** Interleaved motion (x, y), pixels per frame interval, for 'physics'/'learned' (or 'guidance'). */
  readonly motion?: Float32Array;
  /** With `motion`, when it is the mean of the motion from both neighbours: how far those two are
   * apart per pixel (MotionField.disagreement; one value per pixel). */
  readonly disagreement?: Float32Array;
  /** Without guidance and motion: the neighbouring frames (same size and type as rgb), from which
   * the worker computes the motion with the built-in flow (keeps the main thread free). */
  readonly prev?: Uint8Array | Uint16Array;
  readonly next?: Uint8Array | Uint16Array;
  /** Which neighbours the motion comes from (default 'both'). */
  readonly neighbours?: MotionNeighbours;
  /** Exposure fraction e for 'physics'/'learned' (default 1). */
  readonly exposure?: number;
  /** Richardson-Lucy iterations of the physics (default: the motion model's sidecar for 'learned', PHYSICS_DEFAULTS
   * for 'physics'; 0: the blurry frame moved along the motion). */
  readonly iterations?: number;
  /** 'learned': average the network over this many mirrored / time-reversed copies (1, 2, 4 or 8; default 1). */
  readonly ensemble?: number;
  /** Tile side or shape (0 = whole frame). */
  readonly tile: number | TileShape;
  /** Tile overlap in pixels (0 = default for the tile size). */
  readonly overlap?: number;
  /** Apply the linear-light blur consistency correction. */
  readonly consistency: boolean;
  /** Also return the frames as floats in [0,1] (`framesFloat`), e.g. for metrics without 8-bit rounding. */
  readonly float?: boolean;
}

/** What comes back: 7 interleaved 8-bit RGB frames back to back, and timings. */
export interface DecomposeResult {
  readonly index: number;
  readonly frames: Uint8Array;
  /** With `float`: the same 7 frames as interleaved floats in [0,1] (7 x h x w x 3). */
  readonly framesFloat?: Float32Array;
  /** Milliseconds spent in onnxruntime. */
  readonly inferMs: number;
  /** Milliseconds spent computing motion from video in the worker (0 when it came with the task). */
  readonly flowMs: number;
  /** Milliseconds spent in the physical decomposition. */
  readonly physicsMs: number;
  /** Milliseconds for the whole task inside the worker (layout, tiling, consistency, conversion). */
  readonly totalMs: number;
  /** Mean absolute change made by --consistency (encoded [0,1] units), 0 when off. */
  readonly consistencyChange: number;
}

/** The networks a worker holds (each only when its method is used). */
export interface FrameModels {
  readonly guidance?: Decomposer;
  readonly motion?: MotionDecomposer;
}

let builtinFlow: BuiltinFlowEstimator | undefined;

/** Rows of the physics method's frames rendered at a time (bounds its float buffer to a band). */
const PHYSICS_BAND_ROWS = 64;

/** Static pixels of the output (7 interleaved 8-bit frames, or planar float frames) become the input. */
function restoreStaticOutput(out: Uint8Array | Float32Array, rgb: Uint8Array | Uint16Array, isStatic: Uint8Array, plane: number): void {
  const scale = rgb instanceof Uint16Array ? 1 / 65535 : 1 / 255;
  for (let p = 0; p < plane; p++) {
    if (!isStatic[p]) continue;
    for (let j = 0; j < FRAMES_PER_BLUR; j++) {
      for (let c = 0; c < 3; c++) {
        const v = rgb[p * 3 + c]! * scale;
        if (out instanceof Uint8Array) out[(j * plane + p) * 3 + c] = v * 255 + 0.5; // as planarFramesToHwc8 rounds
        else out[(j * 3 + c) * plane + p] = v;
      }
    }
  }
}

/** A frame's motion as task fields (the buffers the worker is sent). */
export function motionTaskFields(m: MotionField | undefined): Pick<DecomposeTask, 'motion' | 'disagreement'> {
  if (!m) return {};
  return { motion: m.data, ...(m.disagreement ? { disagreement: m.disagreement } : {}) };
}

/** The task's motion: given, or from its neighbours with the built-in flow; undefined for a lone frame. */
async function taskMotion(task: DecomposeTask): Promise<MotionField | undefined> {
  const { width, height } = task;
  if (task.motion) {
    if (task.disagreement && task.disagreement.length !== width * height) {
      throw new RangeError(`Frame ${task.index}: expected ${width}x${height} motion disagreement (${width * height} values) but received ${task.disagreement.length}`);
    }
    return { width, height, data: task.motion, ...(task.disagreement ? { disagreement: task.disagreement } : {}) };
  }
  if (!task.prev && !task.next) return undefined;
  builtinFlow ??= new BuiltinFlowEstimator();
  const frame = (data: Uint8Array | Uint16Array) => ({ width, height, data });
  return motionFromNeighbours(builtinFlow, {
    cur: frame(task.rgb),
    ...(task.prev ? { prev: frame(task.prev) } : {}),
    ...(task.next ? { next: frame(task.next) } : {}),
  }, task.neighbours ?? 'both');
}

/** Run `model` on every tile (or the whole frame) and assemble planar (7,3,h,w) frames, or straight
 * 8-bit frames when `to8` (memory bounded by the tile). */
async function runTiled(task: DecomposeTask, model: (rect: TileRect) => Promise<Float32Array>, to8: boolean): Promise<Float32Array | Uint8Array> {
  const { width: w, height: h } = task;
  const shape = typeof task.tile === 'number' ? { width: task.tile, height: task.tile } : task.tile;
  const tiled = shape.width > 0 && shape.height > 0 && (w > shape.width || h > shape.height);
  const tiles = tiled ? planTiles(w, h, shape, task.overlap || defaultOverlap(Math.min(shape.width, shape.height))) : [{ x: 0, y: 0, width: w, height: h }];
  if (!tiled) {
    const planar = await model(tiles[0]!);
    return to8 ? planarFramesToHwc8(planar, FRAMES_PER_BLUR, w, h) : planar;
  }
  if (to8) {
    const acc8 = new TileAccumulator8(w, h, FRAMES_PER_BLUR, tiles);
    for (const rect of tiles) acc8.add(await model(rect), rect);
    return acc8.result();
  }
  const acc = new TileAccumulator(w, h, FRAMES_PER_BLUR * 3, tiles);
  for (const rect of tiles) acc.add(await model(rect), rect);
  return acc.result();
}

/** Decompose one frame with the task's method. */
export async function decomposeFrame(models: FrameModels, task: DecomposeTask): Promise<DecomposeResult> {
  const t0 = performance.now();
  const { width: w, height: h, rgb } = task;
  const method = task.method ?? 'guidance';
  if (rgb.length !== w * h * 3) throw new RangeError(`Frame ${task.index}: expected ${w}x${h} RGB (${w * h * 3} values) but received ${rgb.length}`);
  const motion = task.guidance && method === 'guidance' ? undefined : await taskMotion(task);
  if (motion && motion.data.length !== w * h * 2) throw new RangeError(`Frame ${task.index}: expected ${w}x${h} motion (${w * h * 2} values) but received ${motion.data.length}`);
  const flowMs = task.motion || task.guidance ? 0 : performance.now() - t0;
  const scale = rgb instanceof Uint16Array ? 1 / 65535 : 1 / 255;
  const to8 = !task.consistency && !task.float;
  let inferMs = 0;
  let physicsMs = 0;
  let out: Float32Array | Uint8Array;
  if (method === 'guidance') {
    if (!models.guidance) throw new RangeError('The guidance method needs the decomposition model (--model)');
    const guidance = task.guidance ?? (motion ? quantizeFlow(motion).data : new Int8Array(w * h * 2));
    if (guidance.length !== w * h * 2) throw new RangeError(`Frame ${task.index}: expected ${w}x${h} guidance (${w * h * 2} values) but received ${guidance.length}`);
    const model = models.guidance;
    out = await runTiled(task, async (r) => {
      const t = performance.now();
      const planar = await model.runHwc(extractTile(rgb, w, 3, r), extractTile(guidance, w, 2, r), r.width, r.height, scale);
      inferMs += performance.now() - t;
      return planar;
    }, to8);
  } else {
    const exposure = task.exposure ?? 1;
    const lone: MotionField = motion ?? { width: w, height: h, data: new Float32Array(w * h * 2) }; // a lone frame: static
    // The frame is deblurred once; its 7 frames are rendered a band or a tile at a time, so the
    // physics never holds all 7 frames of a large image as floats (docs/pipeline.md, memory).
    // The learned method computes the physics as its network was trained on (the model's sidecar).
    // the learned method's network; undefined for the physics method
    const motionModel = method === 'learned' ? models.motion : undefined;
    if (method === 'learned' && !motionModel) throw new RangeError('The learned method needs the motion-aware model (--model)');
    const settings = motionModel ? motionModel.physics : PHYSICS_DEFAULTS;
    const tp = performance.now();
    const deblurred = deblurWithMotion(rgb, lone, { ...settings, exposure, iterations: task.iterations ?? settings.iterations });
    physicsMs = performance.now() - tp;
    if (!motionModel) {
      const tr = performance.now();
      out = to8 ? new Uint8Array(FRAMES_PER_BLUR * w * h * 3) : new Float32Array(FRAMES_PER_BLUR * 3 * w * h);
      for (let y = 0; y < h; y += PHYSICS_BAND_ROWS) {
        const band = { x: 0, y, width: w, height: Math.min(PHYSICS_BAND_ROWS, h - y) };
        const px = renderDeblurred(deblurred, band);
        if (out instanceof Uint8Array) pixelFramesIntoHwc8(px, FRAMES_PER_BLUR, band, w, h, out);
        else pixelFramesIntoPlanar(px, FRAMES_PER_BLUR, band, w, h, out);
      }
      physicsMs += performance.now() - tr;
    } else {
      const model = motionModel;
      const displacement = deblurred.motion.displacement; // e * F
      out = await runTiled(task, async (r) => {
        const tr = performance.now();
        const physics = renderDeblurred(deblurred, r);
        const t = performance.now();
        physicsMs += t - tr;
        const frames = await model.runHwc(extractTile(rgb, w, 3, r), scale, extractTile(displacement, w, 2, r), physics, r.width, r.height, task.ensemble ?? 1);
        inferMs += performance.now() - t;
        return frames;
      }, to8);
      // static pixels stay exactly the input, as in the physics
      restoreStaticOutput(out, rgb, deblurred.motion.isStatic, w * h);
    }
  }
  if (out instanceof Uint8Array) {
    return { index: task.index, frames: out, inferMs, flowMs, physicsMs, totalMs: performance.now() - t0, consistencyChange: 0 };
  }
  let consistencyChange = 0;
  if (task.consistency) {
    const blurry = hwcToPaddedChw(rgb, w, h, 3, w, h, scale);
    consistencyChange = enforceBlurConsistency(out, blurry, FRAMES_PER_BLUR).meanAbsChange;
  }
  const frames = planarFramesToHwc8(out, FRAMES_PER_BLUR, w, h);
  const framesFloat = task.float ? planarFramesToHwcFloat(out, FRAMES_PER_BLUR, w, h) : undefined;
  return { index: task.index, frames, ...(framesFloat ? { framesFloat } : {}), inferMs, flowMs, physicsMs, totalMs: performance.now() - t0, consistencyChange };
}
