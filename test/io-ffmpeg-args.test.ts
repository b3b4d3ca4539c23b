import { describe, expect, it } from 'vitest';
import { CODEC_OPTIONS } from '../configs/codec-options.js';
import { resolveOptions } from '../configs/option-schema.js';
import { InvalidOptionError } from '../pipeline/errors.js';
import {
  buildDecodeArgs, buildEncodeArgs, buildPreviewArgs, extensionOf, formatRational, frameByteLength, needsEvenPadding,
  parseRational, resolveCrf, scaleRational, type EncodeArgsOptions,
} from '../pipeline/io/ffmpeg-args.js';

const enc: EncodeArgsOptions = {
  output: 'out.mp4', width: 960, height: 540, depth: 8, fps: { num: 210000, den: 1001 }, codec: 'h264', preset: 'medium', pixFmt: 'yuv420p',
};

/** Value following a flag in an argument list. */
function after(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i < 0 ? undefined : args[i + 1];
}

describe('rationals', () => {
  it('parses and reduces exact rates', () => {
    expect(parseRational('30000/1001')).toEqual({ num: 30000, den: 1001 });
    expect(parseRational('60/2')).toEqual({ num: 30, den: 1 });
    expect(parseRational('25')).toEqual({ num: 25, den: 1 });
    expect(parseRational('29.97')).toEqual({ num: 2997, den: 100 });
    expect(parseRational('0/0')).toBeUndefined();
    expect(parseRational('abc')).toBeUndefined();
  });
  it('multiplies by 7 exactly (7 x 30000/1001 = 210000/1001 = 30000/143)', () => {
    const r = scaleRational({ num: 30000, den: 1001 }, 7);
    expect(r).toEqual({ num: 30000, den: 143 });
    expect(r.num / r.den).toBeCloseTo((7 * 30000) / 1001, 12);
    expect(formatRational(scaleRational({ num: 25, den: 1 }, 7))).toBe('175/1');
  });
});

describe('buildDecodeArgs', () => {
  it('decodes the first video stream to rgb24 on stdout, strict by default', () => {
    const a = buildDecodeArgs({ input: 'in.mp4', depth: 8 });
    expect(a).toContain('-xerror');
    expect(after(a, '-i')).toBe('in.mp4');
    expect(after(a, '-map')).toBe('0:v:0');
    expect(after(a, '-pix_fmt')).toBe('rgb24');
    expect(after(a, '-f')).toBe('rawvideo');
    expect(a[a.length - 1]).toBe('pipe:1');
    expect(a).not.toContain('-vf');
  });
  it('puts -ss before -i (fast seek) and -t/-frames after', () => {
    const a = buildDecodeArgs({ input: 'in.mp4', depth: 16, start: 1.5, duration: 2, maxFrames: 9, resize: { width: 320, height: 180 }, constantFps: { num: 30000, den: 1001 }, strict: false });
    expect(a.indexOf('-ss')).toBeLessThan(a.indexOf('-i'));
    expect(a.indexOf('-t')).toBeGreaterThan(a.indexOf('-i'));
    expect(after(a, '-frames:v')).toBe('9');
    expect(after(a, '-vf')).toBe('fps=30000/1001,scale=320:180:force_original_aspect_ratio=increase:flags=bicubic,crop=320:180,setsar=1');
    const b = buildDecodeArgs({ input: 'in.mp4', depth: 8, resize: { width: 320, height: 180, fit: 'stretch' } });
    expect(after(b, '-vf')).toBe('scale=320:180:flags=bicubic');
    expect(after(a, '-pix_fmt')).toBe('rgb48le');
    expect(a).not.toContain('-xerror');
  });
});

