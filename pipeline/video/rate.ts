// Output timing of the 7x pipeline: exact rational rates and output frame numbering. Pure.
import type { Rational } from '../math/types.js';

/** Sharp frames recovered from each blurry frame. */
export const FRAMES_OUT_PER_IN = 7;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return Math.abs(a);
}

/** Output frame rate: exactly 7 x the input rate (same duration), or the input rate with slow motion (7x longer). */
export function outputRate(input: Rational, slowmo = false): Rational {
  if (slowmo) return input;
  const num = input.num * FRAMES_OUT_PER_IN;
  const g = gcd(num, input.den);
  return { num: num / g, den: input.den / g };
}

/** Number of output frame j (0..6) of input frame i: n = 7i + j. */
export function outputIndex(i: number, j: number): number {
  return FRAMES_OUT_PER_IN * i + j;
}

/** "210000/1001" style text of a rate. */
export function rateText(r: Rational): string {
  return r.den === 1 ? `${r.num}` : `${r.num}/${r.den}`;
}
