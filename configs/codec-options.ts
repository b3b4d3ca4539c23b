// Option records for video encoding (--codec, --crf, --preset, --pix-fmt), shared by every
// command that writes video (`afb video`, previews...). Pure: no I/O.
import { choiceParser, defineOption, intParser } from './option-schema.js';

export const VIDEO_CODECS = ['h264', 'h265', 'vp9'] as const;
/** Output video codec: H.264 (libx264), H.265 (libx265) or VP9 (libvpx-vp9). */
export type VideoCodec = (typeof VIDEO_CODECS)[number];

/** x264/x265 preset names; for VP9 they map to libvpx deadline/cpu-used (see ffmpeg-args.ts). */
export const PRESETS = ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow'] as const;
export type Preset = (typeof PRESETS)[number];

/** Output pixel formats: 4:2:0 8-bit plays everywhere; 4:4:4 and 10-bit keep more detail. */
export const PIX_FMTS = ['yuv420p', 'yuv422p', 'yuv444p', 'yuv420p10le', 'yuv444p10le'] as const;
export type PixFmt = (typeof PIX_FMTS)[number];

/** Largest CRF each encoder accepts (x264/x265: 51, libvpx-vp9: 63). */
export const MAX_CRF: Record<VideoCodec, number> = { h264: 51, h265: 51, vp9: 63 };

/** Default CRF per codec, roughly "visually transparent" for each encoder's scale. */
export const DEFAULT_CRF: Record<VideoCodec, number> = { h264: 18, h265: 22, vp9: 30 };

/** Codec option records: one record drives the CLI flag, the config key and the default. */
export const CODEC_OPTIONS = [
  defineOption({
    key: 'codec',
    flag: '--codec <codec>',
    description: `output video codec: ${VIDEO_CODECS.join(', ')}`,
    default: 'h264' as VideoCodec,
    parse: choiceParser<VideoCodec>(VIDEO_CODECS),
  }),
  defineOption({
    key: 'crf',
    flag: '--crf <n>',
    description: 'constant rate factor, lower = better quality (default: 18 for h264, 22 for h265, 30 for vp9; max 51, vp9 63)',
    // -1 means "the codec's default" (DEFAULT_CRF); resolveCrf() turns it into a number.
    default: -1,
    parse: intParser(0, 63),
  }),
  defineOption({
    key: 'preset',
    flag: '--preset <name>',
    description: `encoder speed/quality preset: ${PRESETS.join(', ')}`,
    default: 'medium' as Preset,
    parse: choiceParser<Preset>(PRESETS),
  }),
  defineOption({
    key: 'pixFmt',
    flag: '--pix-fmt <fmt>',
    description: `output pixel format: ${PIX_FMTS.join(', ')} (yuv420p plays everywhere; odd sizes are padded by one pixel)`,
    default: 'yuv420p' as PixFmt,
    parse: choiceParser<PixFmt>(PIX_FMTS),
  }),
] as const;
