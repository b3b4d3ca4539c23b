// Exact rational frame rates (30000/1001, 7 x that...) as ffmpeg reads and writes them. Pure.
import type { Rational } from './types.js';

function gcd(a: number, b: number): number {
  a = Math.abs(a);
  b = Math.abs(b);
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Reduce a rational to lowest terms with a positive denominator. */
export function reduceRational(r: Rational): Rational {
  if (!Number.isInteger(r.num) || !Number.isInteger(r.den) || r.den === 0) throw new RangeError(`Invalid rational ${r.num}/${r.den}`);
  const g = gcd(r.num, r.den) || 1;
  const sign = r.den < 0 ? -1 : 1;
  return { num: (sign * r.num) / g, den: (sign * r.den) / g };
}

/** Parse "30000/1001", "30" or "29.97" into an exact rational; undefined for "0/0" and junk. */
export function parseRational(text: string | undefined): Rational | undefined {
  if (!text) return undefined;
  const m = /^\s*(\d+)\s*(?:[/:]\s*(\d+))?\s*$/.exec(text);
  if (m) {
    const num = Number(m[1]);
    const den = m[2] === undefined ? 1 : Number(m[2]);
    if (den === 0 || num === 0) return undefined;
    return reduceRational({ num, den });
  }
  const d = /^\s*(\d+)\.(\d{1,6})\s*$/.exec(text);
  if (!d) return undefined;
  const den = 10 ** d[2]!.length;
  const num = Number(d[1]) * den + Number(d[2]);
  return num === 0 ? undefined : reduceRational({ num, den });
}

/** "30000/1001" (the form ffmpeg accepts for -r/-framerate). */
export function formatRational(r: Rational): string {
  return `${r.num}/${r.den}`;
}

/** r * k, reduced (e.g. 7 x 30000/1001 = 210000/1001). */
export function scaleRational(r: Rational, k: number): Rational {
  return reduceRational({ num: r.num * k, den: r.den });
}

/** Decimal value of a rational. */
export function rationalToNumber(r: Rational): number {
  return r.num / r.den;
}
