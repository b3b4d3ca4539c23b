// Option records shared by the commands that run networks (video, decompose, eval, synth): model
// files, execution provider, predictor seed, guidance source and flow backend. Each option has one
// record here; a command lists the records it accepts. Pure: no I/O.
import { InvalidOptionError } from '../pipeline/errors.js';
import { ENSEMBLE_SIZES, type EnsembleSize } from '../pipeline/math/self-ensemble.js';
import { choiceParser, defineOption, intParser, numberParser, optional, stringParser, type OptionRecord } from './option-schema.js';

/** onnxruntime execution providers afb can ask for: cpu is bundled; cuda and webgpu need a GPU (docs/pipeline.md). */
export const PROVIDERS = ['cpu', 'cuda', 'webgpu'] as const;
export type Provider = (typeof PROVIDERS)[number];

/** Optical-flow backends: the built-in CPU estimator (no weights) and RAFT from an ONNX file. */
export const FLOW_BACKENDS = ['builtin', 'raft'] as const;
export type FlowBackend = (typeof FLOW_BACKENDS)[number];

/** File names of the shipped CPU decomposition model under models/ (first found wins). */
export const DEFAULT_MODEL_FILES = ['afb-cpu.onnx', 'afb-decomposer-cpu.onnx'] as const;
/** File name of the shipped motion-aware model under models/. */
export const DEFAULT_MOTION_MODEL_FILES = ['afb-motion.onnx'] as const;
/** File names of the shipped guidance predictor under models/ (first found wins). */
export const DEFAULT_PREDICTOR_FILES = ['afb-predictor.onnx', 'afb-predictor-cpu.onnx'] as const;

/** How a frame is decomposed: learned (physics + the motion-aware network), physics (no network),
 * guidance (the paper's guidance-only network); see pipeline/frame/decompose-frame.ts. */
export const METHODS = ['learned', 'physics', 'guidance'] as const;
export type DecomposeMethod = (typeof METHODS)[number];
/** Method choices on the command line; 'auto' = learned when the motion is known (video, --motion), else guidance. */
export const METHOD_CHOICES = [...METHODS, 'auto'] as const;

/** --method: how each frame is decomposed. */
export const METHOD_OPTION = defineOption({
  key: 'method', flag: '--method <name>',
  description: "learned (physics + the motion-aware network), physics (deblur with the known motion, no network), guidance (the paper's guidance-only network), or auto: learned when the motion is known, else guidance",
  default: 'auto' as (typeof METHOD_CHOICES)[number], parse: choiceParser(METHOD_CHOICES),
});

/** --exposure: 'auto' (estimated from the frames and their motion) or a fraction of the frame interval in [0.05, 1]. */
export function parseExposure(raw: unknown, flag: string): number | 'auto' {
  if (raw === 'auto') return 'auto';
  return numberParser(0.05, 1)(raw, flag);
}

/** --exposure: the fraction of the frame interval the shutter was open. */
export const EXPOSURE_OPTION = defineOption({
  key: 'exposure', flag: '--exposure <e>',
  description: 'fraction of the frame interval the shutter was open (shutter angle / 360; 1 = contiguous exposures), or auto: estimated from the frames and their motion',
  default: 'auto' as number | 'auto', parse: parseExposure,
});

/** --ensemble: the learned method's network averaged over mirrored / time-reversed copies. */
export const ENSEMBLE_OPTION = defineOption({
  key: 'ensemble', flag: '--ensemble <n>',
  description: `learned method: average the network over n mirrored / time-reversed copies of its input (${ENSEMBLE_SIZES.join(', ')}; 2 = time-reversed, 4 = also mirrored left-right, 8 = also upside-down): a little sharper, n times the network's time`,
  default: 1 as EnsembleSize, parse: parseEnsemble,
});

/** --ensemble: one of ENSEMBLE_SIZES. */
export function parseEnsemble(raw: unknown, flag: string): EnsembleSize {
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!(ENSEMBLE_SIZES as readonly number[]).includes(n)) throw new InvalidOptionError(flag, `one of ${ENSEMBLE_SIZES.join(', ')}`, raw);
  return n as EnsembleSize;
}

/** --ensemble above 1 applies to the learned method only: refused with any other, naming the method. */
export function checkEnsembleMethod(ensemble: number, method: DecomposeMethod): void {
  if (ensemble > 1 && method !== 'learned') throw new InvalidOptionError('--ensemble', `1 with --method ${method} (the self-ensemble averages the learned method's network)`, ensemble, 'range');
}

