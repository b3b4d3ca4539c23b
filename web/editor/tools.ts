// Mouse interaction on the view: drawing polygons (click points, click the first point or press
// Enter to close), editing (select, drag vertices or whole regions, double-click an edge to add a
// vertex), and zoom (wheel) / pan (drag the background, middle button, or Space + drag).
import { HANDLE } from './render.js';
import type { Region } from './protocol.js';
import type { EditorState } from './state.js';
import type { View } from './view.js';

export type Mode = 'draw' | 'edit';

/** What the tools need from the page. */
export interface ToolHost {
  readonly view: View;
  readonly state: EditorState;
  mode: Mode;
  /** Label given to a new polygon. */
  currentLabel(): string;
  /** Redraw (cursor moved, view changed). */
  redraw(): void;
  setCursor(p: [number, number] | null): void;
  spaceHeld(): boolean;
}

/** Distance (CSS pixels) within which a click hits a vertex or closes a polygon. */
const HIT = HANDLE + 4;

/** Even-odd point-in-polygon test (image pixels); rectangles and circles by their own rule. */
export function contains(r: Region, x: number, y: number): boolean {
  const p = r.points;
  if (r.shapeType === 'circle' && p.length === 2) return Math.hypot(x - p[0]![0], y - p[0]![1]) <= Math.hypot(p[1]![0] - p[0]![0], p[1]![1] - p[0]![1]);
  if (r.shapeType === 'rectangle' && p.length === 2) {
    return x >= Math.min(p[0]![0], p[1]![0]) && x < Math.max(p[0]![0], p[1]![0]) && y >= Math.min(p[0]![1], p[1]![1]) && y < Math.max(p[0]![1], p[1]![1]);
  }
  let inside = false;
  for (let i = 0, j = p.length - 1; i < p.length; j = i++) {
    const [xi, yi] = p[i]!;
    const [xj, yj] = p[j]!;
    if (yi > y !== yj > y && x < xi + ((y - yi) * (xj - xi)) / (yj - yi)) inside = !inside;
  }
  return inside;
}

/** Close the polygon being drawn (3 points or more) as a new, selected region. */
export function closeDrawing(host: ToolHost): boolean {
  const { state } = host;
  const pts = state.drawing;
  if (!pts || pts.length < 3) return false;
  state.drawing = null;
  state.edit((regions) => regions.push({ label: host.currentLabel(), shapeType: 'polygon', points: pts }));
  state.selection = { region: state.regions.length - 1, vertex: null };
  state.changed();
  return true;
}

/** Attach the mouse handlers to the view's canvas. */
export function attachTools(host: ToolHost): void {
  const { view, state } = host;
  const canvas = view.canvas;
  let drag: { kind: 'pan' | 'vertex' | 'region'; last: [number, number]; moved: boolean } | null = null;

  const vertexAt = (c: [number, number]): [number, number] | null => {
    const order = state.selection.region === null ? [] : [state.selection.region];
    for (const i of order) {
      const k = state.regions[i]!.points.findIndex(([x, y]) => {
        const [hx, hy] = view.toClient(x, y);
        return Math.hypot(hx - c[0], hy - c[1]) <= HIT;
      });
      if (k >= 0) return [i, k];
    }
    return null;
  };
  const regionAt = (c: [number, number]): number | null => {
    const [x, y] = view.toImage(...c);
    for (let i = state.regions.length - 1; i >= 0; i--) if (contains(state.regions[i]!, x, y)) return i;
    return null;
  };

  canvas.addEventListener('mousedown', (e) => {
    const c = view.eventPoint(e);
    if (e.button === 1 || (e.button === 0 && host.spaceHeld())) {
      drag = { kind: 'pan', last: c, moved: false };
      e.preventDefault();
      return;
    }
    if (e.button !== 0) return;
    if (host.mode === 'draw') {
      const pts = state.drawing;
      if (pts && pts.length >= 3) {
        const [fx, fy] = view.toClient(...pts[0]!);
        if (Math.hypot(fx - c[0], fy - c[1]) <= HIT) {
          closeDrawing(host);
          return;
        }
      }
      state.drawing = [...(pts ?? []), view.toImage(...c)];
      state.changed();
      return;
    }
    const v = vertexAt(c);
    if (v) {
      state.selection = { region: v[0], vertex: v[1] };
      state.beginDrag();
      drag = { kind: 'vertex', last: c, moved: false };
    } else {
      const r = regionAt(c);
      state.selection = { region: r, vertex: null };
      if (r !== null) state.beginDrag();
      drag = { kind: r === null ? 'pan' : 'region', last: c, moved: false };
    }
    state.changed();
  });

  window.addEventListener('mousemove', (e) => {
    const c = view.eventPoint(e);
    if (host.mode === 'draw') host.setCursor(c);
    if (!drag) {
      if (host.mode === 'draw' && state.drawing) host.redraw();
      return;
    }
    const dx = c[0] - drag.last[0];
    const dy = c[1] - drag.last[1];
    drag.last = c;
    drag.moved = true;
    if (drag.kind === 'pan') {
      view.pan(dx, dy);
      host.redraw();
      return;
    }
    const r = state.selected;
    if (!r) return;
    if (drag.kind === 'vertex' && state.selection.vertex !== null) {
      r.points[state.selection.vertex] = view.toImage(...c);
    } else {
      for (const p of r.points) [p[0], p[1]] = [p[0] + dx / view.scale, p[1] + dy / view.scale];
    }
    state.changed();
  });

  window.addEventListener('mouseup', () => {
    if (drag && !drag.moved && drag.kind !== 'pan') state.dropLastStep(); // a click, not a drag: nothing to undo
    drag = null;
  });

  canvas.addEventListener('dblclick', (e) => {
    if (host.mode !== 'edit' || !state.selected) return;
    const c = view.eventPoint(e);
    const pts = state.selected.points;
    if (state.selected.shapeType !== 'polygon') return;
    // Insert a vertex on the nearest edge (within HIT CSS pixels).
    let best = -1;
    let bestD = HIT;
    pts.forEach((a, i) => {
      const [ax, ay] = view.toClient(...a);
      const [bx, by] = view.toClient(...pts[(i + 1) % pts.length]!);
      const len2 = (bx - ax) ** 2 + (by - ay) ** 2 || 1;
      const t = Math.max(0, Math.min(1, ((c[0] - ax) * (bx - ax) + (c[1] - ay) * (by - ay)) / len2));
      const d = Math.hypot(ax + t * (bx - ax) - c[0], ay + t * (by - ay) - c[1]);
      if (d < bestD) [best, bestD] = [i, d];
    });
    if (best < 0) return;
    const at = best + 1;
    state.edit(() => pts.splice(at, 0, view.toImage(...c)));
    state.selection.vertex = at;
    state.changed();
  });

  canvas.addEventListener('wheel', (e) => {
    e.preventDefault();
    view.zoomAt(...view.eventPoint(e), Math.exp(-e.deltaY * 0.0015));
    host.redraw();
  }, { passive: false });
}
