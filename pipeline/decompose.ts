// `afb decompose`: one blurry image -> 7 sharp frames per guidance (from a file or N predictor
// samples), written as DIR/{j:03d}.png (or DIR/s{k}/ for several samples) plus optional previews.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cancelledBy, InputError } from './errors.js';
import { Decomposer, FRAMES_PER_BLUR } from './runtime/decomposer.js';
import { MotionDecomposer } from './runtime/motion-decomposer.js';
import { exposureCorrelations, pickExposure } from './math/motion/exposure.js';
import { createMotionSource, motionFileSource, type FrameMotion } from './motion/source.js';
import type { Provider } from './runtime/session.js';
import type { DecomposeMethod } from '../configs/model-options.js';
import { decomposeFrame, motionTaskFields, type FrameModels } from './frame/decompose-frame.js';
import { writeFolderAtomically } from './io/folder-output.js';
import { openPreviewSink, openVideoSink } from './io/frame-sink.js';
import { writeGuidance } from './io/guidance-io.js';
import { encodePng, readImage, readImageLossNotes } from './io/image.js';
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
  /** Learned method: self-ensemble size (1, 2, 4, 8; default 1). */
  readonly ensemble?: number;
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
  /** Cancels between network runs (one run of the network cannot be interrupted). */
  readonly signal?: AbortSignal;
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

/**
 * Run decompose. The whole output folder is one unit: everything is written into a temporary
 * folder next to it, which replaces `outDir` only when complete (a full disk, an error or a
 * cancel leaves `outDir` as it was). Callers check first that `outDir` may be replaced.
 */
export async function runDecompose(job: DecomposeJob): Promise<DecomposeSummary> {
  const t0 = performance.now();
  const image = await readImage(job.image);
  for (const note of await readImageLossNotes(job.image)) job.log.warn(note);
  const { width, height } = image;
  const maps = await frameMotions(job, image);
  const method = job.method;
  if (method !== 'guidance' && !maps[0]!.motion) throw new InputError(job.guidance, `--method ${method} needs to know how far things moved: give --motion FILE (.flo/.npy), or use --method guidance`);
  const options = { provider: job.provider, threads: job.threads, spinning: true, warn: (m: string) => job.log.warn(m) };
  const models: FrameModels = method === 'guidance'
    ? { guidance: await Decomposer.create(job.modelPath, options) }
    : method === 'learned' ? { motion: await MotionDecomposer.create(job.modelPath, options) } : {};
  const { tile } = chooseTile(job.tile, width, height, job.tileBudgetBytes, method, job.ensemble);
  const checkCancel = () => {
    if (job.signal?.aborted) throw cancelledBy(job.signal);
  };
  try {
    const outputs = await writeFolderAtomically(job.outDir, async (tmp) => {
      const written: DecomposeOutput[] = [];
      for (const [k, m] of maps.entries()) {
        checkCancel();
        const g = m.guidance;
        const sub = maps.length > 1 ? `s${k}` : '';
        const [dir, final] = [join(tmp, sub), join(job.outDir, sub)];
        await mkdir(dir, { recursive: true });
        const exposure = m.motion && method !== 'guidance' ? imageExposure(job.exposure, image, m.motion, job.log) : undefined;
        const result = await decomposeFrame(models, {
          index: k, width, height, rgb: image.data, method, guidance: g.data, tile, consistency: job.consistency, ensemble: job.ensemble ?? 1,
          ...(m.motion && exposure !== undefined ? { ...motionTaskFields(m.motion), exposure } : {}),
        });
        checkCancel();
        const plane = width * height * 3;
        const frames: RgbImage[] = Array.from({ length: FRAMES_PER_BLUR }, (_, j) => ({ width, height, data: result.frames.subarray(j * plane, (j + 1) * plane) }));
        const names = frames.map((_, j) => `${String(j).padStart(3, '0')}.png`);
        // allSettled: no write may still be running when a failure removes the temporary folder
        const writes = await Promise.allSettled(frames.map(async (f, j) => writeFile(join(dir, names[j]!), await encodePng(f))));
        const failed = writes.find((w): w is PromiseRejectedResult => w.status === 'rejected');
        if (failed) throw failed.reason;
        if (job.guidance === 'predict') await writeGuidance(join(dir, 'guidance.png'), g);
        const previews = [...(job.gif ? ['preview.gif'] : []), ...(job.mp4 ? ['preview.mp4'] : [])];
        for (const p of previews) await writePreview(join(dir, p), frames, p.endsWith('.gif') ? 1 : MP4_CYCLES, job.log);
        written.push({
          dir: final, frames: names.map((n) => join(final, n)), previews: previews.map((p) => join(final, p)),
          ...(job.guidance === 'predict' ? { guidance: join(final, 'guidance.png') } : {}),
          ...(exposure !== undefined ? { exposure } : {}),
        });
      }
      return written;
    });
    for (const o of outputs) job.log.info(`wrote ${o.dir}: 7 frames${o.previews.length ? ` + ${o.previews.map((p) => p.split('/').pop()).join(', ')}` : ''}`);
    const provider = models.guidance?.provider ?? models.motion?.provider ?? 'cpu';
    return { image: job.image, width, height, outputs, method, provider, seconds: (performance.now() - t0) / 1000 };
  } finally {
    await models.guidance?.release();
    await models.motion?.release();
  }
}
