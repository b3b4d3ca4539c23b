// Draw one view: the picture (blurry image or animation frame), the guidance overlay, the known
// motion's arrows, the regions' outlines with their arrows, the selected region's vertices and the
// polygon being drawn.
import { cssColour, drawArrow } from './arrows.js';
import { drawMotionArrows, type DrawnArrow } from './motion-arrows.js';
import type { DirectionInfo, MotionArrows, Region } from './protocol.js';
import type { EditorState } from './state.js';
import type { View } from './view.js';

/** Everything a frame of the view shows. */
export interface Scene {
  picture: CanvasImageSource | null;
  overlay: CanvasImageSource | null;
  overlayOpacity: number;
  showRegions: boolean;
  /** Per region, its direction (colour and arrow), when known. */
  directions: (DirectionInfo | undefined)[];
  /** Cursor position while drawing (CSS pixels), for the rubber band. */
  cursor: [number, number] | null;
  /** The known motion as arrows (null: none, or hidden), coloured by `quadrants` (the 4-direction vocabulary). */
  arrows: MotionArrows | null;
  quadrants: readonly DirectionInfo[];
}

/** Vertex handle radius in CSS pixels. */
export const HANDLE = 5;

/** Centre of a region for its arrow (vertex mean; the centre of a rectangle or circle). */
export function regionCentre(r: Region): [number, number] {
  if (r.shapeType === 'circle') return r.points[0]!;
  let x = 0;
  let y = 0;
  for (const p of r.points) [x, y] = [x + p[0], y + p[1]];
  return [x / r.points.length, y / r.points.length];
}

/** Outline of a region in CSS pixels: polygon vertices, rectangle corners or a circle. */
function tracePath(ctx: CanvasRenderingContext2D, view: View, r: Region): void {
  ctx.beginPath();
  if (r.shapeType === 'circle' && r.points.length === 2) {
    const [cx, cy] = view.toClient(...r.points[0]!);
    const [px, py] = view.toClient(...r.points[1]!);
    ctx.arc(cx, cy, Math.hypot(px - cx, py - cy), 0, 2 * Math.PI);
    return;
  }
  let pts = r.points;
  if (r.shapeType === 'rectangle' && pts.length === 2) {
    const [[x0, y0], [x1, y1]] = pts as [[number, number], [number, number]];
    pts = [[x0, y0], [x1, y0], [x1, y1], [x0, y1]];
  }
  pts.forEach(([x, y], i) => {
    const [cx, cy] = view.toClient(x, y);
    if (i === 0) ctx.moveTo(cx, cy);
    else ctx.lineTo(cx, cy);
  });
  ctx.closePath();
}

/** Render the scene; returns the motion arrows drawn. */
export function render(view: View, state: EditorState, scene: Scene): DrawnArrow[] {
  view.resize();
  const base = view.clientContext();
  base.fillStyle = '#1b1d21';
  base.fillRect(0, 0, view.canvas.width, view.canvas.height);
  const img = view.imageContext();
  img.imageSmoothingEnabled = view.scale < 2; // show pixels when zoomed in
  if (scene.picture) img.drawImage(scene.picture, 0, 0, view.imageWidth, view.imageHeight);
  if (scene.overlay && scene.overlayOpacity > 0) {
    img.globalAlpha = scene.overlayOpacity;
    img.drawImage(scene.overlay, 0, 0, view.imageWidth, view.imageHeight);
    img.globalAlpha = 1;
  }
  const ctx = view.clientContext();
  const arrows = scene.arrows ? drawMotionArrows(ctx, view, scene.arrows, scene.quadrants) : [];
  if (scene.showRegions) {
    state.regions.forEach((r, i) => {
      const d = scene.directions[i];
      const colour = d && d.angle !== null ? cssColour(d.colour) : '#e8eaed';
      const selected = state.selection.region === i;
      tracePath(ctx, view, r);
      ctx.lineWidth = selected ? 4 : 3;
      ctx.strokeStyle = 'rgba(0,0,0,0.7)';
      ctx.stroke();
      ctx.lineWidth = selected ? 2.5 : 1.5;
      ctx.strokeStyle = selected ? '#ffffff' : colour;
      ctx.stroke();
      const [cx, cy] = view.toClient(...regionCentre(r));
      drawArrow(ctx, cx, cy, d ? d.angle : null, d ? (d.angle === null ? '#e8eaed' : cssColour(d.colour)) : '#ff00ff');
      if (selected) {
        r.points.forEach(([x, y], k) => {
          const [hx, hy] = view.toClient(x, y);
          ctx.beginPath();
          ctx.arc(hx, hy, HANDLE, 0, 2 * Math.PI);
          ctx.fillStyle = state.selection.vertex === k ? '#ffcc00' : '#ffffff';
          ctx.fill();
          ctx.lineWidth = 1.5;
          ctx.strokeStyle = '#000000';
          ctx.stroke();
        });
      }
    });
  }
  if (state.drawing && state.drawing.length > 0) {
    ctx.beginPath();
    state.drawing.forEach(([x, y], i) => {
      const [cx, cy] = view.toClient(x, y);
      if (i === 0) ctx.moveTo(cx, cy);
      else ctx.lineTo(cx, cy);
    });
    if (scene.cursor) ctx.lineTo(...scene.cursor);
    ctx.lineWidth = 2;
    ctx.strokeStyle = '#ffcc00';
    ctx.setLineDash([6, 4]);
    ctx.stroke();
    ctx.setLineDash([]);
    for (const [x, y] of state.drawing) {
      const [cx, cy] = view.toClient(x, y);
      ctx.fillStyle = '#ffcc00';
      ctx.fillRect(cx - 3, cy - 3, 6, 6);
    }
  }
  return arrows;
}
