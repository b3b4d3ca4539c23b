// One editing session of `afb edit`: the blurry image, the decomposition worker pool (the CLI's
// pool), the predictor and the results, behind the operations the page calls.
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { Animation, DirectionInfo, Directions, GuidanceInfo, ImportResult, Region, SessionInfo } from '../../web/editor/protocol.js';
import { FRAMES_PER_BLUR } from '../runtime/decomposer.js';
import type { DecomposeTask } from '../frame/decompose-frame.js';
import type { DecomposePool } from '../frame/pool.js';
import type { Provider } from '../runtime/session.js';
import type { TileShape } from '../math/tiling.js';
import { encodePng } from '../io/image.js';
import type { Logger } from '../log.js';
import { directionVocabulary, findDirection, paintDirections } from '../math/direction-vocabulary.js';
import { movingFraction, quantizeFlow } from '../math/guidance.js';
import { labelToCode } from '../math/labelme.js';
import type { MotionField } from '../math/motion/motion-field.js';
import type { GuidanceMap, RgbImage } from '../math/types.js';
import { importRegions } from './import.js';
import { arrowsOf, decomposeMotionTask, type KnownMotion } from './known-motion.js';
import { overrideRegions, parseGuidanceRequest, rasteriseRegions } from './requests.js';
import { ResultStore, type StoredFile } from './result-store.js';

/** Everything a session needs, resolved. */
export interface EditorSessionOptions {
  readonly imagePath: string;
  readonly image: RgbImage;
  readonly pool: DecomposePool;
  /** Tile for the decomposer (0 = whole image). */
  readonly tile: number | TileShape;
  readonly consistency: boolean;
  /** Learned method: self-ensemble size (1, 2, 4, 8). */
  readonly ensemble?: number;
  readonly directions: Directions;
  readonly predictorPath?: string;
  /** Execution provider and intra-op threads of the predictor session. */
  readonly provider: Provider;
  readonly threads: number;
  /** Why there is no predictor (shown by the page), when predictorPath is missing. */
  readonly predictorError?: string;
  readonly samples: number;
  readonly seed: number;
  readonly outputDir?: string;
  readonly regions?: readonly Region[];
  /** The image's known motion (--motion), which the regions override. */
  readonly motion?: KnownMotion;
  readonly log: Logger;
  readonly storeBytes?: number;
}

/** Direction count of the decomposition model's guidance (2 channels). */
export const MODEL_DIRECTIONS: Directions = 4;

const VOCABULARIES: Record<Directions, DirectionInfo[]> = { 2: directionVocabulary(2), 4: directionVocabulary(4), 8: directionVocabulary(8), 16: directionVocabulary(16) };

/** PNG level for frames shown in the page: fast to write, the pixels are the same at any level. */
const VIEW_PNG_LEVEL = 1;

/** The session; the server calls its methods with the parsed request bodies. */
export class EditorSession {
  readonly results: ResultStore;
  private png?: Promise<Buffer>;
  private tasks = 0;
  /** Animation of a guidance map already decomposed, by the hash of the map. */
  private readonly animations = new Map<string, Animation>();

  constructor(readonly o: EditorSessionOptions) {
    this.results = new ResultStore(o.storeBytes);
  }

  get width(): number {
    return this.o.image.width;
  }

  get height(): number {
    return this.o.image.height;
  }

  /** The vocabulary of a direction count. */
  vocabulary(directions: Directions): DirectionInfo[] {
    return VOCABULARIES[directions];
  }

  /** The label of a code in a direction count's vocabulary. */
  labelOf(code: readonly number[], directions: Directions = MODEL_DIRECTIONS): string {
    const d = findDirection(this.vocabulary(directions), code);
    if (!d) throw new RangeError(`No ${directions}-direction label has the code [${code.join(', ')}]`);
    return d.label;
  }

  /** What the page needs to start. */
  info(): SessionInfo {
    const { o } = this;
    return {
      image: { name: basename(o.imagePath), width: this.width, height: this.height },
      directions: o.directions,
      vocabularies: VOCABULARIES,
      modelDirections: MODEL_DIRECTIONS,
      frames: FRAMES_PER_BLUR,
      samples: o.samples,
      seed: o.seed,
      suggestError: o.predictorPath ? null : (o.predictorError ?? 'no guidance predictor'),
      outputDir: o.outputDir ?? null,
      regions: o.regions ?? [],
      motion: o.motion ? { file: basename(o.motion.path), method: o.motion.method, exposure: o.motion.exposure } : null,
    };
  }

  /** The image the decomposer sees, as PNG (encoded once). */
  imagePng(): Promise<Buffer> {
    this.png ??= encodePng(this.o.image, VIEW_PNG_LEVEL);
    return this.png;
  }

  /** The known motion with the regions overriding it (pipeline/math/motion/override.ts); needs --motion. */
  composedMotion(regions: readonly Region[]): MotionField {
    if (!this.o.motion) throw new Error('This session has no known motion');
    return overrideRegions(this.o.motion.field, regions);
  }

