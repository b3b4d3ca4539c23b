// The on-disk layout of an afb / reference-compatible blur dataset: paths, per-split YAML video
// lists and the manifest. Every reader and writer of datasets goes through these functions.
//
//   <root>/<video>/blur/{i:08d}.png                 blurry frame i
//   <root>/<video>/sharp/{i:08d}_{j:03d}.png        ground-truth sharp frames j = 0..6 of exposure i
//   <root>/<video>/trend+/{i:08d}_trend.npy         guidance int8 (H, W, 2) ('genblur' layout)
//   <root>/<video>/trend+_avg/{i:08d}_trend.npy     guidance ('baistpp' layout)
//   <root>/<video>/blur_anno/{i:08d}.pkl            {'bbox': [x0, y0, x1, y1]} ('baistpp' layout)
//   <root>/train_videos.yaml, <root>/valid_videos.yaml   YAML lists of video folder names
//   <root>/manifest.json                            generator config, its hash, counts
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { InputError } from '../errors.js';
import { writeFileAtomic } from './atomic.js';

/** Folder naming of a dataset: GenBlur-style (`trend+`) or B-Aist++-style (`trend+_avg`, `blur_anno`). */
export type DatasetLayout = 'genblur' | 'baistpp';
/** The two splits a dataset is divided into (by video). */
export type DatasetSplit = 'train' | 'valid';
/** Sharp ground-truth frames per blurry frame in the reference layout. */
export const DEFAULT_NUM_GTS = 7;

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** Folder of one video. */
export function videoDir(root: string, video: string): string {
  return join(root, video);
}

/** Folder holding the blurry frames of a video. */
export function blurDir(root: string, video: string): string {
  return join(root, video, 'blur');
}

/** Path of blurry frame `i`. */
export function blurPath(root: string, video: string, i: number): string {
  return join(root, video, 'blur', `${pad(i, 8)}.png`);
}

/** Path of sharp ground-truth frame `j` of exposure `i`. */
export function sharpPath(root: string, video: string, i: number, j: number): string {
  return join(root, video, 'sharp', `${pad(i, 8)}_${pad(j, 3)}.png`);
}

/** Name of the guidance folder for a layout ('trend+' or 'trend+_avg'). */
export function guidanceDirName(layout: DatasetLayout): string {
  return layout === 'baistpp' ? 'trend+_avg' : 'trend+';
}

/** Path of the guidance .npy of exposure `i`. */
export function guidancePath(root: string, video: string, i: number, layout: DatasetLayout = 'genblur'): string {
  return join(root, video, guidanceDirName(layout), `${pad(i, 8)}_trend.npy`);
}

/** Which motion file: the exact motion of the scene ('exact', folder motion/) or the motion afb
 * estimates from the blurry frames as `afb video` does ('video', folder motion_video/). */
export type MotionKind = 'exact' | 'video';

/** Path of the motion .npy of exposure `i`: float32 (H, W, 2), (x, y) pixels per frame interval. */
export function motionPath(root: string, video: string, i: number, kind: MotionKind): string {
  return join(root, video, kind === 'exact' ? 'motion' : 'motion_video', `${pad(i, 8)}_motion.npy`);
}

/** Path of the B-Aist++ bounding-box annotation (pickle) of exposure `i`. */
export function bboxPath(root: string, video: string, i: number): string {
  return join(root, video, 'blur_anno', `${pad(i, 8)}.pkl`);
}

/** Path of the YAML list of video folder names of one split. */
export function videoListPath(root: string, split: DatasetSplit): string {
  return join(root, `${split}_videos.yaml`);
}

/** Path of the dataset manifest. */
export function manifestPath(root: string): string {
  return join(root, 'manifest.json');
}

/** Write a split's video list (a YAML sequence of folder names, as the reference loaders read it). */
export async function writeVideoList(root: string, split: DatasetSplit, videos: readonly string[]): Promise<void> {
  await writeFileAtomic(videoListPath(root, split), videos.length === 0 ? '[]\n' : stringifyYaml([...videos]));
}

/** Read a split's video list; [] when the file does not exist; InputError when it is not a list of names. */
export async function readVideoList(root: string, split: DatasetSplit): Promise<string[]> {
  const path = videoListPath(root, split);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new InputError(path, 'Cannot read video list', { cause });
  }
  const value: unknown = parseYaml(text);
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' && typeof v !== 'number')) {
    throw new InputError(path, 'Video list must be a YAML sequence of folder names');
  }
  return value.map(String);
}

