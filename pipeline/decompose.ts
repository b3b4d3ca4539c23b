// `afb decompose`: one blurry image -> 7 sharp frames per guidance (from a file or N predictor
// samples), written as DIR/{j:03d}.png (or DIR/s{k}/ for several samples) plus optional previews.
import { join } from 'node:path';
import { InputError } from './errors.js';
import { Decomposer, FRAMES_PER_BLUR } from './runtime/decomposer.js';
import { MotionDecomposer } from './runtime/motion-decomposer.js';
import { exposureCorrelations, pickExposure } from './math/motion/exposure.js';
import { createMotionSource, motionFileSource, type FrameMotion } from './motion/source.js';
import type { Provider } from './runtime/session.js';
import type { DecomposeMethod } from '../configs/model-options.js';
import { decomposeFrame, type FrameModels } from './frame/decompose-frame.js';
import { ensureWritableDir } from './io/atomic.js';
import { openPreviewSink, openVideoSink } from './io/frame-sink.js';
import { writeGuidance } from './io/guidance-io.js';
import { readImage, writePng } from './io/image.js';
import type { Logger } from './log.js';
import type { MotionField } from './math/motion/motion-field.js';
import type { RgbImage } from './math/types.js';
import { chooseTile } from './frame/tile-policy.js';

/** Resolved settings of one decompose run. */
export interface DecomposeJob {
  readonly image: string;
  readonly outDir: string;
  /** How the frame is decomposed (pipeline/frame/decompose-frame.ts). */
  readonly method: DecomposeMethod;
  /** The method's model: guidance-conditioned for 'guidance', motion-aware for 'learned' (unused by 'physics'). */
  readonly modelPath: string;
  /** 'predict' or a guidance file (ignored with `motionPath`). */
  readonly guidance: string;
  /** A motion file (.flo/.npy, pixels per frame interval): the motion is known. */
  readonly motionPath?: string;
  /** Exposure fraction, or 'auto' (estimated from the image and its motion). */
  readonly exposure: number | 'auto';
  readonly predictorPath?: string;
  readonly samples: number;
  readonly seed: number;
  readonly provider: Provider;
  readonly threads: number;
  readonly tile: number | 'auto';
  readonly consistency: boolean;
  readonly gif: boolean;
  readonly mp4: boolean;
  readonly tileBudgetBytes: number;
  readonly log: Logger;
}

/** One animation written. */
export interface DecomposeOutput {
  readonly dir: string;
  readonly frames: string[];
  readonly guidance?: string;
  readonly previews: string[];
  /** The exposure fraction used (methods learned and physics). */
  readonly exposure?: number;
}

/** What a decompose run wrote. */
export interface DecomposeSummary {
  readonly image: string;
  readonly width: number;
  readonly height: number;
  readonly outputs: DecomposeOutput[];
  readonly method: DecomposeMethod;
  readonly provider: Provider;
  readonly seconds: number;
}

/** Frame order of a back-and-forth preview of n frames: 0..n-1 then n-2..1 (loops without a repeated end frame). */
export function pingPongOrder(n: number): number[] {
  const forward = Array.from({ length: n }, (_, i) => i);
  return [...forward, ...forward.slice(1, -1).reverse()];
}

/** Preview playback rate: 12 fps shows the 7 frames as a smooth short loop. */
const PREVIEW_FPS = { num: 12, den: 1 };
/** Back-and-forth cycles in the MP4 preview (a GIF loops by itself). */
export const MP4_CYCLES = 4;

/** Write a back-and-forth preview of `frames` (GIF loops by itself; MP4 repeats `cycles` times), atomically. */
export async function writePreview(path: string, frames: RgbImage[], cycles: number, log: Logger): Promise<void> {
  const { width, height } = frames[0]!;
  const sink = path.endsWith('.gif')
    ? await openPreviewSink(path, { width, height, fps: PREVIEW_FPS, log })
    : await openVideoSink(path, { width, height, fps: PREVIEW_FPS, log, preset: 'veryfast' });
  try {
    for (let c = 0; c < cycles; c++) for (const j of pingPongOrder(frames.length)) await sink.write(frames[j]!);
    await sink.finish();
  } catch (error) {
    await sink.abort();
    throw error;
  }
}

