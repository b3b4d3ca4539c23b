// The index files of a dataset run (the YAML video lists and the manifest) around the samples:
// removed again when a run into a new folder fails before any sample is complete, and a forced
// regeneration drops the video folders the new lists no longer name.
import { rm } from 'node:fs/promises';
import { manifestPath, videoDir, videoListPath, type DatasetManifest } from '../io/dataset-layout.js';

/** Remove the YAML lists and the manifest (a failed first run leaves no dataset that looks started). */
export async function removeDatasetIndex(root: string): Promise<void> {
  for (const p of [videoListPath(root, 'train'), videoListPath(root, 'valid'), manifestPath(root)]) await rm(p, { force: true });
}

/** Remove the video folders `previous` listed that `keep` does not: a forced rerun replaces the dataset. */
export async function removeDroppedVideos(root: string, previous: DatasetManifest | undefined, keep: readonly string[]): Promise<void> {
  if (!previous) return;
  const kept = new Set(keep);
  for (const v of [...previous.splits.train, ...previous.splits.valid]) if (!kept.has(v)) await rm(videoDir(root, v), { recursive: true, force: true });
}
