// The editor's HTTP protocol: the JSON bodies the page and `afb edit`'s server exchange. Types
// only (no DOM, no node:*), shared by the browser code and the server.

/** Direction counts of the labelme vocabulary. */
export type Directions = 2 | 4 | 8 | 16;

/** One direction choice (see pipeline/math/direction-vocabulary.ts). */
export interface DirectionInfo {
  readonly label: string;
  readonly code: readonly number[];
  /** Screen degrees (0 = right, 90 = up); null for static. */
  readonly angle: number | null;
  readonly colour: readonly [number, number, number];
}

/** A region as labelme stores it: points in image pixels, (0, 0) the image's top-left corner. */
export interface Region {
  label: string;
  points: [number, number][];
  /** 'polygon', 'rectangle' (two corners) or 'circle' (centre, a point on the circle). */
  shapeType: string;
}

/** How a frame is decomposed (configs/model-options.ts METHODS). */
export type Method = 'learned' | 'physics' | 'guidance';

/** The image's known motion (`afb edit IMAGE --motion FILE`). */
export interface MotionInfo {
  /** The motion file's name. */
  readonly file: string;
  /** How Animate decomposes the image with the motion (--method). */
  readonly method: Method;
  /** --exposure: a fraction of the frame interval, or 'auto' (estimated at each Animate). */
  readonly exposure: number | 'auto';
}

/** GET api/session. */
export interface SessionInfo {
  readonly image: { readonly name: string; readonly width: number; readonly height: number };
  /** Direction count the page starts with (--directions). */
  readonly directions: Directions;
  readonly vocabularies: Readonly<Record<string, readonly DirectionInfo[]>>;
  /** The decomposition model's direction count (Animate rasterises at this count). */
  readonly modelDirections: Directions;
  readonly frames: number;
  /** Predictor samples per Suggest and their seed (--samples, --seed). */
  readonly samples: number;
  readonly seed: number;
  /** Why Suggest is unavailable (no predictor), if it is. */
  readonly suggestError: string | null;
  /** Export folder given with -o, if any. */
  readonly outputDir: string | null;
  /** Regions to start with (--labelme). */
  readonly regions: readonly Region[];
  /** The known motion, which the regions override; null without --motion. */
  readonly motion: MotionInfo | null;
}

/** POST api/guidance, api/animate, api/export: the regions and the vocabulary they use. */
export interface GuidanceRequest {
  readonly regions: readonly Region[];
  readonly directions: Directions;
}

/** Answer of api/guidance. */
export interface GuidanceInfo {
  /** The overlay picture (image size) as a data: URL. */
  readonly overlay: string;
  /** Per region: the index of its code in the vocabulary (-1: none). */
  readonly vocabularyIndex: readonly number[];
  readonly movingFraction: number;
  /** With a known motion: the motion the regions leave (composed) as a grid of arrows; else null. */
  readonly arrows: MotionArrows | null;
}

/** A motion field as arrows, one per moving cell (pipeline/math/motion/arrow-grid.ts). */
export interface MotionArrows {
  /** Cell side, image pixels. */
  readonly cell: number;
  /** Longest arrow, pixels per frame interval (the page scales it to about one cell). */
  readonly maxSpeed: number;
  /** [x, y, u, v, quadrant]: cell centre (image pixels), mean motion (pixels per frame interval,
   * +y down), quadrant 1..4 (the index of its direction in the 4-direction vocabulary). */
  readonly arrows: readonly (readonly [number, number, number, number, number])[];
}

/** One decomposition: URLs (relative to the page) of its frames and guidance picture. */
export interface Animation {
  readonly id: string;
  readonly frames: readonly string[];
  readonly guidance: string;
  readonly seconds: number;
  /** With a known motion (methods learned and physics): the exposure used. */
  readonly exposure?: number;
}

/** POST api/suggest. */
export interface SuggestRequest {
  readonly count: number;
  readonly seed: number;
}

/** One predictor sample: its animation and its map as regions (4-direction labels). */
export interface Suggestion extends Animation {
  readonly sample: number;
  readonly regions: readonly Region[];
}

/** Answer of api/import. */
export interface ImportResult {
  readonly regions: readonly Region[];
  /** The annotation was made on a copy of another size: points were scaled by this factor (x, y). */
  readonly scale: readonly [number, number] | null;
}

/** One exported file. */
export interface ExportedFile {
  readonly name: string;
  readonly url: string;
  readonly bytes: number;
}

/** Answer of api/export. */
export interface ExportResult {
  readonly files: readonly ExportedFile[];
  /** Folder the files were also written to (-o), or null. */
  readonly savedTo: string | null;
}

/** Error answers: { error } with an HTTP status >= 400. */
export interface ErrorBody {
  readonly error: string;
}

/** The page's read-only hook, window.afbEditor, for scripts and the browser tests. */
export interface EditorHook {
  /** A copy of the regions. */
  regions(): Region[];
  /** Page (client) coordinates of an image point. */
  toClient(x: number, y: number): [number, number];
  /** Frames shown since the last animation was loaded. */
  shownFrames(): number[];
  directions(): Directions;
  /** The motion arrows drawn by the last render (image pixels; u, v in pixels per frame interval): none when hidden or without a known motion. */
  motionArrows(): { x: number; y: number; u: number; v: number }[];
}
