// Direction arrows: on the canvas (a region's direction at its centre) and as small SVG icons
// for the direction buttons, both in the direction's guidance colour.
import type { DirectionInfo } from './protocol.js';

/** CSS colour of an RGB triple. */
export function cssColour(c: readonly [number, number, number]): string {
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

/**
 * Draw an arrow of `length` CSS pixels centred on (x, y) pointing at screen angle `angle`
 * (0 = right, 90 = up), or a ring for static (angle null), with a white and black halo to read on
 * any picture and on its own colour; `weight` is the width of the coloured line.
 */
export function drawArrow(ctx: CanvasRenderingContext2D, x: number, y: number, angle: number | null, colour: string, length = 36, weight = 3): void {
  ctx.save();
  ctx.translate(x, y);
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  if (angle !== null) ctx.rotate((-angle * Math.PI) / 180);
  for (const [style, width] of [['rgba(0,0,0,0.8)', 3 * weight], ['#ffffff', 2 * weight], [colour, weight]] as const) {
    ctx.strokeStyle = style;
    ctx.lineWidth = width;
    ctx.beginPath();
    if (angle === null) {
      ctx.arc(0, 0, length / 4, 0, 2 * Math.PI);
    } else {
      const h = length / 2;
      ctx.moveTo(-h, 0);
      ctx.lineTo(h, 0);
      ctx.moveTo(h - length / 4, -length / 5);
      ctx.lineTo(h, 0);
      ctx.lineTo(h - length / 4, length / 5);
    }
    ctx.stroke();
  }
  ctx.restore();
}

const SVG = 'http://www.w3.org/2000/svg';

/** A 24x24 SVG icon of a direction (static: a ring). Static black is drawn grey to show on dark UI. */
export function arrowIcon(d: DirectionInfo): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '-12 -12 24 24');
  svg.setAttribute('width', '24');
  svg.setAttribute('height', '24');
  const colour = d.angle === null ? '#9aa0a6' : cssColour(d.colour);
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', d.angle === null ? 'M 6 0 A 6 6 0 1 1 -6 0 A 6 6 0 1 1 6 0' : 'M -9 0 L 9 0 M 3 -5 L 9 0 L 3 5');
  if (d.angle !== null) path.setAttribute('transform', `rotate(${-d.angle})`);
  path.setAttribute('fill', 'none');
  path.setAttribute('stroke', colour);
  path.setAttribute('stroke-width', '3');
  path.setAttribute('stroke-linecap', 'round');
  path.setAttribute('stroke-linejoin', 'round');
  svg.append(path);
  return svg;
}
