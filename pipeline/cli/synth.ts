// `afb synth`: make a blur-decomposition dataset in the reference layout, either procedurally
// from photos (`--procedural --photos DIR`) or from sharp high-frame-rate footage (INPUT...).
import type { OptionRecord } from '../../configs/option-schema.js';
import { InvalidOptionError } from '../errors.js';
import { DEFAULT_PROCEDURAL_CONFIG, type ProceduralConfig } from '../math/procedural/config.js';
import { SYNTH_COMMON_OPTIONS, SYNTH_FOOTAGE_OPTIONS, SYNTH_PROCEDURAL_OPTIONS } from '../../configs/synth-options.js';
import { runFootage, type FootageRunOptions, type FootageRunSummary } from '../synth/footage.js';
import { runProcedural, type ProceduralRunOptions, type ProceduralRunSummary } from '../synth/procedural.js';
import { QUEUE_SECTION_OPTIONS } from './queue.js';
import { queueSynth } from './synth-queue.js';
import { SYNTH_QUEUE_FLAG } from '../../configs/queue-options.js';
import type { CommandContext } from './context.js';
import { defineCommand } from './define-command.js';

const PROCEDURAL_RECORDS = [...SYNTH_COMMON_OPTIONS, ...SYNTH_PROCEDURAL_OPTIONS] as const;
const SPLIT_RECORD = SYNTH_PROCEDURAL_OPTIONS.find((r) => r.key === 'split')!;
const FOOTAGE_RECORDS = [...SYNTH_COMMON_OPTIONS, SPLIT_RECORD, ...SYNTH_FOOTAGE_OPTIONS] as const;
/** Keys that only make sense with --procedural / only with inputs (a wrong mix is an error, not ignored). */
const PROCEDURAL_ONLY = SYNTH_PROCEDURAL_OPTIONS.map((r) => r.key).filter((k) => k !== 'split' && k !== 'procedural');
const FOOTAGE_ONLY = SYNTH_FOOTAGE_OPTIONS.map((r) => r.key);

/** The procedural run's options from raw CLI values (CLI > config file > default), checked. */
export function proceduralOptions(ctx: CommandContext, cli: Record<string, unknown>): Omit<ProceduralRunOptions, 'workers' | 'log' | 'signal' | 'workerFile'> {
  const o = ctx.resolve('synth', PROCEDURAL_RECORDS, cli);
  if (!o.output) throw new InvalidOptionError('--output', 'a dataset folder (-o DIR)', o.output);
  if (!o.photos) throw new InvalidOptionError('--photos', 'a folder of photos with --procedural', o.photos);
  const D = DEFAULT_PROCEDURAL_CONFIG;
  const config: ProceduralConfig = {
    ...D,
    width: o.size[0],
    height: o.size[1],
    framesPerVideo: o.framesPerVideo,
    subframes: o.subframes,
    subframeStep: o.subframeStep,
    camera: { ...D.camera, maxShift: o.cameraShift, maxRotation: o.cameraRotation, maxZoom: o.cameraZoom },
    sprites: { ...D.sprites, maxShift: o.spriteShift, maxRotation: o.spriteRotation, maxZoom: o.spriteZoom, maxCount: o.maxSprites },
    guidanceRes: o.guidanceRes,
    staticThreshold: o.staticThreshold,
    dutyCycle: o.dutyCycle,
  };
  if (config.subframes % config.numGts !== 0) throw new InvalidOptionError('--subframes', `a multiple of ${config.numGts}`, o.subframes, 'range');
  return { root: o.output, photosDir: o.photos, count: o.count, seed: o.seed, split: o.split, config, layout: o.layout, pngLevel: o.pngLevel, motionFiles: o.motionFiles, force: o.force };
}

/** Run `afb synth --procedural` with raw CLI values; returns the run summary. */
export async function synthProceduralCommand(ctx: CommandContext, cli: Record<string, unknown>, signal?: AbortSignal): Promise<ProceduralRunSummary> {
  const summary = await runProcedural({ ...proceduralOptions(ctx, cli), workers: ctx.globals.workers, log: ctx.log, signal });
  ctx.log.info(`synth: wrote ${summary.written} samples (${summary.skipped} skipped) in ${summary.seconds.toFixed(1)} s, ${summary.samplesPerSecond.toFixed(2)} samples/s (${summary.mode})`);
  ctx.emitJson(summary);
  return summary;
}

