// Tiled inference maths: overlapping tiles whose size is a multiple of the model's, feathered
// (linear ramp) blending weights, reassembly normalised by the weight sum, and the automatic
// tile size from a memory budget. Pure: no I/O.

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
export function planTiles(width: number, height: number, tileSize: number, overlap: number, multiple = 4): TileRect[] {
  const tile = Math.floor(tileSize / multiple) * multiple;
  if (tile < multiple) throw new RangeError(`Expected a tile size >= ${multiple} but received ${tileSize}`);
  const xs = axisStarts(width, tile, overlap);
  const ys = axisStarts(height, tile, overlap);
  const tw = Math.min(tile, width);
  const th = Math.min(tile, height);
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

/** Settings of the automatic tile size. */
export interface AutoTileOptions {
  /** Memory one inference may use, in bytes. */
  readonly budgetBytes: number;
  /** Estimated peak bytes per input pixel of the model (activations + outputs). */
  readonly bytesPerPixel: number;
  readonly multiple?: number;
  /** Smallest tile worth running (tiles below this lose too much context). */
  readonly minTile?: number;
}

/**
 * Tile size for a frame under a memory budget: 0 when the whole frame fits (no tiling), else the
 * largest square side (a multiple of `multiple`, >= minTile) whose estimate fits.
 */
export function autoTileSize(width: number, height: number, options: AutoTileOptions): number {
  const multiple = options.multiple ?? 4;
  const minTile = options.minTile ?? 128;
  if (width * height * options.bytesPerPixel <= options.budgetBytes) return 0;
  const side = Math.floor(Math.sqrt(options.budgetBytes / options.bytesPerPixel) / multiple) * multiple;
  return Math.max(minTile, side);
}

/** Default overlap for a tile size: 1/8 of the tile, at least 16 px, a multiple of 4 (context for the convolutions). */
export function defaultOverlap(tile: number): number {
  return Math.max(16, Math.floor(tile / 8 / 4) * 4);
}
