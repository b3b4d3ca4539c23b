// The sub-frame sequence of a footage input: the decoded frames themselves, or with
// `interpolate` K > 1, K frames per input interval (the input frame plus K-1 flow-interpolated
// ones). Sub-frames nobody needs (complete samples, gaps) are skipped without any work.
import type { FlowEstimator } from '../flow/estimator.js';
import type { FrameSource } from '../io/frame-source.js';
import { flowInconsistency, interpolateFrame } from '../math/blur-interpolate.js';
import { encodeLinearTo8Fast } from '../math/blur.js';
import { decodeToLinear, type TransferCurve } from '../math/colour.js';

/** One sub-frame: encoded codes (a decoded input frame) or linear light (an interpolated frame). */
export interface Subframe {
  readonly index: number;
  readonly width: number;
  readonly height: number;
  /** Source codes (valid only until the next sub-frame is requested). */
  readonly codes?: Uint8Array | Uint16Array;
  /** Linear RGB of an interpolated frame. */
  readonly linear?: Float32Array;
}

/** Options of the stream. */
export interface SubframeStreamOptions {
  /** Sub-frames per input interval (1 = no interpolation). */
  readonly interpolate: number;
  readonly curve: TransferCurve;
  /** Whether sub-frame i will be used; unused ones are neither interpolated nor yielded. */
  readonly needed: (index: number) => boolean;
  /** Flow estimator for interpolation (required when interpolate > 1). */
  readonly flow?: FlowEstimator;
  /** Receives the total number of sub-frames when the input ends. */
  readonly onEnd?: (total: number) => void;
}

/** Yield the needed sub-frames of a source in order. */
export async function* subframeStream(source: FrameSource, o: SubframeStreamOptions): AsyncGenerator<Subframe> {
  const K = o.interpolate;
  if (!Number.isInteger(K) || K < 1) throw new RangeError(`Expected an integer >= 1 for the interpolation factor but received ${K}`);
  if (K > 1 && !o.flow) throw new RangeError('Interpolation needs a flow estimator');
  let n = 0;
  let prev: { codes: Uint8Array | Uint16Array; linear?: Float32Array } | undefined;
  for await (const frame of source) {
    const { width, height } = frame;
    try {
      if (K > 1 && prev) {
        const base = (n - 1) * K;
        const wanted: number[] = [];
        for (let m = 1; m < K; m++) if (o.needed(base + m)) wanted.push(m);
        if (wanted.length > 0) {
          const a8 = toCodes8(prev.codes);
          const b8 = toCodes8(frame.data);
          const f01 = (await o.flow!.estimate({ width, height, data: a8 }, { width, height, data: b8 })).data;
          const f10 = (await o.flow!.estimate({ width, height, data: b8 }, { width, height, data: a8 })).data;
          const c0 = flowInconsistency(f01, f10, width, height);
          const c1 = flowInconsistency(f10, f01, width, height);
          const la = prev.linear ?? decodeToLinear(prev.codes, o.curve);
          const lb = decodeToLinear(frame.data, o.curve);
          for (const m of wanted) {
            yield { index: base + m, width, height, linear: interpolateFrame(la, lb, f01, f10, c0, c1, width, height, m / K) };
          }
          prev = { codes: frame.data.slice(), linear: lb };
        } else {
          prev = { codes: frame.data.slice() };
        }
      } else if (K > 1) {
        prev = { codes: frame.data.slice() };
      }
      const index = n * K;
      if (o.needed(index)) yield { index, width, height, codes: frame.data };
    } finally {
      frame.release();
    }
    n++;
  }
  o.onEnd?.(n === 0 ? 0 : (n - 1) * K + 1);
}

/** 8-bit codes of a frame for the flow estimator (16-bit codes are scaled down). */
function toCodes8(codes: Uint8Array | Uint16Array): Uint8Array {
  if (codes instanceof Uint8Array) return codes;
  const out = new Uint8Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = Math.round(codes[i]! / 257);
  return out;
}

/** 8-bit codes of a sub-frame (its own codes, or its linear light re-encoded with the curve), copied into `out`. */
export function subframeCodes8(s: Subframe, curve: TransferCurve, out: Uint8Array = new Uint8Array(s.width * s.height * 3)): Uint8Array {
  if (s.codes instanceof Uint8Array) out.set(s.codes);
  else if (s.codes) out.set(toCodes8(s.codes));
  else encodeLinearTo8Fast(s.linear!, curve, out);
  return out;
}
