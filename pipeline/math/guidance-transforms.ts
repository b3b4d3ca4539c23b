// Augmentations and time reversal applied to flow fields and guidance maps, transforming the
// vectors like a flow field (as the reference's training augmentation does). Pure: no I/O.
import type { FlowField, GuidanceMap } from './types.js';

/** Any interleaved HWC map (flow fields and guidance maps both fit). */
interface Interleaved<A extends Float32Array | Int8Array> {
  readonly width: number;
  readonly height: number;
  readonly data: A;
}

/** Geometric transforms: horizontal mirror, vertical mirror, and k x 90deg counter-clockwise on screen (numpy.rot90). */
export type GeometricTransform = { kind: 'flipH' } | { kind: 'flipV' } | { kind: 'rot90'; k: number };

function rotSteps(k: number): number {
  if (!Number.isInteger(k)) throw new RangeError(`rot90 needs an integer number of quarter turns, not ${k}`);
  return ((k % 4) + 4) % 4;
}

/** Move pixels (not values) for a transform: returns the new data, width and height. */
function remap<A extends Float32Array | Int8Array>(map: Interleaved<A>, channels: number, t: GeometricTransform): { width: number; height: number; data: A } {
  const { width: w, height: h } = map;
  const src = map.data;
  const k = t.kind === 'rot90' ? rotSteps(t.k) : 0;
  const swap = k % 2 === 1;
  const ow = swap ? h : w;
  const oh = swap ? w : h;
  const out = new (src.constructor as new (n: number) => A)(src.length);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      let sx: number;
      let sy: number;
      if (t.kind === 'flipH') [sx, sy] = [w - 1 - x, y];
      else if (t.kind === 'flipV') [sx, sy] = [x, h - 1 - y];
      else if (k === 0) [sx, sy] = [x, y];
      else if (k === 1) [sx, sy] = [w - 1 - y, x]; // numpy.rot90: out[i, j] = in[j, W-1-i]
      else if (k === 2) [sx, sy] = [w - 1 - x, h - 1 - y];
      else [sx, sy] = [y, h - 1 - x];
      const si = (sy * w + sx) * channels;
      const di = (y * ow + x) * channels;
      for (let c = 0; c < channels; c++) out[di + c] = src[si + c]!;
    }
  }
  return { width: ow, height: oh, data: out };
}

/** Rotate a vector (u, v) (y down) by k quarter turns counter-clockwise on screen: (u, v) -> (v, -u) per turn. */
export function rotateVector90(u: number, v: number, k: number): [number, number] {
  let a = u;
  let b = v;
  for (let i = 0; i < rotSteps(k); i++) [a, b] = [b, -a];
  return [a + 0, b + 0]; // + 0 turns -0 into 0
}

/** Apply a geometric transform to a flow field: move the pixels and transform the vectors. */
export function transformFlow(flow: FlowField, t: GeometricTransform): FlowField {
  const out = remap(flow, 2, t);
  const d = out.data;
  for (let i = 0; i < d.length; i += 2) {
    if (t.kind === 'flipH') d[i] = -d[i]! + 0; // + 0: no negative zeros (they change atan2 tie-breaks)
    else if (t.kind === 'flipV') d[i + 1] = -d[i + 1]! + 0;
    else [d[i], d[i + 1]] = rotateVector90(d[i]!, d[i + 1]!, t.k);
  }
  return out;
}

/**
 * Apply a geometric transform to a guidance map of any direction count (channels x, y, h, a;
 * see quantizeVector): flips negate x or y; a quarter turn maps (x, y) -> (y, -x) and swaps
 * horizontal/vertical (h -> -h). A quarter turn of 2-direction guidance (x only) is undefined:
 * RangeError. Vectors exactly on a sector boundary may land in the neighbouring sector compared
 * with quantising the transformed flow (the boundary tie-breaks are not symmetric).
 */
export function transformGuidance(g: GuidanceMap, t: GeometricTransform): GuidanceMap {
  const c = g.channels;
  const turns = t.kind === 'rot90' ? rotSteps(t.k) : 0;
  if (c === 1 && turns % 2 === 1) throw new RangeError('Cannot rotate 2-direction guidance by 90 degrees: it has no y channel');
  const out = remap(g, c, t);
  const d = out.data;
  for (let i = 0; i < d.length; i += c) {
    if (t.kind === 'flipH') d[i] = -d[i]! + 0;
    else if (t.kind === 'flipV') {
      if (c >= 2) d[i + 1] = -d[i + 1]! + 0;
    } else if (turns === 2) {
      d[i] = -d[i]! + 0;
      if (c >= 2) d[i + 1] = -d[i + 1]! + 0;
    } else if (turns !== 0) {
      const [x, y] = rotateVector90(d[i]!, d[i + 1]!, turns);
      d[i] = x;
      d[i + 1] = y;
      if (c >= 3) d[i + 2] = -d[i + 2]! + 0;
    }
  }
  return { ...out, channels: c };
}

/** Time reversal of a flow field (the reference's "Reverse"): every vector negated. */
export function reverseFlow(flow: FlowField): FlowField {
  return negateFlowInPlace({ width: flow.width, height: flow.height, data: Float32Array.from(flow.data) });
}

/** reverseFlow without the copy: negates `flow` itself (for a field the caller owns) and returns it. */
export function negateFlowInPlace(flow: FlowField): FlowField {
  const d = flow.data;
  for (let i = 0; i < d.length; i++) d[i] = -d[i]! + 0; // + 0: no -0 in the output
  return flow;
}

/** Time reversal of guidance: the direction channels (x, y) negated; h and a of 8/16 directions are unchanged. */
export function reverseGuidance(g: GuidanceMap): GuidanceMap {
  const c = g.channels;
  const data = Int8Array.from(g.data);
  for (let i = 0; i < data.length; i += c) {
    data[i] = -data[i]!;
    if (c >= 2) data[i + 1] = -data[i + 1]!;
  }
  return { width: g.width, height: g.height, channels: c, data };
}
