// One blurry frame through the decomposition model: whole or in feathered tiles, optional blur
// consistency, output as 7 interleaved 8-bit RGB frames. Shared by the worker and in-process use.
import { Decomposer, FRAMES_PER_BLUR } from '../models/runtime/decomposer.js';
import { enforceBlurConsistency } from '../pipeline/math/consistency.js';
import { hwcToPaddedChw, planarFramesToHwc8 } from '../pipeline/math/tensor-layout.js';
import { extractTile, planTiles, TileAccumulator, defaultOverlap } from '../pipeline/math/tiling.js';

/** A frame to decompose (buffers are transferred to the worker). */
export interface DecomposeTask {
  /** Frame index (for messages and tests). */
  readonly index: number;
  readonly width: number;
  readonly height: number;
  /** Interleaved RGB, 8-bit (or 16-bit: then values are scaled by 1/65535). */
  readonly rgb: Uint8Array | Uint16Array;
  /** Interleaved guidance (x, y) in {-1,0,1}. */
  readonly guidance: Int8Array;
  /** Tile side (0 = whole frame). */
  readonly tile: number;
  /** Tile overlap in pixels (0 = default for the tile size). */
  readonly overlap?: number;
  /** Apply the linear-light blur consistency correction. */
  readonly consistency: boolean;
}

/** What comes back: 7 interleaved 8-bit RGB frames back to back, and timings. */
export interface DecomposeResult {
  readonly index: number;
  readonly frames: Uint8Array;
  /** Milliseconds spent in onnxruntime. */
  readonly inferMs: number;
  /** Milliseconds for the whole task inside the worker (layout, tiling, consistency, conversion). */
  readonly totalMs: number;
  /** Mean absolute change made by --consistency (encoded [0,1] units), 0 when off. */
  readonly consistencyChange: number;
}

/** Decompose one frame with `model`. */
export async function decomposeFrame(model: Decomposer, task: DecomposeTask): Promise<DecomposeResult> {
  const t0 = performance.now();
  const { width: w, height: h, rgb, guidance } = task;
  if (rgb.length !== w * h * 3 || guidance.length !== w * h * 2) {
    throw new RangeError(`Frame ${task.index}: expected ${w}x${h} RGB and guidance buffers but received ${rgb.length} and ${guidance.length} values`);
  }
  const scale = rgb instanceof Uint16Array ? 1 / 65535 : 1 / 255;
  let inferMs = 0;
  let planar: Float32Array;
  if (task.tile > 0 && (w > task.tile || h > task.tile)) {
    const tiles = planTiles(w, h, task.tile, task.overlap || defaultOverlap(task.tile));
    const acc = new TileAccumulator(w, h, FRAMES_PER_BLUR * 3, tiles);
    for (const rect of tiles) {
      const t = performance.now();
      const out = await model.runHwc(extractTile(rgb, w, 3, rect), extractTile(guidance, w, 2, rect), rect.width, rect.height, scale);
      inferMs += performance.now() - t;
      acc.add(out, rect);
    }
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
  return { index: task.index, frames, inferMs, totalMs: performance.now() - t0, consistencyChange };
}
