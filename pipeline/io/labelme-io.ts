// Read a labelme JSON annotation into a guidance map (see pipeline/math/labelme.ts for the rules).
import { readFile } from 'node:fs/promises';
import { InputError } from '../errors.js';
import type { DirectionCount } from '../math/guidance.js';
import { labelmeToGuidance, type LabelmeShape } from '../math/labelme.js';
import type { GuidanceMap } from '../math/types.js';

/** Parse labelme JSON text: its shapes and image size; TypeError naming the malformed field. */
export function parseLabelme(text: string): { shapes: LabelmeShape[]; width?: number; height?: number } {
  const doc = JSON.parse(text) as { shapes?: unknown; imageWidth?: unknown; imageHeight?: unknown };
  if (typeof doc !== 'object' || doc === null || !Array.isArray(doc.shapes)) throw new TypeError('labelme JSON must be an object with a "shapes" array');
  const shapes = doc.shapes.map((raw: unknown, i: number): LabelmeShape => {
    const s = raw as { label?: unknown; points?: unknown; shape_type?: unknown };
    if (typeof s !== 'object' || s === null || typeof s.label !== 'string') throw new TypeError(`shape ${i} has no string "label"`);
    const points = s.points;
    if (!Array.isArray(points) || !points.every((p) => Array.isArray(p) && p.length === 2 && p.every((v) => typeof v === 'number' && Number.isFinite(v)))) {
      throw new TypeError(`shape ${i} ("${s.label}") needs "points" as [[x, y], ...] numbers`);
    }
    const shapeType = s.shape_type === undefined || s.shape_type === null ? 'polygon' : String(s.shape_type);
    return { label: s.label, points: points as [number, number][], shapeType };
  });
  const size = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined);
  const width = size(doc.imageWidth);
  const height = size(doc.imageHeight);
  return { shapes, ...(width ? { width } : {}), ...(height ? { height } : {}) };
}

/**
 * Guidance from a labelme JSON file. The grid is the file's imageWidth x imageHeight unless
 * `width`/`height` are given. InputError for unreadable/malformed files; InvalidOptionError
 * (naming the shape index) for unknown labels or unsupported shapes.
 */
export async function readLabelmeGuidance(path: string, options: { directions?: DirectionCount; width?: number; height?: number } = {}): Promise<GuidanceMap> {
  let parsed: ReturnType<typeof parseLabelme>;
  try {
    parsed = parseLabelme(await readFile(path, 'utf8'));
  } catch (cause) {
    throw new InputError(path, `Cannot read labelme annotation (${(cause as Error).message})`, { cause });
  }
  const width = options.width ?? parsed.width;
  const height = options.height ?? parsed.height;
  if (!width || !height) throw new InputError(path, 'labelme annotation has no imageWidth/imageHeight and no size was given');
  return labelmeToGuidance(parsed.shapes, width, height, options.directions ?? 4);
}
