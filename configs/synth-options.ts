// Option records of `afb synth` (one record drives the CLI flag, the config-file key and the default).
import { InvalidOptionError } from '../pipeline/errors.js';
import { DEFAULT_PROCEDURAL_CONFIG as D } from '../pipeline/math/procedural/config.js';
import { FLOW_BACKEND_OPTION, FLOW_MODEL_OPTION } from './model-options.js';
import { booleanParser, choiceParser, defineOption, intParser, numberParser, stringParser } from './option-schema.js';

/** Default working width of the guidance flow: 960x540 ground truths are box-averaged 4x to 240x135. */
export const DEFAULT_FLOW_WIDTH = 240;

/** Parse 'WxH' (e.g. 256x256) into [width, height]; both >= 8. */
export function parseSize(raw: unknown, flag: string): [number, number] {
  const m = typeof raw === 'string' ? /^(\d+)x(\d+)$/i.exec(raw.trim()) : null;
  if (!m) throw new InvalidOptionError(flag, 'a size WIDTHxHEIGHT such as 256x256', raw);
  const w = Number(m[1]);
  const h = Number(m[2]);
  if (w < 8 || h < 8 || w > 16384 || h > 16384) throw new InvalidOptionError(flag, 'a size between 8x8 and 16384x16384', raw, 'range');
  return [w, h];
}

/** Parse an exposure fraction 'E' or a range 'MIN-MAX' (0.05 <= MIN <= MAX <= 1) into [min, max]. */
export function parseDutyCycle(raw: unknown, flag: string): [number, number] {
  if (Array.isArray(raw) && raw.length === 2) return parseDutyCycle(raw.join('-'), flag);
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
  const m = /^(\d*\.?\d+)(?:-(\d*\.?\d+))?$/.exec(text);
  const lo = m ? Number(m[1]) : NaN;
  const hi = m?.[2] !== undefined ? Number(m[2]) : lo;
  if (!(lo >= 0.05 && lo <= hi && hi <= 1)) throw new InvalidOptionError(flag, 'an exposure fraction in [0.05, 1] or a range MIN-MAX such as 0.25-1', raw, m ? 'range' : 'type');
  return [lo, hi];
}

/** Parse a comma-separated list of motion files to write: exact, video. */
export function parseMotionFiles(raw: unknown, flag: string): ('exact' | 'video')[] {
  const items = (Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? raw.split(',') : []).map((s) => s.trim()).filter((s) => s !== '');
  for (const item of items) if (item !== 'exact' && item !== 'video') throw new InvalidOptionError(flag, 'a comma-separated list of exact, video', raw);
  return [...new Set(items)] as ('exact' | 'video')[];
}

/** Records shared by both synth modes. */
export const SYNTH_COMMON_OPTIONS = [
  defineOption({ key: 'output', flag: '-o, --output <dir>', description: 'dataset root folder to write (required)', default: '', parse: stringParser }),
  defineOption({ key: 'layout', flag: '--layout <name>', description: "folder naming: genblur (trend+/) or baistpp (trend+_avg/ and blur_anno/ bbox .pkl)", default: 'genblur' as 'genblur' | 'baistpp', parse: choiceParser(['genblur', 'baistpp'] as const) }),
  defineOption({ key: 'guidanceRes', flag: '--guidance-res <res>', description: 'guidance .npy resolution: full or half (2x2 mean of the flow, then quantised)', default: 'full' as 'full' | 'half', parse: choiceParser(['full', 'half'] as const) }),
  defineOption({ key: 'pngLevel', flag: '--png-level <n>', description: 'PNG zlib level 0-9 (3: close to 6 in size, faster)', default: 3, parse: intParser(0, 9) }),
  defineOption({ key: 'force', flag: '--force', description: 'regenerate even if the existing dataset was made with a different config', default: false, parse: booleanParser }),
  defineOption({ key: 'motionFiles', flag: '--motion-files <list>', description: 'also write motion .npy files: exact (motion/, the scene\'s true motion; procedural only) and/or video (motion_video/, estimated from the blurry frames as afb video does)', default: [] as ('exact' | 'video')[], parse: parseMotionFiles }),
  defineOption({ key: 'dutyCycle', flag: '--duty-cycle <e>', description: 'exposure fraction: the shutter is open for e of each frame interval (1 = contiguous exposures); procedural also takes a range MIN-MAX drawn per video', default: [1, 1] as [number, number], parse: parseDutyCycle }),
] as const;

