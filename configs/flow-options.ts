// Option records of `afb flow` and `afb guidance` (one record drives the CLI flag, the config key
// and the default). Pure: no I/O.
import { InvalidOptionError } from '../pipeline/errors.js';
import { DEFAULT_STATIC_THRESHOLD, type DirectionCount } from '../pipeline/math/guidance.js';
import { FLOW_BACKENDS, PROVIDER_OPTION, type FlowBackend } from './model-options.js';
import { booleanParser, choiceParser, defineOption, intParser, numberParser, optional, stringParser } from './option-schema.js';

/** Flow estimator records (--backend, --model, --working-width, --provider), shared by `afb flow` and `afb guidance`. */
export const FLOW_BACKEND_OPTIONS = [
  defineOption({
    key: 'backend',
    flag: '--backend <name>',
    description: `flow estimator: ${FLOW_BACKENDS.join(' or ')} (builtin: CPU Lucas-Kanade, no weights; raft: ONNX file from models/raft/export_raft.py)`,
    default: 'builtin' as FlowBackend,
    parse: choiceParser<FlowBackend>(FLOW_BACKENDS),
  }),
  defineOption({ key: 'model', flag: '--model <file>', description: 'RAFT .onnx file (with --backend raft)', default: undefined, parse: optional(stringParser) }),
  defineOption({
    key: 'workingWidth',
    flag: '--working-width <px>',
    description: 'width the flow is computed at, then upsampled (default: builtin 320, raft 480)',
    default: undefined,
    parse: optional(intParser(8, 16384)),
  }),
  PROVIDER_OPTION,
] as const;

/** Option records of `afb flow`. */
export const FLOW_OPTIONS = [
  defineOption({ key: 'output', flag: '-o, --output <file>', description: 'output flow file (.flo or .npy)', default: undefined, parse: optional(stringParser) }),
  defineOption({ key: 'viz', flag: '--viz <file.png>', description: 'also write a colour-wheel picture of the flow', default: undefined, parse: optional(stringParser) }),
  ...FLOW_BACKEND_OPTIONS,
] as const;

/** --directions: 2, 4 (the reference), 8 or 16 quantisation directions. */
export function parseDirections(raw: unknown, flag: string): DirectionCount {
  const n = Number(raw);
  if (n !== 2 && n !== 4 && n !== 8 && n !== 16) throw new InvalidOptionError(flag, 'one of 2, 4, 8, 16', raw);
  return n;
}

/** Which frame of a --frames A,B pair the guidance is for. */
export type GuidanceFramePair = 'previous' | 'next';

/** Option records of `afb guidance`. */
export const GUIDANCE_OPTIONS = [
  defineOption({ key: 'output', flag: '-o, --output <file>', description: 'output guidance: .npy (reference int8 H x W x C) or .png (reference colours, 4 directions)', default: undefined, parse: optional(stringParser) }),
  defineOption({ key: 'flow', flag: '--flow <file>', description: 'quantise this flow (.flo or .npy H x W x 2): the motion at the blurry frame\'s pixels, forward in time', default: undefined, parse: optional(stringParser) }),
  defineOption({ key: 'frames', flag: '--frames <prev,cur>', description: 'estimate the motion from two frames: guidance of the second (see --source)', default: undefined, parse: optional(stringParser) }),
  defineOption({ key: 'labelme', flag: '--labelme <file.json>', description: 'rasterise a labelme annotation (labels: directions or angles, see docs/flow.md)', default: undefined, parse: optional(stringParser) }),
  defineOption({ key: 'directions', flag: '--directions <n>', description: 'directions: 2, 4 (reference), 8 or 16', default: 4 as DirectionCount, parse: parseDirections }),
  defineOption({ key: 'threshold', flag: '--threshold <px>', description: 'flow magnitude below which a pixel is static (px)', default: DEFAULT_STATIC_THRESHOLD, parse: numberParser(0, 1000) }),
  defineOption({ key: 'half', flag: '--half', description: 'write half-resolution guidance (ceil(W/2) x ceil(H/2), nearest)', default: false, parse: booleanParser }),
  defineOption({
    key: 'source', flag: '--source <which>',
    description: 'with --frames A,B: previous = guidance of B from the motion A->B (default); next = guidance of A from the motion A->B (first frame of a clip)',
    default: 'previous' as GuidanceFramePair, parse: choiceParser<GuidanceFramePair>(['previous', 'next']),
  }),
  ...FLOW_BACKEND_OPTIONS,
] as const;
