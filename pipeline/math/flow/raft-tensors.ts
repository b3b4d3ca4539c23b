// Tensor plumbing of the RAFT backend: frames -> NCHW float input at a working size, padded to the
// model's multiple of 8 by edge replication (as RAFT's InputPadder does), and the padded output
// flow cropped back. Pure.
import type { RgbImage } from '../types.js';

/** Where the working-size image sits inside the padded network input. */
export interface RaftLayout {
  /** Working size: the frame is area-resampled to this. */
  readonly width: number;
  readonly height: number;
  /** Network input size (multiples of 8). */
  readonly paddedWidth: number;
  readonly paddedHeight: number;
  /** Padding on the left and top (the rest goes right and bottom). */
  readonly left: number;
  readonly top: number;
}

/** RAFT works at 1/8 resolution internally: inputs must be multiples of 8. */
export const RAFT_MULTIPLE = 8;

/** Smallest input side: RAFT pools its 1/8-resolution correlation volume 3 more times (1 px below 128 gives NaN). */
export const RAFT_MIN_SIDE = 128;

/**
 * Layout for a frame of `frameWidth` x `frameHeight`. With a fixed-size model (`modelWidth`,
 * `modelHeight`) the frame is fitted inside it keeping its aspect ratio; otherwise it is scaled to
 * `workingWidth` (never up) and padded up to multiples of 8 (at least RAFT_MIN_SIDE). Padding is split evenly, as RAFT's
 * 'sintel' padder does.
 */
export function raftLayout(frameWidth: number, frameHeight: number, workingWidth: number, modelWidth?: number, modelHeight?: number): RaftLayout {
  let width: number;
  let height: number;
  let paddedWidth: number;
  let paddedHeight: number;
  if (modelWidth !== undefined && modelHeight !== undefined) {
    const s = Math.min(1, modelWidth / frameWidth, modelHeight / frameHeight);
    width = Math.max(1, Math.min(modelWidth, Math.round(frameWidth * s)));
    height = Math.max(1, Math.min(modelHeight, Math.round(frameHeight * s)));
    [paddedWidth, paddedHeight] = [modelWidth, modelHeight];
  } else {
    const s = Math.min(1, workingWidth / frameWidth);
    width = Math.max(1, Math.round(frameWidth * s));
    height = Math.max(1, Math.round(frameHeight * s));
    paddedWidth = Math.max(RAFT_MIN_SIDE, Math.ceil(width / RAFT_MULTIPLE) * RAFT_MULTIPLE);
    paddedHeight = Math.max(RAFT_MIN_SIDE, Math.ceil(height / RAFT_MULTIPLE) * RAFT_MULTIPLE);
  }
  return { width, height, paddedWidth, paddedHeight, left: (paddedWidth - width) >> 1, top: (paddedHeight - height) >> 1 };
}

/** NCHW float32 input (values 0..255, RGB) of one frame: area-resampled to the layout's size, edge-padded. */
export function raftInputTensor(image: RgbImage, layout: RaftLayout): Float32Array {
  const { width: w, height: h, data: src } = image;
  const { width: ow, height: oh, paddedWidth: pw, paddedHeight: ph, left, top } = layout;
  const scale = src instanceof Uint16Array ? 255 / 65535 : 1;
  const small = new Float32Array(ow * oh * 3);
  const count = new Float32Array(ow * oh);
  for (let y = 0; y < h; y++) {
    const oy = Math.min(oh - 1, Math.floor((y * oh) / h));
    for (let x = 0; x < w; x++) {
      const o = oy * ow + Math.min(ow - 1, Math.floor((x * ow) / w));
      const i = (y * w + x) * 3;
      small[3 * o] += src[i]!;
      small[3 * o + 1] += src[i + 1]!;
      small[3 * o + 2] += src[i + 2]!;
      count[o]!++;
    }
  }
  const plane = pw * ph;
  const out = new Float32Array(3 * plane);
  for (let y = 0; y < ph; y++) {
    const sy = Math.min(oh - 1, Math.max(0, y - top)); // replicate the edge rows into the padding
    for (let x = 0; x < pw; x++) {
      const s = sy * ow + Math.min(ow - 1, Math.max(0, x - left));
      const k = scale / count[s]!;
      for (let c = 0; c < 3; c++) out[c * plane + y * pw + x] = small[3 * s + c]! * k;
    }
  }
  return out;
}

/** Crop the NCHW (1, 2, paddedH, paddedW) network flow back to the working size, as two planes. */
export function cropRaftFlow(flow: Float32Array, layout: RaftLayout): { u: Float32Array; v: Float32Array } {
  const { width: w, height: h, paddedWidth: pw, paddedHeight: ph, left, top } = layout;
  if (flow.length !== 2 * pw * ph) throw new RangeError(`RAFT output holds ${flow.length} values, expected 2 x ${ph} x ${pw}`);
  const u = new Float32Array(w * h);
  const v = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const s = (y + top) * pw + x + left;
      u[y * w + x] = flow[s]!;
      v[y * w + x] = flow[pw * ph + s]!;
    }
  }
  return { u, v };
}
