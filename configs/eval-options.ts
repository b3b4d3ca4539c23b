// Option records of `afb eval` (one record drives the flag, the config-file key and the default).
import { InvalidOptionError } from '../pipeline/errors.js';
import {
  DEFAULT_MOTION_MODEL_FILES, ENSEMBLE_OPTION, FLOW_BACKEND_OPTION, FLOW_MODEL_OPTION, guidanceOption, MODEL_OPTION, parseExposure, PREDICTOR_OPTION,
  PROVIDER_OPTION, SEED_OPTION,
} from './model-options.js';
import { booleanParser, choiceParser, defineOption, intParser, stringParser } from './option-schema.js';

/** Parse `--frames`: 'all' or a comma list of distinct sharp-frame indices 0..6 (kept in time order). */
export function parseFrames(raw: unknown, flag: string): number[] {
  if (raw === 'all') return [0, 1, 2, 3, 4, 5, 6];
  const text = Array.isArray(raw) ? raw.join(',') : String(raw);
  const parts = text.split(',').map((s) => s.trim());
  if (parts.length === 0 || parts.some((p) => !/^[0-6]$/.test(p))) {
    throw new InvalidOptionError(flag, "'all' or a comma list of frame indices 0..6 (e.g. 0,3,6)", raw);
  }
  const frames = [...new Set(parts.map(Number))].sort((a, b) => a - b);
  if (frames.length !== parts.length) throw new InvalidOptionError(flag, 'distinct frame indices', raw, 'range');
  return frames;
}

/** Records of every `afb eval` option. */
export const EVAL_OPTIONS = [
  guidanceOption(['gt', 'video', 'predict'], 'gt'),
  defineOption({
    key: 'samples',
    flag: '--samples <n>',
    description: 'predictor samples per image, best of N per metric (the paper\'s P1/P3/P5); also reports P1/P3/P5 up to N',
    default: 1,
    parse: intParser(1, 100),
  }),
  MODEL_OPTION,
  PREDICTOR_OPTION,
  defineOption({
    key: 'frames',
    flag: '--frames <list>',
    description: "sharp frames to score: all, or indices like 0,3,6 (the reference's video-guidance protocol)",
    default: [0, 1, 2, 3, 4, 5, 6],
    parse: parseFrames,
  }),
  defineOption({
    key: 'crop',
    flag: '--crop',
    description: 'B-Aist++ protocol: crop each sample to its blur_anno bbox and resize to 160x192 (WxH)',
    default: false,
    parse: booleanParser,
  }),
  defineOption({
    key: 'split',
    flag: '--split <split>',
    description: 'videos to evaluate: valid or train (the dataset\'s <split>_videos.yaml), or all',
    default: 'valid' as 'valid' | 'train' | 'all',
    parse: choiceParser(['valid', 'train', 'all'] as const),
  }),
  defineOption({
    key: 'videoList',
    flag: '--video-list <file>',
    description: 'YAML list of video folder names to evaluate (overrides --split; e.g. upstream configs/*_valid_*.yaml)',
    default: '',
    parse: stringParser,
  }),
  defineOption({
    key: 'maxSamples',
    flag: '--max-samples <n>',
    description: 'evaluate at most N samples, evenly spaced over the selection (0 = all)',
    default: 0,
    parse: intParser(0),
  }),
  SEED_OPTION,
  FLOW_BACKEND_OPTION,
  FLOW_MODEL_OPTION,
  defineOption({
    key: 'motionModel',
    flag: '--motion-model <file>',
    description: `motion-aware model for --guidance video (ONNX; default: the shipped models/${DEFAULT_MOTION_MODEL_FILES[0]}; 'none' leaves the learned row out)`,
    default: '',
    parse: stringParser,
  }),
  ENSEMBLE_OPTION,
  defineOption({
    key: 'exposure',
    flag: '--exposure <e>',
    description: "--guidance video: exposure fraction, auto (estimated per video from its frames, as afb video does) or dataset (each video's duty cycle in the manifest)",
    default: 'auto' as number | 'auto' | 'dataset',
    parse: (raw: unknown, flag: string): number | 'auto' | 'dataset' => (raw === 'dataset' ? 'dataset' : parseExposure(raw, flag)),
  }),
  defineOption({
    key: 'neighbours',
    flag: '--neighbours <which>',
    description: '--guidance video: motion from both neighbouring frames (mean; the default, as afb video does) or the previous one only (the reference protocol)',
    default: 'both' as 'both' | 'previous',
    parse: choiceParser(['both', 'previous'] as const),
  }),
  defineOption({
    key: 'baselineOnly',
    flag: '--baseline-only',
    description: 'score only the repeat-the-blurry-frame baseline (no model needed): how hard a dataset is',
    default: false,
    parse: booleanParser,
  }),
  defineOption({
    key: 'consistency',
    flag: '--consistency',
    description: 'apply the linear-light blur consistency correction to the model output',
    default: false,
    parse: booleanParser,
  }),
  PROVIDER_OPTION,
  defineOption({
    key: 'out',
    flag: '--out <file>',
    description: 'write the markdown report to this file (default: print it on stdout)',
    default: '',
    parse: stringParser,
  }),
] as const;
