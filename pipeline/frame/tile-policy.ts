// The automatic tiling policy of `afb video` and `afb decompose`: the memory model of one worker,
// the default --memory budget, and the tile grid chosen for a frame. Pure: no I/O.
import type { DecomposeMethod } from '../../configs/model-options.js';
import { autoTileShape, defaultOverlap, maxTilePixelsForBudget, type TileShape, type WorkerMemoryModel } from '../math/tiling.js';

/**
 * Memory model of one worker for --tile auto. onnxruntime's arena peaked at 650-1100 bytes per
 * inferred pixel for the CPU preset (480x272 to 1920x1088, onnxruntime 1.30, one session); the
 * frame-sized buffers (input, guidance, neighbours, 16-bit blend accumulator, 7 output frames,
 * the copies in flight to and from the main thread) add ~100 bytes per frame pixel.
 */
export const WORKER_MEMORY: WorkerMemoryModel = { modelBytesPerPixel: 1100, frameBytesPerPixel: 100 };

/**
 * Memory model of one worker running the learned method (physics + models/afb-motion.onnx).
 * `npm run bench:tile-memory` (one process per tile size, 1080p frames, tiles 352x296 to
 * 1024x768) measures peak RSS growing by 1250-1390 bytes per tile pixel (onnxruntime's arena plus
 * the tile's physics, padded inputs and output; two runs) over 107-150 bytes per frame pixel (the
 * deblurred frame, the motion, the 16-bit blend accumulator; a video worker also holds the
 * neighbours and their flows). `fixedBytes` holds the worker's own footprint (~110 MB: Node,
 * onnxruntime, the model) and its share of the main process, calibrated with the pipeline
 * benchmark's 1080p memory run so that 2 workers with the default --memory stay under 1.5 GB
 * (docs/pipeline.md, memory).
 */
export const LEARNED_WORKER_MEMORY: WorkerMemoryModel = { modelBytesPerPixel: 1260, frameBytesPerPixel: 150, fixedBytes: 230 * 2 ** 20 };

/** Bytes per tile pixel that --ensemble above 1 adds to the learned model: the mirrored copy of the
 * inputs (~110), the copy of the output mapped back (84) and the running sum (84). */
export const ENSEMBLE_BYTES_PER_PIXEL = 280;

/** The memory model of a method's worker; undefined for physics (no network, never tiled). */
export function workerMemoryModel(method: DecomposeMethod, ensemble = 1): WorkerMemoryModel | undefined {
  if (method === 'guidance') return WORKER_MEMORY;
  if (method !== 'learned') return undefined;
  const m = LEARNED_WORKER_MEMORY;
  return ensemble > 1 ? { ...m, modelBytesPerPixel: m.modelBytesPerPixel + ENSEMBLE_BYTES_PER_PIXEL } : m;
}

/** Default --memory per worker, MiB (2 workers: 1536 MiB, which keeps 1080p under 1.5 GB RSS). */
export const DEFAULT_MEMORY_MIB_PER_WORKER = 768;

/**
 * The inference budget of all workers together, bytes: --memory when given (0 = no limit:
 * Infinity), else 768 MiB per worker, at most half of `totalBytes` (the machine's RAM).
 */
export function memoryBudgetBytes(memoryMiB: number | undefined, workers: number, totalBytes: number): number {
  if (memoryMiB !== undefined) return memoryMiB > 0 ? memoryMiB * 2 ** 20 : Infinity;
  return Math.min(DEFAULT_MEMORY_MIB_PER_WORKER * 2 ** 20 * Math.max(1, workers), totalBytes / 2);
}

/** Smallest automatic tile: below this, context loss and per-tile overhead cost more than the memory saved. */
export const MIN_AUTO_TILE_PIXELS = 384 * 384;

/**
 * The tile for a frame: a fixed side, 0 (whole frames), or for 'auto' the cheapest tile grid
 * that keeps one worker within `workerBudgetBytes` (Infinity: whole frames). `overBudget` is true
 * when even the smallest automatic tile does not fit (the frame-sized buffers alone exceed it).
 */
export function chooseTile(tile: number | 'auto', width: number, height: number, workerBudgetBytes: number, method: DecomposeMethod = 'guidance', ensemble = 1): { tile: number | TileShape; overBudget: boolean } {
  if (tile !== 'auto') return { tile, overBudget: false };
  const model = workerMemoryModel(method, ensemble);
  if (!Number.isFinite(workerBudgetBytes) || !model) return { tile: 0, overBudget: false };
  const raw = maxTilePixelsForBudget(width, height, workerBudgetBytes, model, 1);
  if (!Number.isFinite(raw)) return { tile: 0, overBudget: false };
  const maxPx = Math.max(MIN_AUTO_TILE_PIXELS, raw);
  const shape = autoTileShape(width, height, { maxTilePixels: maxPx, overlap: defaultOverlap(Math.floor(Math.sqrt(maxPx))), minSide: 256 });
  return { tile: shape ?? 0, overBudget: raw < MIN_AUTO_TILE_PIXELS };
}

/** A tile setting for messages: "off", "512" or "688x408". */
export function formatTile(tile: number | TileShape): string {
  if (typeof tile === 'number') return tile > 0 ? String(tile) : 'off';
  return `${tile.width}x${tile.height}`;
}
