// Read a labelme JSON annotation into a guidance map (see pipeline/math/labelme.ts for the rules).
import { readFile } from 'node:fs/promises';
import { FormatError, InputError, InvalidOptionError } from '../errors.js';
import type { DirectionCount } from '../math/guidance.js';
import { labelmeToGuidance, type LabelmeShape } from '../math/labelme.js';
import type { GuidanceMap } from '../math/types.js';

/** Largest imageWidth/imageHeight accepted (a garbage header must not make afb rasterise gigapixels). */
export const MAX_LABELME_SIDE = 16384;

/** Parse labelme JSON text: its shapes and image size; FormatError naming the malformed field. */
export function parseLabelme(text: string): { shapes: LabelmeShape[]; width?: number; height?: number } {
  const fail = (detail: string) => new FormatError('labelme', detail);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (cause) {
    throw new FormatError('labelme', `not valid JSON (${(cause as Error).message})`, { cause });
  }
  if (typeof doc !== 'object' || doc === null || !Array.isArray((doc as { shapes?: unknown }).shapes)) throw fail('labelme JSON must be an object with a "shapes" array');
  const { shapes: rawShapes, imageWidth, imageHeight } = doc as { shapes: unknown[]; imageWidth?: unknown; imageHeight?: unknown };
  const shapes = rawShapes.map((raw: unknown, i: number): LabelmeShape => {
    const s = raw as { label?: unknown; points?: unknown; shape_type?: unknown };
    if (typeof s !== 'object' || s === null || typeof s.label !== 'string') throw fail(`shape ${i} has no string "label"`);
    const points = s.points;
    if (!Array.isArray(points) || !points.every((p) => Array.isArray(p) && p.length === 2 && p.every((v) => typeof v === 'number' && Number.isFinite(v)))) {
      throw fail(`shape ${i} (${JSON.stringify(s.label.slice(0, 40))}) needs "points" as [[x, y], ...] finite numbers`);
    }
    const shapeType = s.shape_type === undefined || s.shape_type === null ? 'polygon' : String(s.shape_type);
    return { label: s.label, points: points as [number, number][], shapeType };
  });
  const size = (key: string, v: unknown): number | undefined => {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_LABELME_SIDE) throw fail(`"${key}" must be an integer in [1, ${MAX_LABELME_SIDE}], found ${JSON.stringify(v)?.slice(0, 40)}`);
    return v;
  };
  const width = size('imageWidth', imageWidth);
  const height = size('imageHeight', imageHeight);
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
    const reason = cause instanceof FormatError ? cause.message : `cannot read it: ${(cause as Error).message}`;
    if (!(cause instanceof FormatError) && !(cause as NodeJS.ErrnoException).code) throw cause;
    throw new InputError(path, `Cannot read labelme annotation (${reason})`, { cause });
  }
  const width = options.width ?? parsed.width;
  const height = options.height ?? parsed.height;
  if (!width || !height) throw new InputError(path, 'labelme annotation has no imageWidth/imageHeight and no size was given');
  try {
    return labelmeToGuidance(parsed.shapes, width, height, options.directions ?? 4);
  } catch (cause) {
    // A bad label or shape: the same error, naming the file as well as the shape.
    if (cause instanceof InvalidOptionError) throw new InvalidOptionError(`${cause.option} in ${path}`, cause.expected, cause.value, cause.kind);
    throw cause;
  }
}

/** Where a labelme file's image is and how big it is. */
export interface LabelmeImageInfo {
  /** The image path relative to the JSON file's folder (labelme resolves it from there). */
  readonly imagePath: string;
  readonly width: number;
  readonly height: number;
}

/**
 * labelme JSON text for shapes: every key labelme's LabelFile.load reads (imageData null, so it
 * loads the image from imagePath), shapes with labelme's own fields; parseLabelme reads it back.
 */
export function formatLabelme(shapes: readonly LabelmeShape[], image: LabelmeImageInfo): string {
  const doc = {
    version: '5.1.1', // the labelme file format written (labelme 5.x)
    flags: {},
    shapes: shapes.map((s) => ({ label: s.label, points: s.points, group_id: null, description: '', shape_type: s.shapeType, flags: {} })),
    imagePath: image.imagePath,
    imageData: null,
    imageHeight: image.height,
    imageWidth: image.width,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
