// The directions a user can give a region, per direction count (2, 4, 8, 16): one labelme label
// per distinct guidance code, the screen angle of its arrow and its overlay colour. Pure: no I/O.
import { flowToColour, GUIDANCE_COLOURS } from './guidance-colour.js';
import { channelsForDirections, type DirectionCount } from './guidance.js';
import { labelToCode, screenAngleToVector } from './labelme.js';
import type { GuidanceMap, RgbImage } from './types.js';

/** One choice of direction: its labelme label, guidance code, arrow angle and colour. */
export interface DirectionChoice {
  /** A label of the labelme vocabulary (pipeline/math/labelme.ts) that rasterises to `code`. */
  readonly label: string;
  /** Guidance code in {-1, 0, 1} (channelsForDirections(directions) values). */
  readonly code: readonly number[];
  /** Arrow angle in screen degrees (0 = right, 90 = up); null for static. */
  readonly angle: number | null;
  /** Overlay colour (8-bit RGB). */
  readonly colour: readonly [number, number, number];
}

/** The 4 quadrant labels in the order of the reference class labels 1..4 (GUIDANCE_COLOURS). */
const QUADRANTS: readonly (readonly [string, number])[] = [['up-right', 45], ['up-left', 135], ['down-left', 225], ['down-right', 315]];

/** Middlebury colour-wheel colour of a screen angle (full saturation). */
function wheelColour(angle: number): [number, number, number] {
  const [x, y] = screenAngleToVector(angle);
  const n = Math.hypot(x, y);
  const c = flowToColour({ width: 1, height: 1, data: Float32Array.of(x / n, y / n) }, 1).data;
  return [c[0]!, c[1]!, c[2]!];
}

/**
 * Every direction of a vocabulary, static first. 4 directions: the reference quadrants in the
 * reference colours. 2, 8 and 16: one arrow per sector at the sector's centre angle, in the
 * colour wheel (2: right and left; 8: 22.5 + 45k degrees; 16: 11.25 + 22.5k degrees), labelled
 * with names or `angle:D` so that labelToCode gives each its sector's code.
 */
export function directionVocabulary(directions: DirectionCount): DirectionChoice[] {
  const channels = channelsForDirections(directions);
  const out: DirectionChoice[] = [{ label: 'static', code: new Array<number>(channels).fill(0), angle: null, colour: [0, 0, 0] }];
  if (directions === 4) {
    QUADRANTS.forEach(([label, angle], k) => {
      const c = GUIDANCE_COLOURS[k + 1]!;
      out.push({ label, code: labelToCode(label, 4, 0), angle, colour: [c[0], c[1], c[2]] });
    });
    return out;
  }
  const named: Record<number, string> = { 0: 'right', 180: 'left' };
  const step = 360 / directions;
  const first = directions === 2 ? 0 : step / 2;
  for (let k = 0; k < directions; k++) {
    const angle = first + k * step;
    const label = named[angle] ?? `angle:${angle}`;
    out.push({ label, code: labelToCode(label, directions, 0), angle, colour: wheelColour(angle) });
  }
  return out;
}

/** Index of a code in a base-3 table: sum of (c_k + 1) * 3^k (at most 81 entries for 4 channels). */
export function codeIndex(code: ArrayLike<number>): number {
  let index = 0;
  for (let k = code.length - 1; k >= 0; k--) index = index * 3 + (code[k]! + 1);
  return index;
}

/** The vocabulary entry with this code, or undefined. */
export function findDirection(vocabulary: readonly DirectionChoice[], code: ArrayLike<number>): DirectionChoice | undefined {
  const key = codeIndex(code);
  return vocabulary.find((d) => d.code.length === code.length && codeIndex(d.code) === key);
}

/**
 * Paint guidance in its vocabulary's colours (for 4 directions: the reference colours, the same
 * picture as guidanceToColour). A code outside the vocabulary is painted magenta.
 */
export function paintDirections(g: GuidanceMap, vocabulary: readonly DirectionChoice[]): RgbImage {
  const table = new Uint8Array(3 ** g.channels * 3);
  for (let i = 0; i < table.length; i += 3) table.set([255, 0, 255], i);
  for (const d of vocabulary) if (d.code.length === g.channels) table.set(d.colour, codeIndex(d.code) * 3);
  const n = g.width * g.height;
  const data = new Uint8Array(n * 3);
  const c = g.channels;
  for (let i = 0; i < n; i++) {
    const t = codeIndex(g.data.subarray(i * c, i * c + c)) * 3;
    data[3 * i] = table[t]!;
    data[3 * i + 1] = table[t + 1]!;
    data[3 * i + 2] = table[t + 2]!;
  }
  return { width: g.width, height: g.height, data };
}
