// One exposure of a procedural scene: S sub-frames averaged in linear light (the blurry frame),
// the ground-truth sub-frames, and the exact flow between consecutive ground-truth frames.
// Pure: no I/O.
import { gtIndices } from '../blur.js';
import { applyAffine, imageFlowMap, type Affine } from './affine.js';
import { renderInstant, type SceneLayer } from './render.js';

/** What one exposure produced; all images are linear RGB, width x height x 3. */
export interface ExposureResult {
  readonly blur: Float32Array;
  /** The ground-truth frames in time order. */
  readonly sharp: Float32Array[];
  /** Sub-frame indices (0..S-1) of the ground-truth frames. */
  readonly gtSubframes: number[];
  /** Times (video timeline, exposures) of the ground-truth frames. */
  readonly gtTimes: number[];
  /** Sum over j of the flow from ground-truth frame j to j+1, at the pixels of frame j (u, v interleaved). */
  readonly flow: Float32Array;
  /** The individual flows j -> j+1 (only when asked for). */
  readonly pairFlows?: Float32Array[];
  /** With `motion`: the exact motion in pixels per frame interval at the middle ground truth's
   * pixels: where that content is at the end of the exposure minus where it was at its start,
   * divided by the exposure fraction (u, v interleaved). */
  readonly motion?: Float32Array;
}

/** Time of sub-frame s of exposure i with S sub-frames and duty cycle d: the centre of its 1/S slice of [i, i+d). */
export function subframeTime(exposure: number, s: number, subframes: number, duty = 1): number {
  return exposure + (duty * (s + 0.5)) / subframes;
}

/**
 * Exact flow from time t0 to t1 at every pixel: the motion of the layer visible there at t0
 * (`ids`, topmost layer with alpha >= 0.5). Adds into `out` (u, v interleaved).
 */
export function accumulateFlow(layers: readonly SceneLayer[], ids: Uint8Array, t0: number, t1: number, width: number, height: number, out: Float32Array): void {
  const maps: Affine[] = layers.map((l) => imageFlowMap(l.motion, t0, t1));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      const m = maps[ids[p]!]!;
      const [qx, qy] = applyAffine(m, x, y);
      out[2 * p] += qx - x;
      out[2 * p + 1] += qy - y;
    }
  }
}

/** Working buffers of renderExposure, reusable across exposures of the same size (fresh memory is slow). */
export interface ExposureScratch {
  readonly frame: Float32Array;
  readonly ids: Uint8Array;
}

/** Allocate working buffers for width x height exposures. */
export function createExposureScratch(width: number, height: number): ExposureScratch {
  return { frame: new Float32Array(width * height * 3), ids: new Uint8Array(width * height) };
}

/**
 * Render exposure `exposure` of a scene with `subframes` sub-frames and `numGts` ground-truth
 * frames (indices from gtIndices). The result's buffers are fresh; `scratch` holds the rest.
 */
export function renderExposure(
  layers: readonly SceneLayer[], exposure: number, width: number, height: number,
  options: { subframes: number; numGts?: number; pairFlows?: boolean; scratch?: ExposureScratch; duty?: number; motion?: boolean },
): ExposureResult {
  const S = options.subframes;
  const duty = options.duty ?? 1;
  const numGts = options.numGts ?? 7;
  const gts = gtIndices(S, numGts);
  const n = width * height;
  const acc = new Float32Array(n * 3);
  const { frame, ids } = options.scratch ?? createExposureScratch(width, height);
  if (frame.length !== n * 3 || ids.length !== n) throw new RangeError(`Scratch buffers do not fit ${width}x${height}`);
  const sharp: Float32Array[] = [];
  const idMaps: Uint8Array[] = [];
  let next = 0;
  for (let s = 0; s < S; s++) {
    const isGt = next < gts.length && gts[next] === s;
    renderInstant(layers, subframeTime(exposure, s, S, duty), width, height, frame, isGt ? ids : undefined, acc);
    while (next < gts.length && gts[next] === s) {
      sharp.push(frame.slice());
      idMaps.push(ids.slice());
      next++;
    }
  }
  const inv = 1 / S;
  for (let i = 0; i < acc.length; i++) acc[i] *= inv;
  const gtTimes = gts.map((s) => subframeTime(exposure, s, S, duty));
  const flow = new Float32Array(n * 2);
  const pairFlows: Float32Array[] = [];
  for (let j = 0; j + 1 < numGts; j++) {
    if (options.pairFlows) {
      const pf = new Float32Array(n * 2);
      accumulateFlow(layers, idMaps[j]!, gtTimes[j]!, gtTimes[j + 1]!, width, height, pf);
      for (let i = 0; i < flow.length; i++) flow[i] += pf[i]!;
      pairFlows.push(pf);
    } else {
      accumulateFlow(layers, idMaps[j]!, gtTimes[j]!, gtTimes[j + 1]!, width, height, flow);
    }
  }
  let motion: Float32Array | undefined;
  if (options.motion) {
    const mid = numGts >> 1;
    const end = new Float32Array(n * 2);
    const start = new Float32Array(n * 2);
    accumulateFlow(layers, idMaps[mid]!, gtTimes[mid]!, exposure + duty, width, height, end);
    accumulateFlow(layers, idMaps[mid]!, gtTimes[mid]!, exposure, width, height, start);
    motion = end;
    for (let i = 0; i < motion.length; i++) motion[i] = (end[i]! - start[i]!) / duty;
  }
  return { blur: acc, sharp, gtSubframes: gts, gtTimes, flow, ...(options.pairFlows ? { pairFlows } : {}), ...(motion ? { motion } : {}) };
}
