// Shared test helpers: temporary folders inside the repo (tests write nothing outside it) and
// synthetic clips made with ffmpeg's testsrc2, so no media files are committed.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { buildTestClipArgs } from '../../bench/lib/ffmpeg-dev-args.js';
import { runFfmpeg } from '../../pipeline/io/ffmpeg-process.js';
import type { Rational } from '../../pipeline/math/types.js';

/** Root of the repository (tests keep their files under test/.tmp, which git ignores via *.tmp). */
export const REPO_ROOT = new URL('../..', import.meta.url).pathname;

/** Create a fresh temporary folder under <repo>/test/.tmp-work.tmp/; remove it with removeTempDir. */
export async function makeTempDir(prefix = 'afb-'): Promise<string> {
  const root = join(REPO_ROOT, 'test', '.work.tmp');
  await mkdir(root, { recursive: true });
  return mkdtemp(join(root, prefix));
}

/** Remove a folder made by makeTempDir (ignores errors). */
export async function removeTempDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true }).catch(() => undefined);
}

/** What makeTestClip should produce. */
export interface TestClipOptions {
  width?: number;
  height?: number;
  fps?: Rational;
  frames?: number;
  codec?: 'h264' | 'ffv1' | 'vp9';
  audio?: boolean;
  /** Extra output arguments (e.g. ['-movflags', '+faststart']). */
  extra?: string[];
}

/** Write a testsrc2 clip to `path` (default 64x48, 30000/1001 fps, 10 frames, H.264). */
export async function makeTestClip(path: string, o: TestClipOptions = {}): Promise<string> {
  await runFfmpeg('ffmpeg', buildTestClipArgs({
    output: path, width: o.width ?? 64, height: o.height ?? 48, fps: o.fps ?? { num: 30000, den: 1001 },
    frames: o.frames ?? 10, codec: o.codec, audio: o.audio, extra: o.extra,
  }));
  return path;
}

/** Mean absolute difference between two equally sized arrays (image similarity in tests). */
export function meanAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`length ${a.length} != ${b.length}`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return s / Math.max(1, a.length);
}
