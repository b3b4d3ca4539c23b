// Reading an evaluation set in the reference layout (GenBlur `trend+` or B-Aist++ `trend+_avg` +
// `blur_anno`), with the reference's sample selection, ground-truth guidance and bbox crops.
import { readFile, access } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { InputError } from '../errors.js';
import { readImage } from '../io/image.js';
import { readNpy } from '../io/npy.js';
import {
  bboxPath,
  blurPath,
  DEFAULT_NUM_GTS,
  detectLayout,
  guidancePath,
  listSampleIndices,
  listVideos,
  readManifest,
  readVideoList,
  sharpPath,
  videoListPath,
  type DatasetLayout,
} from '../io/dataset-layout.js';
import type { GuidanceMap, RgbImage } from '../math/types.js';
import { bboxToRect, CROP_HEIGHT, CROP_WIDTH, cropGuidance, cropRgb, resizeArea, resizeNearestGuidance, type Rect } from './crop.js';
import { parseBboxPickle } from '../io/pickle/decode.js';

/** Which videos to evaluate: a split's YAML list, or every video. */
export type EvalSplit = 'train' | 'valid' | 'all';

/** B-Aist++ evaluation skips this many frames at each end of a video (reference BAistPP loader). */
export const BAISTPP_SKIP = 40;

/** One evaluation sample: a blurry frame of a video. */
export interface EvalSampleRef {
  readonly video: string;
  readonly index: number;
}

/** The selected samples of a dataset and how to read them. */
export interface EvalSet {
  readonly root: string;
  readonly layout: DatasetLayout;
  readonly videos: readonly string[];
  readonly samples: readonly EvalSampleRef[];
  /** Exposure fraction per video, when the dataset's manifest records it (afb synth does). */
  readonly dutyCycles?: Readonly<Record<string, number>>;
}

/** Options of the sample selection. */
export interface SelectOptions {
  readonly split: EvalSplit;
  /** A YAML list of video names overriding the dataset's own lists (e.g. upstream's configs/*.yaml). */
  readonly videoList?: string;
  /** Keep only samples whose previous blurry frame exists (guidance from video needs it). */
  readonly needPrevious: boolean;
  /** Keep only samples with a bbox annotation (crop). */
  readonly needBbox: boolean;
  /** Evenly spaced subset of at most this many samples (0: all). */
  readonly maxSamples: number;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}

async function readListFile(path: string): Promise<string[]> {
  let value: unknown;
  try {
    value = parseYaml(await readFile(path, 'utf8'));
  } catch (cause) {
    throw new InputError(path, 'Cannot read the video list', { cause });
  }
  if (!Array.isArray(value)) throw new InputError(path, 'Video list must be a YAML sequence of folder names');
  return value.map(String);
}

/** Evenly spaced subset of `n` items (first and last kept), deterministic. */
export function evenSubset<T>(items: readonly T[], n: number): T[] {
  if (n <= 0 || items.length <= n) return [...items];
  if (n === 1) return [items[0]!];
  return Array.from({ length: n }, (_, k) => items[Math.round((k * (items.length - 1)) / (n - 1))]!);
}

/**
 * Select the evaluation samples: videos from the split's list (or all), every blurry frame of each,
 * minus BAISTPP_SKIP frames at each end for B-Aist++, minus frames lacking what the run needs.
 */
export async function selectSamples(root: string, options: SelectOptions): Promise<EvalSet> {
  if (!(await exists(root))) throw new InputError(root, 'Dataset folder not found');
  const layout = await detectLayout(root);
  let videos: string[];
  if (options.videoList) videos = await readListFile(options.videoList);
  else if (options.split === 'all') videos = await listVideos(root);
  else {
    videos = await readVideoList(root, options.split);
    if (videos.length === 0) {
      throw new InputError(videoListPath(root, options.split), `No ${options.split} videos listed (use --split all to evaluate every video, or --video-list FILE)`);
    }
  }
  if (videos.length === 0) throw new InputError(root, 'No videos found (expected <video>/blur/ folders)');
  const samples: EvalSampleRef[] = [];
  for (const video of videos) {
    let indices = await listSampleIndices(root, video);
    if (layout === 'baistpp') indices = indices.slice(BAISTPP_SKIP, Math.max(BAISTPP_SKIP, indices.length - BAISTPP_SKIP));
    const present = new Set(indices);
    for (const index of indices) {
      // as upstream with num_past=1: the previous frame must itself be a selectable frame
      if (options.needPrevious && !present.has(index - 1)) continue;
      if (options.needBbox && !(await exists(bboxPath(root, video, index)))) continue;
      samples.push({ video, index });
    }
  }
  const chosen = evenSubset(samples, options.maxSamples);
  const dutyCycles = (await readManifest(root).catch(() => undefined))?.dutyCycles;
  return { root, layout, videos: [...new Set(chosen.map((s) => s.video))], samples: chosen, ...(dutyCycles ? { dutyCycles } : {}) };
}

