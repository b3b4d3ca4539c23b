// Render and write the samples of one procedural video: plan it from its seed, cut its textures
// from the photo pool, render each requested exposure and write the reference layout. Runs in a
// worker thread (workers/synth-worker.ts) or in-process.
import { existsSync } from 'node:fs';
import { encodePng } from '../io/image.js';
import { writeFileAtomic } from '../io/atomic.js';
import { encodeNpy } from '../io/npy.js';
import { bboxPath, blurPath, guidancePath, motionPath, sharpPath, type DatasetLayout, type MotionKind } from '../io/dataset-layout.js';
import { BuiltinFlowEstimator } from '../flow/builtin.js';
import { sequenceMotion } from '../motion/video-motion.js';
import { writeBboxPickle } from '../io/pickle/encode.js';
import { movingBbox } from '../math/moving-bbox.js';
import { encodeLinearTo8Fast } from '../math/blur.js';
import type { ProceduralConfig } from '../math/procedural/config.js';
import { createExposureScratch, renderExposure } from '../math/procedural/exposure.js';
import { buildLayers, guidanceFromFlow } from '../math/procedural/scene.js';
import { planVideo } from '../math/procedural/scene-plan.js';
import { loadTexture, type PoolPhoto } from './photo-pool.js';

/** One unit of work: some exposures of one video (plain data, so it can cross into a worker). */
export interface ProceduralVideoTask {
  readonly root: string;
  readonly video: string;
  /** Seed of the video's random stream (derived from the dataset seed and the video index). */
  readonly seed: number;
  readonly config: ProceduralConfig;
  readonly photos: readonly PoolPhoto[];
  /** Exposure indices to render (the others are complete or not wanted). */
  readonly exposures: readonly number[];
  readonly layout: DatasetLayout;
  /** PNG zlib level (0-9). */
  readonly pngLevel: number;
  /** Motion files to write besides the reference layout (dataset-layout.ts motionPath). 'video' needs
   * every exposure of the video in `exposures` (the motion of frame i is estimated from i-1 and i+1). */
  readonly motionFiles: readonly MotionKind[];
}

/** What a task did: how many samples it wrote. */
export interface ProceduralVideoResult {
  readonly video: string;
  readonly written: number;
}

/** True when sample i of a video is complete (its blurry frame, written last, exists). */
export function isSampleComplete(root: string, video: string, i: number): boolean {
  return existsSync(blurPath(root, video, i));
}

/** Render the task's exposures and write them; each sample's blurry PNG is written last. */
export async function renderProceduralVideo(task: ProceduralVideoTask): Promise<ProceduralVideoResult> {
  const { config: c, root, video } = task;
  if (task.exposures.length === 0) return { video, written: 0 };
  const plan = planVideo(task.seed, c, task.photos.map((p) => [p.width, p.height] as const));
  const bg = await loadTexture(task.photos[plan.background.request.photo]!, plan.background.request);
  const sprites = [];
  for (const sp of plan.sprites) sprites.push(await loadTexture(task.photos[sp.request.photo]!, sp.request));
  const layers = buildLayers(plan, bg, sprites);
  const { width: W, height: H } = c;
  const png = (linear: Float32Array) => encodePng({ width: W, height: H, data: encodeLinearTo8Fast(linear) }, task.pngLevel);
  let written = 0;
  let pending: Promise<void> = Promise.resolve();
  const scratch = createExposureScratch(W, H);
  const exact = task.motionFiles.includes('exact');
  const videoMotion = task.motionFiles.includes('video');
  const blurry8 = new Map<number, Uint8Array>();
  const writeMotion = (i: number, kind: MotionKind, data: Float32Array) => writeFileAtomic(motionPath(root, video, i, kind), encodeNpy(data, [H, W, 2]));
  // Each sample's blurry PNG is written last: its presence marks the sample complete.
  const writeBlurry = async (i: number, blur8: Uint8Array) => {
    await writeFileAtomic(blurPath(root, video, i), await encodePng({ width: W, height: H, data: blur8 }, task.pngLevel));
    written++;
  };
  for (const i of task.exposures) {
    const ex = renderExposure(layers, i, W, H, { subframes: plan.subframes[i]!, numGts: c.numGts, scratch, duty: plan.dutyCycle, motion: exact });
    await pending; // the previous sample's files are encoded in libvips threads while this one renders
    const g = guidanceFromFlow({ width: W, height: H, data: ex.flow }, c.guidanceRes, c.staticThreshold);
    const blur8 = encodeLinearTo8Fast(ex.blur);
    pending = (async () => {
      await Promise.all([
        ...ex.sharp.map(async (frame, j) => writeFileAtomic(sharpPath(root, video, i, j), await png(frame))),
        writeFileAtomic(guidancePath(root, video, i, task.layout), encodeNpy(g.data, [g.height, g.width, 2])),
        ...(ex.motion ? [writeMotion(i, 'exact', ex.motion)] : []),
        // B-Aist++ layout: the box around the moving pixels, as footage mode writes it (the reference loader needs it).
        ...(task.layout === 'baistpp' ? [writeBboxPickle(bboxPath(root, video, i), movingBbox({ width: W, height: H, data: ex.flow }, c.staticThreshold))] : []),
      ]);
      if (videoMotion) blurry8.set(i, blur8);
      else await writeBlurry(i, blur8);
    })();
    pending.catch(() => undefined); // awaited on the next turn; never an unhandled rejection meanwhile
  }
  await pending;
  if (videoMotion) {
    // The motion `afb video` would estimate from these blurry frames (same estimator, same neighbours).
    const estimator = new BuiltinFlowEstimator();
    const frame = (i: number) => {
      const data = blurry8.get(i);
      return data ? { width: W, height: H, data } : undefined;
    };
    await sequenceMotion(estimator, task.exposures, frame, (i, m) => writeMotion(i, 'video', m ? m.data : new Float32Array(W * H * 2)));
    for (const i of task.exposures) await writeBlurry(i, blurry8.get(i)!);
  }
  await pending;
  return { video, written };
}
