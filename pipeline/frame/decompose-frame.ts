// One blurry frame through the decomposition model: whole or in feathered tiles, optional blur
// consistency, output as 7 interleaved 8-bit RGB frames. Shared by the worker and in-process use.
import { Decomposer, FRAMES_PER_BLUR } from '../runtime/decomposer.js';
import { BuiltinFlowEstimator } from '../flow/builtin.js';
import { guidanceForFrame } from '../flow/video-guidance.js';
import { enforceBlurConsistency } from '../math/consistency.js';
import { hwcToPaddedChw, planarFramesToHwc8, planarFramesToHwcFloat } from '../math/tensor-layout.js';
import { extractTile, planTiles, TileAccumulator, TileAccumulator8, defaultOverlap, type TileShape } from '../math/tiling.js';

/** A frame to decompose (buffers are transferred to the worker). */
export interface DecomposeTask {
  /** Frame index (for messages and tests). */
  readonly index: number;
  readonly width: number;
  readonly height: number;
  /** Interleaved RGB, 8-bit (or 16-bit: then values are scaled by 1/65535). */
  readonly rgb: Uint8Array | Uint16Array;
  /** Interleaved guidance (x, y) in {-1,0,1}; omit it and give `prev`/`next` to have the worker
   * compute guidance from video with the built-in flow (keeps the main thread free). */
  readonly guidance?: Int8Array;
  /** Previous frame (same size and type as rgb), for guidance from video in the worker. */
  readonly prev?: Uint8Array | Uint16Array;
  /** Next frame, used when there is no previous one (the first frame). */
  readonly next?: Uint8Array | Uint16Array;
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
  /** Milliseconds spent computing guidance from video in the worker (0 when it came with the task). */
  readonly flowMs: number;
  /** Milliseconds for the whole task inside the worker (layout, tiling, consistency, conversion). */
  readonly totalMs: number;
  /** Mean absolute change made by --consistency (encoded [0,1] units), 0 when off. */
  readonly consistencyChange: number;
}

let builtinFlow: BuiltinFlowEstimator | undefined;

/** The task's guidance, or guidance from video computed here from its neighbour frame. */
async function taskGuidance(task: DecomposeTask): Promise<Int8Array> {
  if (task.guidance) return task.guidance;
  const { width, height } = task;
  if (!task.prev && !task.next) return new Int8Array(width * height * 2); // a lone frame: static
  builtinFlow ??= new BuiltinFlowEstimator();
  const frame = (data: Uint8Array | Uint16Array) => ({ width, height, data });
  const g = await guidanceForFrame(builtinFlow, {
    cur: frame(task.rgb),
    ...(task.prev ? { prev: frame(task.prev) } : {}),
    ...(task.next ? { next: frame(task.next) } : {}),
  });
  return g.data;
}

/** Decompose one frame with `model`. */
export async function decomposeFrame(model: Decomposer, task: DecomposeTask): Promise<DecomposeResult> {
  const t0 = performance.now();
  const { width: w, height: h, rgb } = task;
  const guidance = await taskGuidance(task);
  const flowMs = performance.now() - t0;
  if (rgb.length !== w * h * 3 || guidance.length !== w * h * 2) {
    throw new RangeError(`Frame ${task.index}: expected ${w}x${h} RGB and guidance buffers but received ${rgb.length} and ${guidance.length} values`);
  }
  const scale = rgb instanceof Uint16Array ? 1 / 65535 : 1 / 255;
  let inferMs = 0;
  let planar: Float32Array;
  const shape = typeof task.tile === 'number' ? { width: task.tile, height: task.tile } : task.tile;
  if (shape.width > 0 && shape.height > 0 && (w > shape.width || h > shape.height)) {
    const tiles = planTiles(w, h, shape, task.overlap || defaultOverlap(Math.min(shape.width, shape.height)));
    const run = async (rect: (typeof tiles)[number]): Promise<Float32Array> => {
      const t = performance.now();
      const out = await model.runHwc(extractTile(rgb, w, 3, rect), extractTile(guidance, w, 2, rect), rect.width, rect.height, scale);
      inferMs += performance.now() - t;
      return out;
    };
    if (!task.consistency && !task.float) {
      // Straight into 8-bit frames: no frame-sized float buffers (memory bounded by the tile).
      const acc8 = new TileAccumulator8(w, h, FRAMES_PER_BLUR, tiles);
      for (const rect of tiles) acc8.add(await run(rect), rect);
      const frames = acc8.result();
      return { index: task.index, frames, inferMs, flowMs, totalMs: performance.now() - t0, consistencyChange: 0 };
    }
    const acc = new TileAccumulator(w, h, FRAMES_PER_BLUR * 3, tiles);
    for (const rect of tiles) acc.add(await run(rect), rect);
    planar = acc.result();
  } else {
    const t = performance.now();
    planar = await model.runHwc(rgb, guidance, w, h, scale);
    inferMs += performance.now() - t;
  }
  let consistencyChange = 0;
  if (task.consistency) {
    const blurry = hwcToPaddedChw(rgb, w, h, 3, w, h, scale);
    consistencyChange = enforceBlurConsistency(planar, blurry, FRAMES_PER_BLUR).meanAbsChange;
  }
  const frames = planarFramesToHwc8(planar, FRAMES_PER_BLUR, w, h);
  const framesFloat = task.float ? planarFramesToHwcFloat(planar, FRAMES_PER_BLUR, w, h) : undefined;
  return { index: task.index, frames, ...(framesFloat ? { framesFloat } : {}), inferMs, flowMs, totalMs: performance.now() - t0, consistencyChange };
}