/** The image's motion alternatives: one from a motion or guidance file, or N predictor samples. */
async function frameMotions(job: DecomposeJob, image: RgbImage): Promise<FrameMotion[]> {
  const source = job.motionPath
    ? motionFileSource(job.motionPath)
    : await createMotionSource({ mode: job.guidance, seed: job.seed, provider: job.provider, threads: job.threads, log: job.log, ...(job.predictorPath ? { predictorPath: job.predictorPath } : {}) });
  try {
    return await source.frameMotion({ index: 0, cur: image }, job.samples, job.seed);
  } finally {
    await source.release();
  }
}

/**
 * The exposure for an image with known motion: the given one, or for 'auto' estimated from the
 * image itself along its motion (1 when too little moves fast enough). `afb decompose --motion`
 * and `afb edit --motion` use this, so an exported motion file reproduces the editor's animation.
 */
export function imageExposure(exposure: number | 'auto', image: RgbImage, motion: MotionField | undefined, log: Logger): number {
  if (exposure !== 'auto') return exposure;
  if (!motion) return 1;
  const e = pickExposure(exposureCorrelations(image.data, motion)); // estimateClipExposure of this one frame
  log.info(e === undefined ? 'exposure: too little fast motion to estimate it; using 1' : `exposure: estimated ${e.toFixed(2)} of the frame interval`);
  return e ?? 1;
}

/** Run decompose: every output is written atomically; folders are created as needed. */
export async function runDecompose(job: DecomposeJob): Promise<DecomposeSummary> {
  const t0 = performance.now();
  const image = await readImage(job.image);
  const { width, height } = image;
  const maps = await frameMotions(job, image);
  const method = job.method;
  if (method !== 'guidance' && !maps[0]!.motion) throw new InputError(job.guidance, `--method ${method} needs to know how far things moved: give --motion FILE (.flo/.npy), or use --method guidance`);
  const options = { provider: job.provider, threads: job.threads, spinning: true, warn: (m: string) => job.log.warn(m) };
  const models: FrameModels = method === 'guidance'
    ? { guidance: await Decomposer.create(job.modelPath, options) }
    : method === 'learned' ? { motion: await MotionDecomposer.create(job.modelPath, options) } : {};
  const { tile } = chooseTile(job.tile, width, height, job.tileBudgetBytes);
  const outputs: DecomposeOutput[] = [];
  try {
    await ensureWritableDir(job.outDir);
    for (const [k, m] of maps.entries()) {
      const g = m.guidance;
      const dir = maps.length > 1 ? join(job.outDir, `s${k}`) : job.outDir;
      const exposure = m.motion && method !== 'guidance' ? imageExposure(job.exposure, image, m.motion, job.log) : undefined;
      const result = await decomposeFrame(models, {
        index: k, width, height, rgb: image.data, method, guidance: g.data, tile, consistency: job.consistency,
        ...(m.motion && exposure !== undefined ? { motion: m.motion.data, exposure } : {}),
      });
      const plane = width * height * 3;
      const frames: RgbImage[] = Array.from({ length: FRAMES_PER_BLUR }, (_, j) => ({ width, height, data: result.frames.subarray(j * plane, (j + 1) * plane) }));
      const paths = frames.map((_, j) => join(dir, `${String(j).padStart(3, '0')}.png`));
      await Promise.all(frames.map((f, j) => writePng(paths[j]!, f)));
      const guidancePath = job.guidance === 'predict' ? join(dir, 'guidance.png') : undefined;
      if (guidancePath) await writeGuidance(guidancePath, g);
      const previews: string[] = [];
      if (job.gif) previews.push(join(dir, 'preview.gif'));
      if (job.mp4) previews.push(join(dir, 'preview.mp4'));
      for (const p of previews) await writePreview(p, frames, p.endsWith('.gif') ? 1 : MP4_CYCLES, job.log);
      outputs.push({ dir, frames: paths, previews, ...(guidancePath ? { guidance: guidancePath } : {}), ...(exposure !== undefined ? { exposure } : {}) });
      job.log.info(`wrote ${dir}: 7 frames${previews.length ? ` + ${previews.map((p) => p.split('/').pop()).join(', ')}` : ''}`);
    }
  } finally {
    await models.guidance?.release();
    await models.motion?.release();
  }
  const provider = models.guidance?.provider ?? models.motion?.provider ?? 'cpu';
  return { image: job.image, width, height, outputs, method, provider, seconds: (performance.now() - t0) / 1000 };
}