/** Records of procedural generation (`--procedural`). */
export const SYNTH_PROCEDURAL_OPTIONS = [
  defineOption({ key: 'procedural', flag: '--procedural', description: 'render scenes from photos under random camera and sprite motion (no input videos)', default: false, parse: booleanParser }),
  defineOption({ key: 'photos', flag: '--photos <dir>', description: 'folder of photos (e.g. data/photos/train from scripts/build-photo-pool.sh)', default: '', parse: stringParser }),
  defineOption({ key: 'count', flag: '--count <n>', description: 'number of blurry frames (samples) to generate', default: 1000, parse: intParser(1, 100_000_000) }),
  defineOption({ key: 'seed', flag: '--seed <n>', description: 'random seed; sample content depends only on (seed, video index, config)', default: 1, parse: intParser(0, 0xffffffff) }),
  defineOption({ key: 'split', flag: '--split <name>', description: 'split the videos are listed under: train or valid', default: 'train' as 'train' | 'valid', parse: choiceParser(['train', 'valid'] as const) }),
  defineOption({ key: 'size', flag: '--size <WxH>', description: 'frame size', default: [D.width, D.height] as [number, number], parse: parseSize }),
  defineOption({ key: 'subframes', flag: '--subframes <n>', description: 'most sub-frames averaged per exposure (a multiple of 7; 7 x odd puts ground truths at slice centres)', default: D.subframes, parse: intParser(7, 7 * 1001) }),
  defineOption({ key: 'subframeStep', flag: '--subframe-step <px>', description: 'fewer sub-frames for slower exposures, keeping steps <= this many pixels (0: always --subframes)', default: 1.5, parse: numberParser(0, 100) }),
  defineOption({ key: 'framesPerVideo', flag: '--frames-per-video <n>', description: 'contiguous exposures per video', default: D.framesPerVideo, parse: intParser(1, 100_000) }),
  defineOption({ key: 'maxSprites', flag: '--max-sprites <n>', description: 'most independently moving sprites per video (0-16)', default: D.sprites.maxCount, parse: intParser(0, 16) }),
  defineOption({ key: 'cameraShift', flag: '--camera-shift <px>', description: 'largest background translation per exposure, pixels', default: D.camera.maxShift, parse: numberParser(0, 10_000) }),
  defineOption({ key: 'spriteShift', flag: '--sprite-shift <px>', description: 'largest sprite translation per exposure, pixels', default: D.sprites.maxShift, parse: numberParser(0, 10_000) }),
  defineOption({ key: 'cameraRotation', flag: '--camera-rotation <deg>', description: 'largest background rotation per exposure, degrees', default: D.camera.maxRotation, parse: numberParser(0, 90) }),
  defineOption({ key: 'spriteRotation', flag: '--sprite-rotation <deg>', description: 'largest sprite rotation per exposure, degrees', default: D.sprites.maxRotation, parse: numberParser(0, 90) }),
  defineOption({ key: 'cameraZoom', flag: '--camera-zoom <frac>', description: 'largest background zoom per exposure (0.03 = 3 %)', default: D.camera.maxZoom, parse: numberParser(0, 0.5) }),
  defineOption({ key: 'spriteZoom', flag: '--sprite-zoom <frac>', description: 'largest sprite zoom per exposure', default: D.sprites.maxZoom, parse: numberParser(0, 0.5) }),
  defineOption({ key: 'staticThreshold', flag: '--static-threshold <px>', description: 'aggregate flow below this magnitude is static guidance', default: D.staticThreshold, parse: numberParser(0, 1000) }),
] as const;

/** Records of synthesis from footage (`afb synth INPUT...`). */
export const SYNTH_FOOTAGE_OPTIONS = [
  defineOption({ key: 'window', flag: '--window <n>', description: 'sub-frames averaged per blurry frame, after --interpolate (default 49 = 7 x 7: ground truths at slice centres)', default: 49, parse: intParser(1, 100_000) }),
  defineOption({ key: 'gap', flag: '--gap <n>', description: 'sub-frames skipped between windows (duty cycle below 100 %)', default: 0, parse: intParser(0, 100_000) }),
  defineOption({ key: 'curve', flag: '--curve <curve>', description: 'transfer curve for linear-light averaging: srgb or gamma2.2', default: 'srgb' as 'srgb' | 'gamma2.2', parse: choiceParser(['srgb', 'gamma2.2'] as const) }),
  defineOption({ key: 'interpolate', flag: '--interpolate <k>', description: 'temporal up-sampling: K sub-frames per input frame interval (K-1 flow-interpolated); 1 = off', default: 1, parse: intParser(1, 64) }),
  defineOption({ key: 'gts', flag: '--gts <n>', description: 'ground-truth sharp frames per blurry frame', default: 7, parse: intParser(2, 1000) }),
  defineOption({ key: 'resize', flag: '--resize <WxH>', description: 'scale every frame to this size (e.g. 960x540) before synthesis; see --fit', default: undefined as [number, number] | undefined, parse: parseSize }),
  defineOption({ key: 'fit', flag: '--fit <mode>', description: 'with --resize: cover (keep the aspect ratio, centre-crop the excess) or stretch (scale each axis, distorts)', default: 'cover' as 'cover' | 'stretch', parse: choiceParser(['cover', 'stretch'] as const) }),
  defineOption({ key: 'validFraction', flag: '--valid-fraction <f>', description: 'list this fraction of the input videos (evenly spread by name) as valid; 0 = all in --split', default: 0, parse: numberParser(0, 1) }),
  FLOW_BACKEND_OPTION,
  defineOption({ key: 'flowWidth', flag: '--flow-width <px>', description: 'guidance flow is estimated on ground truths box-downscaled to about this width', default: DEFAULT_FLOW_WIDTH, parse: intParser(8, 16384) }),
  FLOW_MODEL_OPTION,
] as const;