/** What a manifest records: which generator made the dataset, with which config, and what it holds. */
export interface DatasetManifest {
  readonly format: 'afb-dataset';
  readonly version: 1;
  readonly generator: 'procedural' | 'footage';
  readonly layout: DatasetLayout;
  /** Every setting that changes the output (a changed config means different data). */
  readonly config: Record<string, unknown>;
  /** sha256 of the canonical JSON of `config` (see hashConfig). */
  readonly configHash: string;
  readonly counts: { readonly videos: number; readonly samples: number; readonly train: number; readonly valid: number };
  /** Video folder names per split (the same as the YAML lists). */
  readonly splits: Readonly<Record<DatasetSplit, readonly string[]>>;
  /** Number of blurry frames per video folder name. */
  readonly framesPerVideo: Readonly<Record<string, number>>;
  /** Exposure fraction e of each video (the shutter is open for e of each frame interval). */
  readonly dutyCycles?: Readonly<Record<string, number>>;
  readonly complete: boolean;
  readonly updatedAt: string;
}

/** JSON with object keys sorted recursively: equal configs give equal strings. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Stable short hash of a config object (first 16 hex digits of sha256 of its canonical JSON). */
export function hashConfig(config: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex').slice(0, 16);
}

/** Read the manifest; undefined when there is none; InputError when it is unreadable. */
export async function readManifest(root: string): Promise<DatasetManifest | undefined> {
  const path = manifestPath(root);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new InputError(path, 'Cannot read dataset manifest', { cause });
  }
  try {
    const value = JSON.parse(text) as DatasetManifest;
    if (value.format !== 'afb-dataset') throw new Error(`format is ${JSON.stringify(value.format)}`);
    return value;
  } catch (cause) {
    throw new InputError(path, `Invalid dataset manifest (${(cause as Error).message})`, { cause });
  }
}

/** Write the manifest atomically (pretty JSON). */
export async function writeManifest(root: string, manifest: DatasetManifest): Promise<void> {
  await writeFileAtomic(manifestPath(root), `${JSON.stringify(manifest, null, 2)}\n`);
}

/**
 * The layout of an existing dataset: the manifest's when present, else 'baistpp' when the root
 * folder is named `b-aist++` (as the reference decides) or holds a `trend+_avg` folder, else 'genblur'.
 */
export async function detectLayout(root: string): Promise<DatasetLayout> {
  const manifest = await readManifest(root);
  if (manifest) return manifest.layout;
  if (/(^|[\\/])b-aist\+\+[\\/]?$/.test(root)) return 'baistpp';
  const videos = await listVideos(root);
  for (const v of videos.slice(0, 3)) {
    const entries = await readdir(videoDir(root, v)).catch(() => [] as string[]);
    if (entries.includes('trend+_avg')) return 'baistpp';
  }
  return 'genblur';
}

/**
 * Video folder names of a dataset: the YAML list of `split` when given (or both lists when no
 * split is given and lists exist), else every sub-folder holding a `blur/` folder, sorted.
 */
export async function listVideos(root: string, split?: DatasetSplit): Promise<string[]> {
  if (split) return readVideoList(root, split);
  const listed = [...(await readVideoList(root, 'train')), ...(await readVideoList(root, 'valid'))];
  if (listed.length > 0) return listed;
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (cause) {
    throw new InputError(root, 'Cannot read dataset folder', { cause });
  }
  const out: string[] = [];
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const sub = await readdir(join(root, e.name)).catch(() => [] as string[]);
    if (sub.includes('blur')) out.push(e.name);
  }
  return out.sort();
}

/** Indices of the blurry frames present in a video (from the `blur/` file names), sorted. */
export async function listSampleIndices(root: string, video: string): Promise<number[]> {
  const names = await readdir(blurDir(root, video)).catch((cause: unknown) => {
    throw new InputError(blurDir(root, video), 'Cannot read blurry-frame folder', { cause });
  });
  return names.filter((n) => /^\d{8}\.png$/.test(n)).map((n) => Number(n.slice(0, 8))).sort((a, b) => a - b);
}