  /**
   * The guidance of the regions: without a known motion, their rasterisation (the CLI's
   * rasteriser); with one, the composed motion quantised to `directions`.
   */
  guidanceOf(regions: readonly Region[], directions: Directions): GuidanceMap {
    if (!this.o.motion) return rasteriseRegions(regions, this.width, this.height, directions);
    return quantizeFlow(this.composedMotion(regions), { directions });
  }

  /**
   * api/guidance: the overlay of the regions' guidance (guidanceOf), each region's vocabulary
   * entry, and with a known motion the composed motion as arrows.
   */
  async guidance(body: unknown): Promise<GuidanceInfo> {
    const { regions, directions } = parseGuidanceRequest(body);
    const composed = this.o.motion ? this.composedMotion(regions) : undefined;
    const g = composed ? quantizeFlow(composed, { directions }) : rasteriseRegions(regions, this.width, this.height, directions);
    const vocabulary = this.vocabulary(directions);
    const png = await encodePng(paintDirections(g, vocabulary), VIEW_PNG_LEVEL);
    const vocabularyIndex = regions.map((r, i) => {
      const code = labelToCode(r.label, directions, i); // valid: the rasteriser accepted every label
      return vocabulary.findIndex((d) => d.code.every((v, k) => v === code[k]));
    });
    return { overlay: `data:image/png;base64,${png.toString('base64')}`, vocabularyIndex, movingFraction: movingFraction(g), arrows: composed ? arrowsOf(composed) : null };
  }

  /** api/animate: the regions' animation (animateRegions). */
  async animate(body: unknown): Promise<Animation> {
    return this.animateRegions(parseGuidanceRequest(body).regions);
  }

  /**
   * Decompose the image as the regions say: without a known motion, with their guidance at the
   * model's direction count; with one, with the composed motion by the session's method (what
   * `afb decompose IMAGE --motion EXPORTED.flo` does).
   */
  animateRegions(regions: readonly Region[]): Promise<Animation> {
    if (!this.o.motion) return this.decompose(rasteriseRegions(regions, this.width, this.height, MODEL_DIRECTIONS));
    return this.decomposeMotion(this.composedMotion(regions));
  }

  /** Decompose with a guidance map (the guidance-only network); see run(). */
  decompose(g: GuidanceMap): Promise<Animation> {
    return this.run(createHash('sha256').update(g.data).digest('hex'), g, () => ({ guidance: g.data }));
  }

  /** Decompose with a motion field by the known motion's method (exposure per --exposure); see run(). */
  decomposeMotion(m: MotionField): Promise<Animation> {
    const known = this.o.motion!;
    const key = createHash('sha256').update(known.method).update(new Uint8Array(m.data.buffer, m.data.byteOffset, m.data.byteLength)).digest('hex');
    const g = quantizeFlow(m);
    return this.run(key, g, () => decomposeMotionTask(known, this.o.image, m, g, this.o.log));
  }

  /**
   * Decompose through the worker pool with the task fields `task()` gives (called only when the
   * key is not already animated: the same input twice gives the stored animation back). Frames are
   * kept as PNG: result/ID/0.png..6.png, and guidance.png (4-direction colours of `g`).
   */
  private async run(key: string, g: GuidanceMap, task: () => Pick<DecomposeTask, 'method' | 'guidance' | 'motion' | 'exposure'>): Promise<Animation> {
    const known = this.animations.get(key);
    if (known && this.results.has(known.id)) return known;
    const t0 = performance.now();
    const { width, height, data } = this.o.image;
    const fields = task();
    const result = await this.o.pool.run({ index: this.tasks++, width, height, rgb: data, tile: this.o.tile, consistency: this.o.consistency, ...(fields.method === 'learned' && this.o.ensemble ? { ensemble: this.o.ensemble } : {}), ...fields });
    const plane = width * height * 3;
    const files = new Map<string, StoredFile>();
    const pngs = await Promise.all(Array.from({ length: FRAMES_PER_BLUR }, (_, j) => encodePng({ width, height, data: result.frames.subarray(j * plane, (j + 1) * plane) }, VIEW_PNG_LEVEL)));
    pngs.forEach((body, j) => files.set(`${j}.png`, { type: 'image/png', body }));
    files.set('guidance.png', { type: 'image/png', body: await encodePng(paintDirections(g, this.vocabulary(MODEL_DIRECTIONS)), VIEW_PNG_LEVEL) });
    const id = this.results.put(files);
    const animation: Animation = {
      id,
      frames: pngs.map((_, j) => `result/${id}/${j}.png`),
      guidance: `result/${id}/guidance.png`,
      seconds: (performance.now() - t0) / 1000,
      ...(fields.exposure !== undefined ? { exposure: fields.exposure } : {}),
    };
    this.animations.set(key, animation);
    this.o.log.info(`editor: animated ${width}x${height} in ${animation.seconds.toFixed(1)} s`);
    return animation;
  }

  /** api/import: a labelme annotation as regions on this image (see importRegions). */
  importLabelme(text: string): ImportResult {
    return importRegions(text, this.width, this.height);
  }
}
