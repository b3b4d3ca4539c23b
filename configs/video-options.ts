// Option records of `afb video` and `afb decompose` (one record drives the CLI flag, the config
// key and the default). Pure: no I/O.
import { InvalidOptionError } from '../pipeline/errors.js';
import { parseRational } from '../pipeline/math/rational.js';
import type { Rational } from '../pipeline/math/types.js';
import { CODEC_OPTIONS } from './codec-options.js';
import {
  ENSEMBLE_OPTION, EXPOSURE_OPTION, FLOW_BACKENDS, FLOW_MODEL_OPTION, guidanceOption, METHOD_OPTION, MODEL_OPTION, PREDICTOR_OPTION, PROVIDER_OPTION, SEED_OPTION,
  type FlowBackend,
} from './model-options.js';
import { stringParser } from './option-schema.js';
import { booleanParser, choiceParser, defineOption, intParser, numberParser, optional } from './option-schema.js';

/** Containers a batch run may write (png = a folder of PNG frames per input). */
export const CONTAINERS = ['mp4', 'mkv', 'mov', 'webm', 'png'] as const;
export type Container = (typeof CONTAINERS)[number];

/** --tile: 'auto' (by memory budget), 'off'/0 (whole frames) or a side in [64, 16384] that is a multiple of 4 (the network's stride). */
export function parseTile(raw: unknown, flag: string): number | 'auto' {
  if (raw === 'auto') return 'auto';
  if (raw === 'off' || raw === 0 || raw === '0') return 0;
  const expected = 'auto, off or a multiple of 4 in [64, 16384]';
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isInteger(n)) throw new InvalidOptionError(flag, expected, raw);
  if (n < 64 || n > 16384 || n % 4 !== 0) throw new InvalidOptionError(flag, expected, raw, 'range');
  return n;
}

/** --force: the shared record (video and decompose); what it forces is said in each command's docs. */
const FORCE_OPTION = defineOption({
  key: 'force', flag: '--force',
  description: 'replace an existing output folder that afb did not write; batch mode: also redo outputs that already exist (default: skip them, so a re-run resumes). Never replaces an input',
  default: false, parse: booleanParser,
});

/** --fps: a rate like 30, 29.97 or 30000/1001. */
export function parseFps(raw: unknown, flag: string): Rational {
  const r = typeof raw === 'string' ? parseRational(raw) : typeof raw === 'number' ? parseRational(String(raw)) : undefined;
  if (!r || !(r.num > 0)) throw new InvalidOptionError(flag, 'a frame rate like 30, 29.97 or 30000/1001', raw);
  return r;
}

/** Options shared by video and decompose: the method and its model, provider, tiling, consistency. */
export const MODEL_OPTIONS = [
  METHOD_OPTION,
  EXPOSURE_OPTION,
  ENSEMBLE_OPTION,
  MODEL_OPTION,
  PREDICTOR_OPTION,
  PROVIDER_OPTION,
  defineOption({ key: 'tile', flag: '--tile <size>', description: 'process frames in overlapping tiles of this size (multiple of 4), "auto" (by memory budget) or "off"', default: 'auto' as number | 'auto', parse: parseTile }),
  defineOption({ key: 'memory', flag: '--memory <MiB>', description: 'memory budget for inference, all workers together, MiB: with --tile auto, frames that would exceed it are processed in tiles sized to fit (0 = no limit; default 768 per worker, at most half the RAM)', default: undefined as number | undefined, parse: optional(intParser(0, 1 << 24)) }),
  defineOption({ key: 'consistency', flag: '--consistency', description: 'adjust the 7 frames so that their mean in linear light equals the blurry input', default: false, parse: booleanParser }),
  SEED_OPTION,
] as const;

/** Options of `afb video`. */
export const VIDEO_OPTIONS = [
  ...MODEL_OPTIONS,
  guidanceOption(['video', 'predict'], 'video', true),
  defineOption({ key: 'flow', flag: '--flow <backend>', description: `flow backend for --guidance video: ${FLOW_BACKENDS.join(', ')}`, default: 'builtin' as FlowBackend, parse: choiceParser<FlowBackend>(FLOW_BACKENDS) }),
  FLOW_MODEL_OPTION,
  defineOption({ key: 'slowmo', flag: '--slowmo', description: 'write at the input frame rate (7x slow motion, no audio) instead of 7x the rate', default: false, parse: booleanParser }),
  defineOption({ key: 'fps', flag: '--fps <rate>', description: 'frame rate of a frame-folder input (default 30)', default: undefined, parse: optional(parseFps) }),
  defineOption({ key: 'start', flag: '--start <seconds>', description: 'start this many seconds into the input', default: undefined, parse: optional(numberParser(0, 1e7)) }),
  defineOption({ key: 'duration', flag: '--duration <seconds>', description: 'convert at most this many seconds', default: undefined, parse: optional(numberParser(0, 1e7)) }),
  defineOption({ key: 'maxFrames', flag: '--max-frames <n>', description: 'convert at most this many input frames', default: undefined, parse: optional(intParser(1)) }),
  defineOption({ key: 'container', flag: '--container <ext>', description: `output type in batch mode (-o DIR): ${CONTAINERS.join(', ')} (png = a folder of frames)`, default: 'mp4' as Container, parse: choiceParser<Container>(CONTAINERS) }),
  defineOption({ key: 'jobs', flag: '--jobs <n>', description: 'files converted at once in batch mode (they share the worker pool)', default: 1, parse: intParser(1, 64) }),
  FORCE_OPTION,
  ...CODEC_OPTIONS,
] as const;

/** --motion: the known motion of one image (`afb decompose`, `afb edit`). */
export const MOTION_OPTION = defineOption({
  key: 'motion', flag: '--motion <file>',
  description: 'the known motion of the image (.flo or .npy (H, W, 2), pixels per frame interval, forward in time), e.g. from a gyro or the previous frame: enables --method learned/physics',
  default: undefined, parse: optional(stringParser),
});

/** Options of `afb decompose`. */
export const DECOMPOSE_OPTIONS = [
  ...MODEL_OPTIONS,
  guidanceOption(['predict'], 'predict', true),
  MOTION_OPTION,
  defineOption({ key: 'samples', flag: '--samples <n>', description: 'with --guidance predict: N guidance samples -> N animations in DIR/s{k}/', default: 1, parse: intParser(1, 64) }),
  defineOption({ key: 'gif', flag: '--gif', description: 'also write a back-and-forth GIF preview of the 7 frames', default: false, parse: booleanParser }),
  defineOption({ key: 'mp4', flag: '--mp4', description: 'also write a back-and-forth MP4 preview of the 7 frames', default: false, parse: booleanParser }),
  FORCE_OPTION,
] as const;