describe('buildEncodeArgs', () => {
  it('feeds raw frames at an exact rational rate to libx264', () => {
    const a = buildEncodeArgs(enc);
    expect(after(a, '-framerate')).toBe('30000/143');
    expect(after(a, '-s')).toBe('960x540');
    expect(after(a, '-c:v')).toBe('libx264');
    expect(after(a, '-crf')).toBe('18');
    expect(after(a, '-preset')).toBe('medium');
    expect(after(a, '-pix_fmt')).toBe('rgb24');
    expect(a.lastIndexOf('-pix_fmt')).toBeGreaterThan(a.indexOf('pipe:0'));
    expect(a[a.lastIndexOf('-pix_fmt') + 1]).toBe('yuv420p');
    expect(after(a, '-movflags')).toBe('+faststart');
    expect(a[a.length - 1]).toBe('out.mp4');
    expect(after(a, '-vf')).not.toContain('pad=');
  });
  it('pads odd sizes for 4:2:0 but not for 4:4:4', () => {
    expect(after(buildEncodeArgs({ ...enc, width: 961 }), '-vf')).toMatch(/^pad=ceil\(iw\/2\)\*2:ceil\(ih\/2\)\*2,/);
    expect(after(buildEncodeArgs({ ...enc, width: 961, pixFmt: 'yuv444p' }), '-vf')).not.toContain('pad=');
    expect(needsEvenPadding(960, 541, 'yuv420p')).toBe(true);
    expect(needsEvenPadding(960, 541, 'yuv422p')).toBe(false);
    expect(needsEvenPadding(961, 540, 'yuv422p')).toBe(true);
  });
  it('maps h265 and vp9 to their encoders and options', () => {
    const h265 = buildEncodeArgs({ ...enc, codec: 'h265' });
    expect(after(h265, '-c:v')).toBe('libx265');
    expect(after(h265, '-tag:v')).toBe('hvc1');
    expect(after(h265, '-crf')).toBe('22');
    const vp9 = buildEncodeArgs({ ...enc, codec: 'vp9', output: 'o.webm', preset: 'veryfast', crf: 40 });
    expect(after(vp9, '-c:v')).toBe('libvpx-vp9');
    expect(after(vp9, '-b:v')).toBe('0');
    expect(after(vp9, '-crf')).toBe('40');
    expect(after(vp9, '-cpu-used')).toBe('5');
    expect(vp9).not.toContain('-movflags');
  });
  it('copies audio into mp4 when compatible, re-encodes otherwise', () => {
    const a = buildEncodeArgs({ ...enc, audio: { path: 'src.mp4', start: 2, duration: 3, codec: 'aac' } });
    expect(a.filter((x) => x === '-i')).toHaveLength(2);
    expect(a[a.indexOf('src.mp4') - 1]).toBe('-i');
    expect(a.indexOf('-ss')).toBeLessThan(a.indexOf('src.mp4'));
    expect(after(a, '-c:a')).toBe('copy');
    expect(a).toContain('1:a:0?');
    expect(after(buildEncodeArgs({ ...enc, audio: { path: 's.wav', codec: 'pcm_s16le' } }), '-c:a')).toBe('aac');
    expect(after(buildEncodeArgs({ ...enc, codec: 'vp9', output: 'o.webm', audio: { path: 's.mp4', codec: 'aac' } }), '-c:a')).toBe('libopus');
  });
  it('rejects bad values with InvalidOptionError naming them', () => {
    expect(() => buildEncodeArgs({ ...enc, output: 'out.webm' })).toThrow(InvalidOptionError);
    expect(() => buildEncodeArgs({ ...enc, output: 'out.webm' })).toThrow(/out\.webm/);
    expect(() => resolveCrf('h264', 60)).toThrow(/--crf.*60/);
    expect(resolveCrf('vp9', 60)).toBe(60);
    expect(resolveCrf('h265', -1)).toBe(22);
    expect(() => buildEncodeArgs({ ...enc, width: 0 })).toThrow(RangeError);
  });
});

describe('buildPreviewArgs', () => {
  it('builds a palette GIF capped at 50 fps and an APNG', () => {
    const gif = buildPreviewArgs({ output: 'p.gif', format: 'gif', width: 960, height: 540, depth: 8, fps: { num: 210000, den: 1001 }, maxWidth: 480 });
    expect(after(gif, '-filter_complex')).toBe('fps=50,scale=480:-2:flags=lanczos,split[a][b];[a]palettegen=stats_mode=diff[p];[b][p]paletteuse=dither=bayer:bayer_scale=3');
    expect(after(gif, '-loop')).toBe('0');
    const apng = buildPreviewArgs({ output: 'p.apng', format: 'apng', width: 64, height: 48, depth: 8, fps: { num: 30, den: 1 } });
    expect(after(apng, '-f')).toBe('rawvideo');
    expect(apng.slice(-3)).toEqual(['-f', 'apng', 'p.apng']);
    expect(apng).not.toContain('-vf');
  });
});

describe('helpers and codec option records', () => {
  it('computes frame sizes and extensions', () => {
    expect(frameByteLength(960, 540, 8)).toBe(1555200);
    expect(frameByteLength(3, 2, 16)).toBe(36);
    expect(extensionOf('/a.b/c.MP4')).toBe('mp4');
    expect(extensionOf('/a.b/frames')).toBe('');
  });
  it('resolve CLI > config > default and reject unknown values', () => {
    const r = resolveOptions(CODEC_OPTIONS, { crf: '20' }, { codec: 'vp9', crf: 30 });
    expect(r).toEqual({ codec: 'vp9', crf: 20, preset: 'medium', pixFmt: 'yuv420p' });
    expect(() => resolveOptions(CODEC_OPTIONS, { codec: 'av1' })).toThrow(InvalidOptionError);
    expect(() => resolveOptions(CODEC_OPTIONS, { codec: 'av1' })).toThrow(/--codec.*"av1"/);
    expect(() => resolveOptions(CODEC_OPTIONS, { preset: 'warp' })).toThrow(/--preset/);
    expect(() => resolveOptions(CODEC_OPTIONS, { crf: '64' })).toThrow(/--crf/);
  });
});
