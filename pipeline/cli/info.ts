// `afb info <input> [--json]`: describe a video, an image folder or an image (size, exact frame
// rate, frame count, duration, rotation, audio, variable frame rate) without decoding frames.
import type { Command } from 'commander';
import { parseRational, formatRational, rationalToNumber } from '../io/ffmpeg-args.js';
import { resolveBinary } from '../io/ffmpeg-binaries.js';
import { openFrameSource, type FrameSourceInfo } from '../io/frame-source.js';
import { InvalidOptionError } from '../errors.js';
import type { Rational } from '../math/types.js';
import type { CommandContext } from './context.js';
import type { CommandModule } from './define-command.js';

/** The JSON summary `afb info --json` prints. */
export interface InfoSummary {
  readonly input: string;
  readonly kind: FrameSourceInfo['kind'];
  readonly width: number;
  readonly height: number;
  /** Exact rate as "num/den" plus its parts and decimal value. */
  readonly fps: string;
  readonly fpsNum: number;
  readonly fpsDen: number;
  readonly fpsValue: number;
  readonly frameCount: number;
  readonly frameCountExact: boolean;
  readonly duration: number;
  readonly rotation: number;
  readonly hasAudio: boolean;
  readonly audioCodec: string | null;
  readonly variableFrameRate: boolean;
  readonly codec: string | null;
  readonly pixFmt: string | null;
  readonly bitDepth: number | null;
  readonly container: string | null;
  readonly warnings: readonly string[];
}

/** Build the summary from a source's info (pure). */
export function summarize(info: FrameSourceInfo): InfoSummary {
  const v = info.video;
  return {
    input: info.path, kind: info.kind, width: info.width, height: info.height,
    fps: formatRational(info.fps), fpsNum: info.fps.num, fpsDen: info.fps.den, fpsValue: Number(rationalToNumber(info.fps).toFixed(6)),
    frameCount: info.frameCount, frameCountExact: v?.frameCountExact ?? true,
    duration: v?.duration ?? (info.frameCount * info.fps.den) / info.fps.num,
    rotation: v?.rotation ?? 0, hasAudio: v?.hasAudio ?? false, audioCodec: v?.audioCodec ?? null,
    variableFrameRate: v?.variableFrameRate ?? false, codec: v?.codec ?? null, pixFmt: v?.pixFmt ?? null,
    bitDepth: v?.bitDepth ?? null, container: v?.container ?? null, warnings: v?.warnings ?? [],
  };
}

/** Human-readable lines for the summary. */
export function formatSummary(s: InfoSummary): string {
  const lines = [
    `input:       ${s.input} (${s.kind})`,
    `size:        ${s.width}x${s.height}`,
    `frame rate:  ${s.fps} (${s.fpsValue} fps)${s.variableFrameRate ? ', variable: decoded at this constant rate' : ''}`,
    `frames:      ${s.frameCount}${s.frameCountExact ? '' : ' (estimated)'}`,
    `duration:    ${s.duration.toFixed(3)} s`,
  ];
  if (s.kind === 'video') {
    lines.push(`codec:       ${s.codec} ${s.pixFmt} (${s.bitDepth}-bit) in ${s.container}`);
    lines.push(`rotation:    ${s.rotation}`);
    lines.push(`audio:       ${s.hasAudio ? s.audioCodec : 'none'}`);
  }
  return `${lines.join('\n')}\n`;
}

function parseFps(raw: unknown): Rational | undefined {
  if (raw === undefined) return undefined;
  const r = typeof raw === 'string' ? parseRational(raw) : undefined;
  if (!r) throw new InvalidOptionError('--fps', 'a frame rate like 30, 29.97 or 30000/1001', raw);
  return r;
}

async function runInfo(input: string, cli: { fps?: string }, ctx: CommandContext): Promise<void> {
  const fps = parseFps(cli.fps);
  const source = await openFrameSource(input, { fps, log: ctx.log });
  await source.close();
  const summary = summarize(source.info);
  if (ctx.globals.json) ctx.emitJson({ ...summary, ffmpeg: source.info.kind === 'video' ? resolveBinary('ffmpeg').path : null });
  else process.stdout.write(formatSummary(summary));
}

/** The `info` command. */
export const infoCommand: CommandModule = {
  name: 'info',
  register(program: Command, getContext: () => Promise<CommandContext>): void {
    program
      .command('info')
      .description('describe a video, a folder of PNG/JPEG frames or an image: size, exact frame rate, frame count, duration, audio')
      .argument('<input>', 'video file, frame folder or image')
      .option('--fps <rate>', 'frame rate of an image folder (e.g. 30 or 30000/1001; default 30)')
      .action(async (input: string, opts: { fps?: string }) => runInfo(input, opts, await getContext()));
  },
};