/** A loaded sample: blurry frame, sharp frames, optional ground-truth guidance and previous frame. */
export interface EvalSample extends EvalSampleRef {
  readonly blurry: RgbImage;
  readonly sharp: readonly RgbImage[];
  /** Ground-truth guidance at the image's size, when requested and present. */
  readonly guidance?: GuidanceMap;
  /** The previous blurry frame (for guidance from video), when requested. */
  readonly previous?: RgbImage;
  /** The next blurry frame, when requested and the video has one (motion from both neighbours). */
  readonly next?: RgbImage;
  /** The crop rectangle applied (in original pixels), when cropping. */
  readonly crop?: Rect;
}

/** What to load besides the blurry and sharp frames. */
export interface LoadOptions {
  readonly guidance: boolean;
  readonly previous: boolean;
  /** Also the next blurry frame when it exists. */
  readonly next?: boolean;
  readonly crop: boolean;
  /** Also the 7 sharp frames (default true; false leaves `sharp` empty: e.g. only the motion is wanted). */
  readonly sharp?: boolean;
}

/** Read a ground-truth guidance .npy ((H, W, 2) or half size, int8 {-1,0,1}) resized to w x h (nearest). */
export async function readGuidanceNpy(path: string, width: number, height: number): Promise<GuidanceMap> {
  const npy = await readNpy(path);
  if (npy.shape.length !== 3 || npy.shape[2] !== 2) throw new InputError(path, `Guidance must have shape (H, W, 2) but has (${npy.shape.join(', ')})`);
  const data = Int8Array.from(npy.data, (v) => Math.sign(v));
  return resizeNearestGuidance({ width: npy.shape[1]!, height: npy.shape[0]!, channels: 2, data }, width, height);
}

function checkSize(path: string, image: RgbImage, ref: RgbImage): void {
  if (image.width !== ref.width || image.height !== ref.height) {
    throw new InputError(path, `Frame is ${image.width}x${image.height} but the blurry frame is ${ref.width}x${ref.height}`);
  }
}

/** Load one sample (8-bit RGB), cropped to the bbox and resized to 160x192 when `crop` is set. */
export async function loadSample(set: EvalSet, ref: EvalSampleRef, options: LoadOptions): Promise<EvalSample> {
  const { root, layout } = set;
  const { video, index } = ref;
  const blurry = await readImage(blurPath(root, video, index));
  const sharp: RgbImage[] = [];
  for (let j = 0; j < (options.sharp === false ? 0 : DEFAULT_NUM_GTS); j++) {
    const path = sharpPath(root, video, index, j);
    const img = await readImage(path);
    checkSize(path, img, blurry);
    sharp.push(img);
  }
  let guidance: GuidanceMap | undefined;
  if (options.guidance) {
    const path = guidancePath(root, video, index, layout);
    if (await exists(path)) guidance = await readGuidanceNpy(path, blurry.width, blurry.height);
  }
  let previous: RgbImage | undefined;
  if (options.previous) {
    const path = blurPath(root, video, index - 1);
    previous = await readImage(path);
    checkSize(path, previous, blurry);
  }
  let next: RgbImage | undefined;
  if (options.next && (await exists(blurPath(root, video, index + 1)))) {
    const path = blurPath(root, video, index + 1);
    next = await readImage(path);
    checkSize(path, next, blurry);
  }
  if (!options.crop) return { video, index, blurry, sharp, guidance, previous, next };
  const path = bboxPath(root, video, index);
  let rect: Rect;
  try {
    rect = bboxToRect(parseBboxPickle(await readFile(path)), blurry.width, blurry.height);
  } catch (cause) {
    throw new InputError(path, `Cannot read the bbox annotation (${(cause as Error).message})`, { cause });
  }
  const fit = (img: RgbImage) => resizeArea(cropRgb(img, rect), CROP_WIDTH, CROP_HEIGHT);
  return {
    video,
    index,
    blurry: fit(blurry),
    sharp: sharp.map(fit),
    guidance: guidance && resizeNearestGuidance(cropGuidance(guidance, rect), CROP_WIDTH, CROP_HEIGHT),
    previous: previous && fit(previous),
    next: next && fit(next),
    crop: rect,
  };
}