/** The footage run's options from raw CLI values (CLI > config file > default), checked. */
export function footageOptions(ctx: CommandContext, inputs: readonly string[], cli: Record<string, unknown>): Omit<FootageRunOptions, 'workers' | 'log' | 'signal'> {
  const o = ctx.resolve('synth', FOOTAGE_RECORDS, cli);
  if (!o.output) throw new InvalidOptionError('--output', 'a dataset folder (-o DIR)', o.output);
  if (o.gts > o.window) throw new InvalidOptionError('--gts', `at most --window (${o.window}) ground-truth frames`, o.gts, 'range');
  const [duty, dutyMax] = o.dutyCycle;
  if (duty !== dutyMax) throw new InvalidOptionError('--duty-cycle', 'one exposure fraction for footage (ranges are procedural only)', o.dutyCycle.join('-'));
  if (duty < 1 && cli['gap'] !== undefined) throw new InvalidOptionError('--gap', 'either --gap or --duty-cycle, not both', cli['gap']);
  if (o.motionFiles.includes('exact')) throw new InvalidOptionError('--motion-files', 'video only with footage (its exact motion is unknown; exact is procedural only)', o.motionFiles.join(','));
  // duty cycle e = window / (window + gap)
  const gap = duty < 1 ? Math.round((o.window * (1 - duty)) / duty) : o.gap;
  return {
    inputs, root: o.output,
    settings: {
      window: o.window, gap, curve: o.curve, interpolate: o.interpolate, gts: o.gts,
      ...(o.resize ? { resize: { width: o.resize[0], height: o.resize[1], fit: o.fit } } : {}),
      guidanceRes: o.guidanceRes, staticThreshold: 0.5, layout: o.layout, pngLevel: o.pngLevel, flowWidth: o.flowWidth,
      ...(o.motionFiles.length > 0 ? { motionFiles: ['video' as const] } : {}),
    },
    split: o.split, validFraction: o.validFraction, flowBackend: o.flowBackend, ...(o.flowModel ? { flowModel: o.flowModel } : {}),
    force: o.force,
  };
}

/** Run `afb synth INPUT...` with raw CLI values; returns the run summary. */
export async function synthFootageCommand(ctx: CommandContext, inputs: readonly string[], cli: Record<string, unknown>, signal?: AbortSignal): Promise<FootageRunSummary> {
  const summary = await runFootage({ ...footageOptions(ctx, inputs, cli), workers: ctx.globals.workers, log: ctx.log, signal });
  ctx.log.info(`synth: wrote ${summary.written} samples (${summary.skipped} skipped) from ${summary.videos.length} input(s) in ${summary.seconds.toFixed(1)} s, ${summary.samplesPerSecond.toFixed(2)} samples/s`);
  ctx.emitJson(summary);
  return summary;
}

/** Every synth record once (both modes share some). */
const ALL_RECORDS = [...new Map([...PROCEDURAL_RECORDS, ...FOOTAGE_RECORDS].map((r) => [r.key, r])).values()];

/** A record's help line with its default written out (unless the description states it). */
function helpWithDefault(record: OptionRecord<unknown>): string {
  const d = record.default;
  const shown = Array.isArray(d) ? d.join('x') : d;
  const hasDefault = shown !== undefined && shown !== '' && shown !== false && typeof shown !== 'function' && !/\(default/.test(record.description);
  return hasDefault ? `${record.description} (default: ${String(shown)})` : record.description;
}

/** Check the mix of inputs and options, then run the mode asked for (or queue it with --queue). */
async function runSynth(inputs: string[], opts: Record<string, unknown>, ctx: CommandContext): Promise<void> {
  const given = (keys: readonly string[]) => keys.filter((k) => opts[k] !== undefined);
  const procedural = Boolean(opts['procedural']);
  if (procedural && inputs.length > 0) throw new InvalidOptionError('inputs', 'no input files with --procedural', inputs);
  if (procedural && given(FOOTAGE_ONLY).length > 0) throw new InvalidOptionError('--procedural', `no footage options (${FOOTAGE_ONLY.join(', ')})`, given(FOOTAGE_ONLY));
  if (!procedural && inputs.length === 0) throw new InvalidOptionError('inputs', 'input videos/frame folders, or --procedural --photos DIR', inputs);
  if (!procedural && given(PROCEDURAL_ONLY).length > 0) throw new InvalidOptionError('inputs', `no --procedural options (${PROCEDURAL_ONLY.join(', ')}) with footage`, given(PROCEDURAL_ONLY));
  if (opts['queue']) {
    await queueSynth(ctx, opts, procedural ? { procedural, options: proceduralOptions(ctx, opts) } : { procedural, options: footageOptions(ctx, inputs, opts) });
    return;
  }
  // SIGINT/SIGTERM stop starting samples; the running ones finish (see cli/interrupt.ts).
  const signal = ctx.cancellable();
  if (procedural) await synthProceduralCommand(ctx, opts, signal);
  else await synthFootageCommand(ctx, inputs, opts, signal);
}

/** The `synth` subcommand; --queue adds one job per video to a BullMQ queue instead of rendering here (see afb worker). */
export const synthCommand = defineCommand('synth', 'Make a blur-decomposition dataset (blur/, sharp/, trend+/, YAML lists, manifest): procedurally from photos, or from sharp high-fps footage', {
  args: [['[inputs...]', 'sharp high-frame-rate videos or frame folders (one video each); omit with --procedural']],
  records: [...ALL_RECORDS, SYNTH_QUEUE_FLAG, ...QUEUE_SECTION_OPTIONS.filter((r) => !['state', 'olderThan'].includes(r.key))],
  help: helpWithDefault,
  run: ([inputs], cli, ctx) => runSynth(inputs as string[], cli, ctx),
});
