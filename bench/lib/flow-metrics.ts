// Accuracy of an estimated flow against a known one: end-point error and guidance agreement. Pure.
import { quantizeFlow, type QuantizeOptions } from '../../pipeline/math/guidance.js';
import type { FlowField } from '../../pipeline/math/types.js';

function sameSize(a: FlowField, b: FlowField): void {
  if (a.width !== b.width || a.height !== b.height) throw new RangeError(`Flow sizes differ: ${a.width}x${a.height} vs ${b.width}x${b.height}`);
}

/** Mean end-point error |est - truth| in pixels, optionally only where `mask` is non-zero. */
export function endpointError(est: FlowField, truth: FlowField, mask?: Uint8Array): number {
  sameSize(est, truth);
  let sum = 0;
  let count = 0;
  for (let i = 0; i < est.width * est.height; i++) {
    if (mask && !mask[i]) continue;
    sum += Math.hypot(est.data[2 * i]! - truth.data[2 * i]!, est.data[2 * i + 1]! - truth.data[2 * i + 1]!);
    count++;
  }
  return count ? sum / count : 0;
}

/** Mask of the pixels whose true flow is longer than `minMagnitude` pixels. */
export function movingMask(truth: FlowField, minMagnitude: number): Uint8Array {
  const n = truth.width * truth.height;
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) mask[i] = Math.hypot(truth.data[2 * i]!, truth.data[2 * i + 1]!) > minMagnitude ? 1 : 0;
  return mask;
}

/**
 * Fraction of the moving pixels (true |flow| > minMagnitude, default 2 px) where the guidance
 * quantised from `est` equals the guidance quantised from `truth`. 1 when nothing moves.
 */
export function guidanceAgreement(est: FlowField, truth: FlowField, options: QuantizeOptions & { minMagnitude?: number } = {}): number {
  sameSize(est, truth);
  const ge = quantizeFlow(est, options);
  const gt = quantizeFlow(truth, options);
  const mask = movingMask(truth, options.minMagnitude ?? 2);
  const c = ge.channels;
  let agree = 0;
  let count = 0;
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    count++;
    let same = true;
    for (let k = 0; k < c; k++) if (ge.data[i * c + k] !== gt.data[i * c + k]) same = false;
    if (same) agree++;
  }
  return count ? agree / count : 1;
}
