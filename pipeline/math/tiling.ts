// Tiled inference maths: overlapping tiles whose size is a multiple of the model's, feathered
// (linear ramp) blending weights, reassembly normalised by the weight sum, and the automatic
// tile size from a memory budget. Pure: no I/O.

/** A tile size (width x height). */
export interface TileShape {
  readonly width: number;
  readonly height: number;
}

/** A tile: its top-left corner and size in the full frame. */
export interface TileRect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * Start positions along one axis of length `size` for tiles of length `tile` overlapping by at
 * least `overlap`: evenly spread, first at 0 and last at size - tile. One tile when size <= tile.
 */
export function axisStarts(size: number, tile: number, overlap: number): number[] {
  if (size <= tile) return [0];
  if (overlap >= tile) throw new RangeError(`Expected an overlap smaller than the tile (${tile}) but received ${overlap}`);
  const n = Math.ceil((size - overlap) / (tile - overlap));
  const count = Math.max(2, n);
  return Array.from({ length: count }, (_, i) => Math.round((i * (size - tile)) / (count - 1)));
}

/**
 * Cover a width x height frame with tiles of `tileSize` (rounded down to `multiple`) overlapping by
 * at least `overlap`. Frames no larger than the tile give one tile of the frame's size.
 */
export function planTiles(width: number, height: number, tileSize: number | TileShape, overlap: number, multiple = 4): TileRect[] {
  const shape = typeof tileSize === 'number' ? { width: tileSize, height: tileSize } : tileSize;
  const tileW = Math.floor(shape.width / multiple) * multiple;
  const tileH = Math.floor(shape.height / multiple) * multiple;
  if (tileW < multiple || tileH < multiple) throw new RangeError(`Expected a tile size >= ${multiple} but received ${shape.width}x${shape.height}`);
  const xs = axisStarts(width, tileW, overlap);
  const ys = axisStarts(height, tileH, overlap);
  const tw = Math.min(tileW, width);
  const th = Math.min(tileH, height);
  const tiles: TileRect[] = [];
  for (const y of ys) for (const x of xs) tiles.push({ x, y, width: tw, height: th });
  return tiles;
}

/**
 * Feather weights along one axis for a tile [start, start+len) among tiles at `starts`: a linear
 * ramp over the part shared with the previous tile and with the next one, 1 elsewhere; always > 0.
 */
export function featherAxis(start: number, len: number, starts: readonly number[]): Float32Array {
  const i = starts.indexOf(start);
  const prevEnd = i > 0 ? starts[i - 1]! + len : start;
  const nextStart = i >= 0 && i < starts.length - 1 ? starts[i + 1]! : start + len;
  const w = new Float32Array(len);
  for (let k = 0; k < len; k++) {
    const x = start + k;
    let v = 1;
    if (x < prevEnd) v = Math.min(v, (x - start + 0.5) / (prevEnd - start));
    if (x >= nextStart) v = Math.min(v, (start + len - x - 0.5) / (start + len - nextStart));
    w[k] = v;
  }
  return w;
}

/** Copy a tile out of an interleaved image (any typed array), keeping its type. */
export function extractTile<T extends Uint8Array | Uint16Array | Int8Array | Float32Array>(src: T, width: number, channels: number, rect: TileRect): T {
  const ctor = src.constructor as new (n: number) => T;
  const out = new ctor(rect.width * rect.height * channels);
  for (let y = 0; y < rect.height; y++) {
    const s = ((rect.y + y) * width + rect.x) * channels;
    out.set(src.subarray(s, s + rect.width * channels), y * rect.width * channels);
  }
  return out;
}

/** Blends planar tile outputs (planes x h x w) into a planar frame with feather weights. */
export class TileAccumulator {
  private readonly sum: Float32Array;
  private readonly weight: Float32Array;
  private readonly xs: number[];
  private readonly ys: number[];
  constructor(
    readonly width: number,
    readonly height: number,
    readonly planes: number,
    tiles: readonly TileRect[],
  ) {
    this.sum = new Float32Array(planes * width * height);
    this.weight = new Float32Array(width * height);
    this.xs = [...new Set(tiles.map((t) => t.x))].sort((a, b) => a - b);
    this.ys = [...new Set(tiles.map((t) => t.y))].sort((a, b) => a - b);
  }

