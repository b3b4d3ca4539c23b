// One editing session of `afb edit`: the blurry image, the decomposition worker pool (the CLI's
// pool), the predictor and the results, behind the operations the page calls.
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { Animation, DirectionInfo, Directions, GuidanceInfo, ImportResult, Region, SessionInfo } from '../../web/editor/protocol.js';
import { FRAMES_PER_BLUR } from '../runtime/decomposer.js';
import type { DecomposePool } from '../frame/pool.js';
import type { Provider } from '../runtime/session.js';
import type { TileShape } from '../math/tiling.js';
import { encodePng } from '../io/image.js';
import type { Logger } from '../log.js';
import { directionVocabulary, findDirection, paintDirections } from '../math/direction-vocabulary.js';
import { movingFraction } from '../math/guidance.js';
import { labelToCode } from '../math/labelme.js';
import type { GuidanceMap, RgbImage } from '../math/types.js';
import { importRegions } from './import.js';
import { parseGuidanceRequest, rasteriseRegions } from './requests.js';
import { ResultStore, type StoredFile } from './result-store.js';

/** Everything a session needs, resolved. */
export interface EditorSessionOptions {
  readonly imagePath: string;
  readonly image: RgbImage;
  readonly pool: DecomposePool;
  /** Tile for the decomposer (0 = whole image). */
  readonly tile: number | TileShape;
  readonly consistency: boolean;
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
    };
  }

  /** The image the decomposer sees, as PNG (encoded once). */
  imagePng(): Promise<Buffer> {
    this.png ??= encodePng(this.o.image, VIEW_PNG_LEVEL);
    return this.png;
  }

  /** api/guidance: the overlay of the regions (the CLI's rasteriser) and each region's vocabulary entry. */
  async guidance(body: unknown): Promise<GuidanceInfo> {
    const { regions, directions } = parseGuidanceRequest(body);
    const g = rasteriseRegions(regions, this.width, this.height, directions);
    const vocabulary = this.vocabulary(directions);
    const png = await encodePng(paintDirections(g, vocabulary), VIEW_PNG_LEVEL);
    const vocabularyIndex = regions.map((r, i) => {
      const code = labelToCode(r.label, directions, i); // valid: the rasteriser accepted every label
      return vocabulary.findIndex((d) => d.code.every((v, k) => v === code[k]));
    });
    return { overlay: `data:image/png;base64,${png.toString('base64')}`, vocabularyIndex, movingFraction: movingFraction(g) };
  }

  /** api/animate: decompose the image with the regions' guidance at the model's direction count. */
  async animate(body: unknown): Promise<Animation> {
    const { regions } = parseGuidanceRequest(body);
    return this.decompose(rasteriseRegions(regions, this.width, this.height, MODEL_DIRECTIONS));
  }

  /**
   * Decompose with a guidance map through the worker pool; the same map twice gives the stored
   * animation back. Frames are kept as PNG: result/ID/0.png..6.png, and guidance.png.
   */
  async decompose(g: GuidanceMap): Promise<Animation> {
    const key = createHash('sha256').update(g.data).digest('hex');
    const known = this.animations.get(key);
    if (known && this.results.has(known.id)) return known;
    const t0 = performance.now();
    const { width, height, data } = this.o.image;
    const result = await this.o.pool.run({ index: this.tasks++, width, height, rgb: data, guidance: g.data, tile: this.o.tile, consistency: this.o.consistency });
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
