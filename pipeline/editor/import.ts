// Import: a labelme annotation as editable regions on this image (points scaled when the file was
// made on a copy of another size), checked by the same rules as `afb guidance --labelme`.
import type { ImportResult, Region } from '../../web/editor/protocol.js';
import { parseLabelme } from '../io/labelme-io.js';
import { HttpError } from './http-util.js';
import { rasteriseRegions } from './requests.js';

/** Regions of labelme JSON text for a width x height image; HttpError 400 naming what is wrong. */
export function importRegions(text: string, width: number, height: number): ImportResult {
  let parsed: ReturnType<typeof parseLabelme>;
  try {
    parsed = parseLabelme(text);
  } catch (cause) {
    throw new HttpError(400, `Not a labelme annotation (${(cause as Error).message})`);
  }
  const sx = parsed.width ? width / parsed.width : 1;
  const sy = parsed.height ? height / parsed.height : 1;
  const regions: Region[] = parsed.shapes.map((s) => ({
    label: s.label,
    shapeType: s.shapeType,
    points: s.points.map(([x, y]) => [x * sx, y * sy] as [number, number]),
  }));
  rasteriseRegions(regions, 1, 1, 4); // every label and shape checked by the CLI's own rules (a 1x1 grid is enough)
  return { regions, scale: sx !== 1 || sy !== 1 ? [sx, sy] : null };
}