  /** Add one tile's planar output (planes x rect.height x rect.width). */
  add(tile: Float32Array, rect: TileRect): void {
    const wx = featherAxis(rect.x, rect.width, this.xs);
    const wy = featherAxis(rect.y, rect.height, this.ys);
    const { width: W, height: H } = this;
    const tilePlane = rect.width * rect.height;
    for (let y = 0; y < rect.height; y++) {
      for (let x = 0; x < rect.width; x++) {
        const w = wx[x]! * wy[y]!;
        const d = (rect.y + y) * W + rect.x + x;
        this.weight[d] = this.weight[d]! + w;
        const s = y * rect.width + x;
        for (let p = 0; p < this.planes; p++) {
          const di = p * W * H + d;
          this.sum[di] = this.sum[di]! + w * tile[p * tilePlane + s]!;
        }
      }
    }
  }

  /** The blended frame (planes x height x width); throws when some pixel got no tile. */
  result(): Float32Array {
    const plane = this.width * this.height;
    for (let d = 0; d < plane; d++) {
      const w = this.weight[d]!;
      if (!(w > 0)) throw new RangeError(`Pixel ${d % this.width},${Math.floor(d / this.width)} is covered by no tile`);
      for (let p = 0; p < this.planes; p++) this.sum[p * plane + d] = this.sum[p * plane + d]! / w;
    }
    return this.sum;
  }
}

/** Default overlap for a tile size: 1/8 of the tile, at least 16 px, a multiple of 4 (context for the convolutions). */
export function defaultOverlap(tile: number): number {
  return Math.max(16, Math.floor(tile / 8 / 4) * 4);
}

/** Settings of the automatic tile grid. */
export interface TileGridOptions {
  /** Largest tile, in pixels (width x height). */
  readonly maxTilePixels: number;
  /** Overlap between neighbouring tiles, pixels. */
  readonly overlap: number;
  readonly multiple?: number;
  /** Smallest tile side worth running (smaller tiles lose too much context). */
  readonly minSide?: number;
}

/** Tile size along one axis for `n` tiles covering `size` with `overlap`: rounded up to `multiple`. */
function gridSide(size: number, n: number, overlap: number, multiple: number): number {
  if (n === 1) return size;
  return Math.ceil((size + (n - 1) * overlap) / n / multiple) * multiple;
}

/**
 * The tile shape for a frame when no tile may exceed `maxTilePixels`: of all nx x ny grids whose
 * tiles fit, the one that computes the fewest pixels in total (overlaps counted twice), so the
 * tiles follow the frame's aspect ratio. Returns undefined when the whole frame fits. When no
 * grid fits (tiny budget) the tiles are minSide x minSide.
 */
export function autoTileShape(width: number, height: number, options: TileGridOptions): TileShape | undefined {
  const multiple = options.multiple ?? 4;
  const minSide = options.minSide ?? 128;
  const { overlap, maxTilePixels } = options;
  if (width * height <= maxTilePixels) return undefined;
  let best: { shape: TileShape; cost: number } | undefined;
  const maxN = (size: number) => Math.max(1, Math.ceil(size / Math.max(minSide - overlap, multiple)));
  for (let nx = 1; nx <= maxN(width); nx++) {
    const tw = Math.min(width, gridSide(width, nx, overlap, multiple));
    if (nx > 1 && (tw < minSide || tw <= overlap)) break;
    for (let ny = 1; ny <= maxN(height); ny++) {
      const th = Math.min(height, gridSide(height, ny, overlap, multiple));
      if (ny > 1 && (th < minSide || th <= overlap)) break;
      if (tw * th > maxTilePixels) continue;
      const tiles = planTiles(width, height, { width: tw, height: th }, overlap, multiple);
      const cost = tiles.length * tw * th;
      if (!best || cost < best.cost) best = { shape: { width: tw, height: th }, cost };
      break; // more rows only cost more for this column count
    }
  }
  return best?.shape ?? { width: minSide, height: minSide };
}

/**
 * Memory model of one worker decomposing a width x height frame with tiles of `tilePixels`:
 * onnxruntime's peak per tile pixel plus the frame-sized buffers (input, guidance, neighbours,
 * the blend accumulator and the 7 output frames).
 */
export interface WorkerMemoryModel {
  /** Peak onnxruntime bytes per inferred pixel (arena: activations + outputs). */
  readonly modelBytesPerPixel: number;
  /** Bytes per frame pixel held besides the model (buffers of the whole frame). */
  readonly frameBytesPerPixel: number;
  /** Bytes one worker holds whatever the frame size (default 0). */
  readonly fixedBytes?: number;
}