/** --model: the method's network. */
export const MODEL_OPTION = defineOption({
  key: 'model', flag: '--model <file>',
  description: `the method's model (.onnx): for learned, inputs blurry, motion, physics, the physics computed with the settings in the .json sidecar beside it (default: the shipped models/${DEFAULT_MOTION_MODEL_FILES[0]}); for guidance, inputs blurry, guidance (default: the shipped models/${DEFAULT_MODEL_FILES[0]})`,
  default: undefined, parse: optional(stringParser),
});

/** --predictor: the guidance predictor network, for --guidance predict. */
export const PREDICTOR_OPTION = defineOption({
  key: 'predictor', flag: '--predictor <file>',
  description: `guidance predictor model for --guidance predict (.onnx; default: the shipped models/${DEFAULT_PREDICTOR_FILES[0]})`,
  default: undefined, parse: optional(stringParser),
});

/** --provider: where onnxruntime runs the networks. */
export const PROVIDER_OPTION = defineOption({
  key: 'provider', flag: '--provider <name>',
  description: `onnxruntime execution provider: ${PROVIDERS.join(', ')} (an unavailable one -> warning and cpu)`,
  default: 'cpu' as Provider, parse: choiceParser<Provider>(PROVIDERS),
});

/** --seed: seed of the predictor latents (same seed, same samples). */
export const SEED_OPTION = defineOption({
  key: 'seed', flag: '--seed <n>', description: 'seed of the predictor latents (same seed, same samples)',
  default: 0, parse: intParser(0, 2 ** 31 - 1),
});

/** --flow-backend: the flow estimator behind guidance from video (eval) or dataset guidance (synth). */
export const FLOW_BACKEND_OPTION = defineOption({
  key: 'flowBackend', flag: '--flow-backend <name>',
  description: `optical flow: ${FLOW_BACKENDS.join(' or ')} (builtin: CPU Lucas-Kanade, no weights; raft: needs --flow-model)`,
  default: 'builtin' as FlowBackend, parse: choiceParser<FlowBackend>(FLOW_BACKENDS),
});

/** --flow-model: the RAFT file of the raft flow backend. */
export const FLOW_MODEL_OPTION = defineOption({
  key: 'flowModel', flag: '--flow-model <file>', description: 'RAFT .onnx file for the raft flow backend (see docs/flow.md)',
  default: undefined, parse: optional(stringParser),
});

/** Named guidance sources and what each means. */
export const GUIDANCE_MODES = {
  gt: "the dataset's ground-truth trend files",
  video: 'optical flow to the neighbouring frames',
  predict: 'sampled from the guidance predictor',
} as const;
export type GuidanceMode = keyof typeof GUIDANCE_MODES;

type GuidanceRecord<T> = OptionRecord<T> & { readonly key: 'guidance' };

/**
 * --guidance: the named sources a command accepts and its default; `withFiles` also accepts a
 * .npy/.png/labelme .json file (then the value is that path).
 */
export function guidanceOption<const M extends GuidanceMode>(modes: readonly M[], fallback: M): GuidanceRecord<M>;
export function guidanceOption<const M extends GuidanceMode>(modes: readonly M[], fallback: M, withFiles: true): GuidanceRecord<string>;
export function guidanceOption(modes: readonly GuidanceMode[], fallback: GuidanceMode, withFiles = false): GuidanceRecord<string> {
  const named = modes.map((m) => `${m} (${GUIDANCE_MODES[m]})`).join(', ');
  const expected = `${withFiles ? '' : 'one of '}${modes.join(', ')}${withFiles ? ' or a .npy/.png/labelme .json file' : ''}`;
  return defineOption({
    key: 'guidance', flag: '--guidance <source>',
    description: `motion guidance: ${named}${withFiles ? ', or a file (.npy/.png/labelme .json) for every frame' : ''}; default ${fallback}`,
    default: fallback as string,
    parse: (raw: unknown, flag: string): string => {
      if (typeof raw === 'string' && ((modes as readonly string[]).includes(raw) || (withFiles && /\.(npy|png|json)$/i.test(raw)))) return raw;
      throw new InvalidOptionError(flag, expected, raw);
    },
  });
}
