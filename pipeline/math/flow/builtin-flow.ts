// The built-in CPU flow estimator: greyscale at a reduced working resolution, coarse-to-fine
// Lucas-Kanade there, flow upsampled (vectors scaled) to the full resolution. Pure.
import type { FlowField, RgbImage } from '../types.js';
import { resizeFlowPlanes, toGrayResized } from './image-ops.js';
import { LK_DEFAULTS, lucasKanadePlanes, type LucasKanadeOptions } from './lucas-kanade.js';

/** Default working width in pixels: 960x540 runs at 320x180 (4-direction guidance needs coarse flow only). */
export const DEFAULT_WORKING_WIDTH = 320;

/** Options of the built-in estimator. */
export interface BuiltinFlowOptions extends LucasKanadeOptions {
  /** Width the flow is computed at (height keeps the aspect ratio); >= the image width means full resolution. */
  readonly workingWidth?: number;
}

/** Resolved options with every default written out. */
export function resolveBuiltinFlowOptions(options: BuiltinFlowOptions = {}): Required<BuiltinFlowOptions> {
  const resolved = { ...LK_DEFAULTS, workingWidth: DEFAULT_WORKING_WIDTH, ...options };
  for (const key of ['levels', 'iterations', 'workingWidth'] as const) {
    if (!Number.isInteger(resolved[key]) || resolved[key] < 1) throw new RangeError(`Expected an integer >= 1 for ${key} but received ${resolved[key]}`);
  }
  if (!Number.isInteger(resolved.windowRadius) || resolved.windowRadius < 1) {
    throw new RangeError(`Expected an integer >= 1 for windowRadius but received ${resolved.windowRadius}`);
  }
  if (!(resolved.regularization > 0)) throw new RangeError(`Expected a number > 0 for regularization but received ${resolved.regularization}`);
  return resolved;
}

/** Working size for an image: at most `workingWidth` wide, same aspect ratio, at least 1x1. */
export function workingSize(width: number, height: number, workingWidth: number): { width: number; height: number } {
  if (workingWidth >= width) return { width, height };
  return { width: workingWidth, height: Math.max(1, Math.round((height * workingWidth) / width)) };
}

/** Dense flow from `prev` to `next` at prev's pixels, full resolution (prev(x) ~ next(x + flow(x))). */
export function estimateBuiltinFlow(prev: RgbImage, next: RgbImage, options: BuiltinFlowOptions = {}): FlowField {
  if (prev.width !== next.width || prev.height !== next.height) {
    throw new RangeError(`Frame sizes differ: ${prev.width}x${prev.height} vs ${next.width}x${next.height}`);
  }
  const o = resolveBuiltinFlowOptions(options);
  const size = workingSize(prev.width, prev.height, o.workingWidth);
  const g1 = toGrayResized(prev, size.width, size.height);
  const g2 = toGrayResized(next, size.width, size.height);
  const low = lucasKanadePlanes(g1, g2, o);
  const up = resizeFlowPlanes(low.u, low.v, size.width, size.height, prev.width, prev.height, true);
  return { width: prev.width, height: prev.height, data: up.uv };
}