/**
 * The largest tile (pixels) that keeps one worker within `workerBudgetBytes`, or Infinity when
 * whole frames fit. Never below minPixels (a floor, so tiny budgets still run).
 */
export function maxTilePixelsForBudget(width: number, height: number, workerBudgetBytes: number, m: WorkerMemoryModel, minPixels = 128 * 128): number {
  const perWorker = workerBudgetBytes - (m.fixedBytes ?? 0) - width * height * m.frameBytesPerPixel;
  const px = Math.floor(perWorker / m.modelBytesPerPixel);
  if (px >= width * height) return Infinity;
  return Math.max(minPixels, px);
}

/** Per-pixel sums of the feather weights of all tiles along one axis. */
function axisWeightSums(size: number, len: number, starts: readonly number[]): Float32Array {
  const sum = new Float32Array(size);
  for (const s of starts) {
    const w = featherAxis(s, len, starts);
    for (let k = 0; k < len; k++) sum[s + k] = sum[s + k]! + w[k]!;
  }
  return sum;
}

/**
 * Low-memory blend of tile outputs straight into 8-bit frames: the feather weights of a tile grid
 * are separable, so each tile's normalised weight is (wx / Sx) * (wy / Sy) with per-axis sums and
 * no per-pixel weight buffer; contributions (values clamped to [0,1]) accumulate in 16-bit fixed
 * point (1/65535 steps, interleaved like the output). 42 bytes per frame pixel for 7 RGB frames
 * instead of the float accumulator's 88; the result differs from it by at most one 8-bit level
 * (rounding of a value that sits on a half level).
 */
export class TileAccumulator8 {
  private readonly acc: Uint16Array;
  private readonly xs: number[];
  private readonly ys: number[];
  private readonly sx: Float32Array;
  private readonly sy: Float32Array;
  constructor(
    readonly width: number,
    readonly height: number,
    /** Frames of 3 channels each (planes = 3 x frames in the tile outputs). */
    readonly frames: number,
    tiles: readonly TileRect[],
  ) {
    if (tiles.length === 0) throw new RangeError('Expected at least one tile');
    const tw = tiles[0]!.width;
    const th = tiles[0]!.height;
    if (tiles.some((t) => t.width !== tw || t.height !== th)) throw new RangeError('TileAccumulator8 needs tiles of one size (a grid from planTiles)');
    this.acc = new Uint16Array(frames * width * height * 3);
    this.xs = [...new Set(tiles.map((t) => t.x))].sort((a, b) => a - b);
    this.ys = [...new Set(tiles.map((t) => t.y))].sort((a, b) => a - b);
    this.sx = axisWeightSums(width, tw, this.xs);
    this.sy = axisWeightSums(height, th, this.ys);
  }

  /** Add one tile's planar output (frames x 3 x rect.height x rect.width, values in [0,1]). */
  add(tile: Float32Array, rect: TileRect): void {
    const wx = featherAxis(rect.x, rect.width, this.xs);
    const wy = featherAxis(rect.y, rect.height, this.ys);
    for (let x = 0; x < rect.width; x++) wx[x] = (wx[x]! / this.sx[rect.x + x]!) * 65535;
    const { width: W, height: H } = this;
    const plane = W * H;
    const tilePlane = rect.width * rect.height;
    for (let f = 0; f < this.frames; f++) {
      for (let k = 0; k < 3; k++) {
        const src = (f * 3 + k) * tilePlane;
        for (let y = 0; y < rect.height; y++) {
          const ny = wy[y]! / this.sy[rect.y + y]!;
          const row = src + y * rect.width;
          let d = (f * plane + (rect.y + y) * W + rect.x) * 3 + k;
          for (let x = 0; x < rect.width; x++, d += 3) {
            let v = tile[row + x]!;
            v = v <= 0 ? 0 : v >= 1 ? 1 : v;
            const a = this.acc[d]! + v * wx[x]! * ny + 0.5;
            this.acc[d] = a >= 65535 ? 65535 : a; // Uint16Array truncates: +0.5 rounds
          }
        }
      }
    }
  }

  /** The blended frames as interleaved 8-bit RGB, back to back (frames x h x w x 3). */
  result(out = new Uint8Array(this.acc.length)): Uint8Array {
    const acc = this.acc;
    for (let i = 0; i < acc.length; i++) out[i] = (acc[i]! + 128) / 257; // 65535 / 255 = 257; truncation after +128 rounds
    return out;
  }
}
