// The picture area: one canvas the size of the view (never the size of the image), with a
// zoom/pan transform from image pixels to canvas pixels. Large images are scaled, not resampled.

/** Zoom limits relative to 1 image pixel = 1 CSS pixel. */
const MIN_SCALE = 1 / 64;
const MAX_SCALE = 64;

/** Transform image pixels <-> CSS pixels of the canvas: client = image * scale + offset. */
export class View {
  scale = 1;
  ox = 0;
  oy = 0;
  constructor(readonly canvas: HTMLCanvasElement, public imageWidth: number, public imageHeight: number) {}

  /** CSS size of the canvas. */
  get size(): { width: number; height: number } {
    const r = this.canvas.getBoundingClientRect();
    return { width: r.width, height: r.height };
  }

  /** Match the canvas's pixel buffer to its CSS size and the device pixel ratio. */
  resize(): void {
    const { width, height } = this.size;
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(width * dpr));
    const h = Math.max(1, Math.round(height * dpr));
    if (this.canvas.width !== w || this.canvas.height !== h) [this.canvas.width, this.canvas.height] = [w, h];
  }

  /** Fit the whole image, centred, with a small margin. */
  fit(): void {
    const { width, height } = this.size;
    const margin = 16;
    this.scale = Math.min((width - 2 * margin) / this.imageWidth, (height - 2 * margin) / this.imageHeight);
    this.scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, this.scale));
    this.ox = (width - this.imageWidth * this.scale) / 2;
    this.oy = (height - this.imageHeight * this.scale) / 2;
  }

  /** Zoom by `factor` keeping the image point under (cx, cy) in place. */
  zoomAt(cx: number, cy: number, factor: number): void {
    const next = Math.min(MAX_SCALE, Math.max(MIN_SCALE, this.scale * factor));
    const [ix, iy] = this.toImage(cx, cy);
    this.scale = next;
    this.ox = cx - ix * next;
    this.oy = cy - iy * next;
  }

  pan(dx: number, dy: number): void {
    this.ox += dx;
    this.oy += dy;
  }

  /** Canvas CSS pixel -> image pixel coordinates. */
  toImage(cx: number, cy: number): [number, number] {
    return [(cx - this.ox) / this.scale, (cy - this.oy) / this.scale];
  }

  /** Image pixel coordinates -> canvas CSS pixel. */
  toClient(x: number, y: number): [number, number] {
    return [x * this.scale + this.ox, y * this.scale + this.oy];
  }

  /** Canvas CSS pixel of a mouse event. */
  eventPoint(e: MouseEvent): [number, number] {
    const r = this.canvas.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  }

  /** A 2D context drawing in image pixels (for the picture and the overlay). */
  imageContext(): CanvasRenderingContext2D {
    const ctx = this.canvas.getContext('2d')!;
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(dpr * this.scale, 0, 0, dpr * this.scale, dpr * this.ox, dpr * this.oy);
    return ctx;
  }

  /** A 2D context drawing in CSS pixels (for outlines, handles and arrows). */
  clientContext(): CanvasRenderingContext2D {
    const ctx = this.canvas.getContext('2d')!;
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    return ctx;
  }
}
