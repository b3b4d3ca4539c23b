// Validation of the editor's JSON request bodies: anything malformed is an HttpError 400 that
// names the bad field and value, before any work starts.
import type { Directions, GuidanceRequest, Region, SuggestRequest } from '../../web/editor/protocol.js';
import { AfbError, formatValue } from '../errors.js';
import { labelmeToGuidance, type LabelmeShape } from '../math/labelme.js';
import type { MotionField } from '../math/motion/motion-field.js';
import { overrideMotion } from '../math/motion/override.js';
import type { GuidanceMap } from '../math/types.js';
import { HttpError } from './http-util.js';

/** Most regions and points accepted in one request (far beyond hand-drawn or traced annotations). */
const MAX_REGIONS = 20_000;
const MAX_POINTS = 200_000;

function bad(field: string, expected: string, value: unknown): HttpError {
  return new HttpError(400, `Expected ${expected} for ${field} but received ${formatValue(value)}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A direction count: 2, 4, 8 or 16. */
export function parseDirections(raw: unknown): Directions {
  if (raw !== 2 && raw !== 4 && raw !== 8 && raw !== 16) throw bad('directions', 'one of 2, 4, 8, 16', raw);
  return raw;
}

/** Regions: label strings, [x, y] points of finite numbers, a shape type. Labels are checked by shapesOf. */
export function parseRegions(raw: unknown): Region[] {
  if (!Array.isArray(raw) || raw.length > MAX_REGIONS) throw bad('regions', `an array of at most ${MAX_REGIONS} regions`, raw);
  let total = 0;
  return raw.map((r: unknown, i) => {
    if (!isObject(r)) throw bad(`regions[${i}]`, 'an object', r);
    const { label, points, shapeType } = r;
    if (typeof label !== 'string' || label.length > 200) throw bad(`regions[${i}].label`, 'a string', label);
    if (shapeType !== 'polygon' && shapeType !== 'rectangle' && shapeType !== 'circle') throw bad(`regions[${i}].shapeType`, 'polygon, rectangle or circle', shapeType);
    if (!Array.isArray(points) || !points.every((p) => Array.isArray(p) && p.length === 2 && p.every((v) => typeof v === 'number' && Number.isFinite(v)))) {
      throw bad(`regions[${i}].points`, '[[x, y], ...] finite numbers', points);
    }
    total += points.length;
    if (total > MAX_POINTS) throw bad('regions', `at most ${MAX_POINTS} points in all`, total);
    return { label, shapeType, points: points.map((p: number[]) => [p[0]!, p[1]!] as [number, number]) };
  });
}

/** The body of api/guidance, api/animate and api/export. */
export function parseGuidanceRequest(raw: unknown): GuidanceRequest {
  if (!isObject(raw)) throw bad('the request body', 'an object { regions, directions }', raw);
  return { regions: parseRegions(raw['regions']), directions: parseDirections(raw['directions']) };
}

/** The body of api/suggest: 1 to 64 samples, a seed in [0, 2^31). */
export function parseSuggestRequest(raw: unknown): SuggestRequest {
  if (!isObject(raw)) throw bad('the request body', 'an object { count, seed }', raw);
  const { count, seed } = raw;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 64) throw bad('count', 'an integer from 1 to 64', count);
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed >= 2 ** 31) throw bad('seed', 'an integer from 0 to 2^31 - 1', seed);
  return { count, seed };
}

/** Regions as labelme shapes. */
export function shapesOf(regions: readonly Region[]): LabelmeShape[] {
  return regions.map((r) => ({ label: r.label, points: r.points, shapeType: r.shapeType }));
}

/** `f()`, with an AfbError (a bad label or shape, named by the labelme rules) as a 400. */
function asBadRequest<T>(f: () => T): T {
  try {
    return f();
  } catch (error) {
    if (error instanceof AfbError) throw new HttpError(400, error.message);
    throw error;
  }
}

/**
 * Rasterise regions with the labelme rules (pipeline/math/labelme.ts): the same code as
 * `afb guidance --labelme`. An unknown label or a shape with too few points is a 400 naming it.
 */
export function rasteriseRegions(regions: readonly Region[], width: number, height: number, directions: Directions): GuidanceMap {
  return asBadRequest(() => labelmeToGuidance(shapesOf(regions), width, height, directions));
}

/** A known motion with the regions overriding it (pipeline/math/motion/override.ts); errors as rasteriseRegions. */
export function overrideRegions(motion: MotionField, regions: readonly Region[]): MotionField {
  return asBadRequest(() => overrideMotion(motion, shapesOf(regions)));
}
