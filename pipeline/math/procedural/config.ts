// Settings of procedural scene generation, with every default written out. Pure: no I/O.

/** Random motion ranges of one kind of layer (the camera/background or the sprites). */
export interface MotionRange {
  /** Largest translation of the layer during one exposure, pixels (drawn uniformly in 0..max). */
  readonly maxShift: number;
  /** Largest rotation during one exposure, degrees. */
  readonly maxRotation: number;
  /** Largest zoom during one exposure, as a fraction of size (0.03 = 3 %). */
  readonly maxZoom: number;
  /** Probability that the layer does not move at all in a video. */
  readonly staticProb: number;
  /** Probability of slow motion (at most `slowShift` px per exposure). */
  readonly slowProb: number;
}

/** Everything that shapes a procedural dataset (the manifest records it; its hash guards resume). */
export interface ProceduralConfig {
  readonly width: number;
  readonly height: number;
  /** Exposures (blurry frames) per video; consecutive exposures are contiguous in time. */
  readonly framesPerVideo: number;
  /** Largest number of sub-frames averaged per exposure (a multiple of the ground-truth count). */
  readonly subframes: number;
  /** Sub-frames are added until no pixel moves more than this many pixels between two of them
   * (fewer sub-frames for slow exposures); 0 = always `subframes`. */
  readonly subframeStep: number;
  /** Ground-truth frames per exposure. */
  readonly numGts: number;
  readonly camera: MotionRange;
  readonly sprites: MotionRange & {
    /** Most sprites per video; the count is drawn from 0..maxCount. */
    readonly maxCount: number;
    /** Sprite radius range as a fraction of min(width, height). */
    readonly minRadius: number;
    readonly maxRadius: number;
  };
  /** Upper bound of "slow" motion, pixels per exposure. */
  readonly slowShift: number;
  /** Largest upscaling of a photo (a small photo is magnified at most this much, then mirrored). */
  readonly maxUpscale: number;
  /** Guidance resolution: full frame or half (2x2 mean of the flow, then quantised). */
  readonly guidanceRes: 'full' | 'half';
  /** Static threshold of the guidance quantiser (aggregate flow magnitude, pixels). */
  readonly staticThreshold: number;
  /** Exposure fraction (shutter open for this part of each frame interval): each video draws its
   * own uniformly in [min, max]; [1, 1] = contiguous exposures. */
  readonly dutyCycle: readonly [number, number];
}

/** The defaults: 256x256, 8 exposures per video, up to 49 sub-frames spaced <= 1 px, 0-4 sprites. */
export const DEFAULT_PROCEDURAL_CONFIG: ProceduralConfig = {
  width: 256,
  height: 256,
  framesPerVideo: 8,
  subframes: 49, // 7 x 7: odd k puts each ground-truth frame exactly at the centre of its slice
  subframeStep: 1,
  numGts: 7,
  camera: { maxShift: 32, maxRotation: 1.5, maxZoom: 0.03, staticProb: 0.2, slowProb: 0.15 },
  sprites: { maxShift: 48, maxRotation: 6, maxZoom: 0.05, staticProb: 0.1, slowProb: 0.15, maxCount: 4, minRadius: 0.08, maxRadius: 0.3 },
  slowShift: 1.5,
  maxUpscale: 1.5,
  guidanceRes: 'full',
  staticThreshold: 0.5,
  dutyCycle: [1, 1],
};

/** Check a config; RangeError naming the bad field and value. */
export function validateProceduralConfig(c: ProceduralConfig): void {
  const bad = (field: string, expected: string, value: unknown): never => {
    throw new RangeError(`Expected ${expected} for ${field} but received ${JSON.stringify(value)}`);
  };
  const posInt = (field: string, v: number, min = 1) => { if (!Number.isInteger(v) || v < min) bad(field, `an integer >= ${min}`, v); };
  posInt('width', c.width, 8);
  posInt('height', c.height, 8);
  posInt('framesPerVideo', c.framesPerVideo);
  posInt('numGts', c.numGts, 2);
  posInt('subframes', c.subframes, c.numGts);
  if (c.subframes % c.numGts !== 0) bad('subframes', `a multiple of ${c.numGts}`, c.subframes);
  if (!(c.subframeStep >= 0)) bad('subframeStep', 'a number >= 0', c.subframeStep);
  for (const [name, r] of [['camera', c.camera], ['sprites', c.sprites]] as const) {
    if (!(r.maxShift >= 0)) bad(`${name}.maxShift`, 'a number >= 0', r.maxShift);
    if (!(r.maxRotation >= 0)) bad(`${name}.maxRotation`, 'a number >= 0', r.maxRotation);
    if (!(r.maxZoom >= 0 && r.maxZoom < 1)) bad(`${name}.maxZoom`, 'a number in [0, 1)', r.maxZoom);
    if (!(r.staticProb >= 0 && r.slowProb >= 0 && r.staticProb + r.slowProb <= 1)) bad(`${name}.staticProb + slowProb`, 'probabilities summing to <= 1', [r.staticProb, r.slowProb]);
  }
  posInt('sprites.maxCount', c.sprites.maxCount, 0);
  if (c.sprites.maxCount > 16) bad('sprites.maxCount', 'an integer in [0, 16]', c.sprites.maxCount);
  if (!(c.sprites.minRadius > 0 && c.sprites.minRadius <= c.sprites.maxRadius && c.sprites.maxRadius <= 1)) {
    bad('sprites.minRadius/maxRadius', '0 < min <= max <= 1', [c.sprites.minRadius, c.sprites.maxRadius]);
  }
  if (!(c.maxUpscale >= 1)) bad('maxUpscale', 'a number >= 1', c.maxUpscale);
  if (!(c.staticThreshold >= 0)) bad('staticThreshold', 'a number >= 0', c.staticThreshold);
  const [d0, d1] = c.dutyCycle;
  if (!(d0 >= 0.05 && d0 <= d1 && d1 <= 1)) bad('dutyCycle', '0.05 <= min <= max <= 1', c.dutyCycle);
}
