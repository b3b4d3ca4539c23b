// A raster guidance map (e.g. a predictor sample) as editable labelme polygons: the outline of
// every connected region of one code, traced along pixel edges and ordered so that painting the
// polygons with labelmeToGuidance gives back exactly the same map. Pure: no I/O.
import { codeIndex } from './direction-vocabulary.js';
import type { LabelmeShape } from './labelme.js';
import type { GuidanceMap } from './types.js';

/** One traced region: its code, pixel count and outline (pixel corners, clockwise on screen). */
export interface TracedRegion {
  readonly code: number[];
  readonly pixels: number;
  readonly outline: [number, number][];
}

/** 4-connected components of equal codes: a component id per pixel, and per component its first pixel and size. */
function labelComponents(keys: Int32Array, width: number, height: number): { ids: Int32Array; first: number[]; sizes: number[] } {
  const ids = new Int32Array(width * height).fill(-1);
  const first: number[] = [];
  const sizes: number[] = [];
  const stack = new Int32Array(width * height);
  for (let start = 0; start < ids.length; start++) {
    if (ids[start] !== -1) continue;
    const id = first.length;
    const key = keys[start]!;
    let top = 0;
    let size = 0;
    stack[top++] = start;
    ids[start] = id;
    while (top > 0) {
      const p = stack[--top]!;
      size++;
      const x = p % width;
      const visit = (q: number) => {
        if (ids[q] === -1 && keys[q] === key) {
          ids[q] = id;
          stack[top++] = q;
        }
      };
      if (x > 0) visit(p - 1);
      if (x < width - 1) visit(p + 1);
      if (p >= width) visit(p - width);
      if (p < ids.length - width) visit(p + width);
    }
    first.push(start); // raster order: the first pixel met is the component's top-left one
    sizes.push(size);
  }
  return { ids, first, sizes };
}

/**
 * Outer outline of component `id`, starting on the top edge of its top-left pixel and keeping the
 * component on the right (clockwise on screen). At a corner where the component only touches
 * itself diagonally the outline turns right, so components are 4-connected and the outline encloses
 * the component and the holes that are closed off from the outside. Only corners are kept.
 */
function traceOutline(ids: Int32Array, width: number, height: number, id: number, firstPixel: number): [number, number][] {
  const inside = (px: number, py: number) => px >= 0 && py >= 0 && px < width && py < height && ids[py * width + px] === id;
  const x0 = firstPixel % width;
  const y0 = Math.floor(firstPixel / width);
  const outline: [number, number][] = [[x0, y0]];
  let [cx, cy, dx, dy] = [x0 + 1, y0, 1, 0];
  for (;;) {
    // Pixels ahead of corner (cx, cy): right of the direction (dx, dy) and left of it (y down).
    const rx = -dy;
    const ry = dx;
    const aheadRight = inside(Math.floor(cx + (dx + rx) / 2), Math.floor(cy + (dy + ry) / 2));
    const aheadLeft = inside(Math.floor(cx + (dx - rx) / 2), Math.floor(cy + (dy - ry) / 2));
    let [nx, ny] = [dx, dy];
    if (!aheadRight) [nx, ny] = [rx, ry];
    else if (aheadLeft) [nx, ny] = [-rx, -ry];
    if (cx === x0 && cy === y0 && nx === 1 && ny === 0) return outline;
    if (nx !== dx || ny !== dy) outline.push([cx, cy]);
    [dx, dy] = [nx, ny];
    cx += dx;
    cy += dy;
  }
}

/** Area enclosed by a polygon (shoelace, absolute). */
function polygonArea(points: readonly (readonly [number, number])[]): number {
  let s = 0;
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) s += points[j]![0] * points[i]![1] - points[i]![0] * points[j]![1];
  return Math.abs(s) / 2;
}

/**
 * The regions of a guidance map as outlines in painting order: every 4-connected region of one
 * code except the static regions that touch the image border (the background), largest
 * enclosed area first. A region enclosed by another is painted after it, so painting the
 * outlines in order (later wins) reproduces the map exactly.
 */
export function traceGuidanceRegions(g: GuidanceMap): TracedRegion[] {
  const { width, height, channels: c } = g;
  const n = width * height;
  const keys = new Int32Array(n);
  for (let i = 0; i < n; i++) keys[i] = codeIndex(g.data.subarray(i * c, i * c + c));
  const staticKey = codeIndex(new Array<number>(c).fill(0));
  const { ids, first, sizes } = labelComponents(keys, width, height);
  const touchesBorder = new Uint8Array(first.length);
  for (let x = 0; x < width; x++) touchesBorder[ids[x]!] = touchesBorder[ids[n - width + x]!] = 1;
  for (let y = 0; y < height; y++) touchesBorder[ids[y * width]!] = touchesBorder[ids[y * width + width - 1]!] = 1;
  const regions: (TracedRegion & { area: number })[] = [];
  first.forEach((p, id) => {
    if (keys[p] === staticKey && touchesBorder[id]) return;
    const outline = traceOutline(ids, width, height, id, p);
    const code = Array.from(g.data.subarray(p * c, p * c + c));
    regions.push({ code, pixels: sizes[id]!, outline, area: polygonArea(outline) });
  });
  regions.sort((a, b) => b.area - a.area);
  return regions.map(({ code, pixels, outline }) => ({ code, pixels, outline }));
}

/** Traced regions as labelme polygons, labelled by `labelOf(code)`. */
export function regionsToShapes(regions: readonly TracedRegion[], labelOf: (code: readonly number[]) => string): LabelmeShape[] {
  return regions.map((r) => ({ label: labelOf(r.code), shapeType: 'polygon', points: r.outline }));
}
