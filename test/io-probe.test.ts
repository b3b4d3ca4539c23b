import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { InputError } from '../pipeline/errors.js';
import { chooseConstantRate, hasVariableSpacing, interpretProbe, parsePacketTimes, probe, type ProbeJson } from '../pipeline/io/probe.js';
import { makeTempDir, makeTestClip, removeTempDir } from './helpers/media.js';

function videoJson(over: Record<string, unknown> = {}, extraStreams: ProbeJson['streams'] = []): ProbeJson {
  return {
    streams: [{ codec_type: 'video', codec_name: 'h264', width: 640, height: 360, r_frame_rate: '30000/1001', avg_frame_rate: '30000/1001', time_base: '1/30000', nb_frames: '90', duration: '3.003', pix_fmt: 'yuv420p', ...over }, ...extraStreams],
    format: { format_name: 'mov,mp4,m4a,3gp,3g2,mj2', duration: '3.003' },
  };
}

describe('interpretProbe (pure)', () => {
  it('reads size, exact rate, count, audio', () => {
    const v = interpretProbe('a.mp4', videoJson({}, [{ codec_type: 'audio', codec_name: 'aac' }]));
    expect(v).toMatchObject({ width: 640, height: 360, fps: { num: 30000, den: 1001 }, frameCount: 90, frameCountExact: true, hasAudio: true, audioCodec: 'aac', rotation: 0, variableFrameRate: false, bitDepth: 8 });
  });
  it('swaps the size for 90/270 degree rotation (side data or legacy tag)', () => {
    const side = interpretProbe('a.mp4', videoJson({ side_data_list: [{ side_data_type: 'Display Matrix', rotation: -90 }] }));
    expect(side).toMatchObject({ rotation: 270, width: 360, height: 640 });
    expect(interpretProbe('a.mp4', videoJson({ tags: { rotate: '180' } }))).toMatchObject({ rotation: 180, width: 640, height: 360 });
  });
  it('detects variable frame rate from r/avg mismatch and picks a constant rate with a warning', () => {
    const v = interpretProbe('vfr.mp4', videoJson({ r_frame_rate: '60/1', avg_frame_rate: '2997/100', duration: '10' }));
    expect(v.variableFrameRate).toBe(true);
    expect(v.fps).toEqual({ num: 30000, den: 1001 });
    expect(v.frameCount).toBe(300);
    expect(v.frameCountExact).toBe(false);
    expect(v.warnings[0]).toMatch(/variable frame rate.*30000\/1001/);
  });
  it('detects uneven packet spacing, tolerating time-base rounding', () => {
    const even = Array.from({ length: 30 }, (_, i) => Math.round((i * 1001) / 30) / 1000); // 1/1000 time base: 33/34 ms steps
    expect(hasVariableSpacing(even, { num: 30000, den: 1001 }, 1 / 1000)).toBe(false);
    const uneven = [0, 0.0333, 0.0667, 0.1333, 0.1667];
    expect(hasVariableSpacing(uneven, { num: 30, den: 1 }, 1 / 90000)).toBe(true);
    // B-frame reordering: the first 240 packets in decode order end with pts 1.0 while 0.99583
    // (frame 239) comes in a later packet -- a gap at the top that is not variable frame rate.
    const reordered = Array.from({ length: 239 }, (_, i) => i / 240).concat([1.0]);
    expect(hasVariableSpacing(reordered, { num: 240, den: 1 }, 1 / 15360)).toBe(false);
    // ... but a real gap among the first frames still counts.
    const gap = Array.from({ length: 240 }, (_, i) => (i < 50 ? i : i + 1) / 240);
    expect(hasVariableSpacing(gap, { num: 240, den: 1 }, 1 / 15360)).toBe(true);
    expect(parsePacketTimes('0.000000,-0.01\n0.033367,0.0\nN/A,0.1\n\n')).toEqual([0, 0.033367]);
    expect(chooseConstantRate({ num: 2398, den: 100 })).toEqual({ num: 24000, den: 1001 });
    expect(chooseConstantRate({ num: 17, den: 1 })).toEqual({ num: 17, den: 1 });
  });
  it('falls back to the counted packets when the container has no nb_frames', () => {
    const v = interpretProbe('a.mkv', videoJson({ nb_frames: undefined }), { packetCount: 77 });
    expect(v.frameCount).toBe(77);
  });
  it('rejects zero dimensions, zero frames, no video stream and still images with InputError', () => {
    expect(() => interpretProbe('z.mp4', videoJson({ width: 0 }))).toThrow(/zero dimensions \(0x360\): z\.mp4/);
    expect(() => interpretProbe('z.mp4', videoJson({ nb_frames: '0', duration: '0' }))).toThrow(/zero frames: z\.mp4/);
    expect(() => interpretProbe('a.m4a', { streams: [{ codec_type: 'audio' }], format: {} })).toThrow(/no video stream/);
    expect(() => interpretProbe('p.png', { streams: [{ codec_type: 'video', width: 4, height: 4 }], format: { format_name: 'png_pipe' } })).toThrow(InputError);
  });
});

describe('probe (ffprobe)', () => {
  let dir: string;
  beforeAll(async () => { dir = await makeTempDir(); });
  afterAll(async () => { await removeTempDir(dir); });

  it('reports exact 30000/1001, frame count, duration and audio of a generated clip', async () => {
    const clip = await makeTestClip(join(dir, 'a.mp4'), { width: 64, height: 48, frames: 12, audio: true });
    const v = await probe(clip);
    expect(v).toMatchObject({ width: 64, height: 48, fps: { num: 30000, den: 1001 }, frameCount: 12, frameCountExact: true, hasAudio: true, audioCodec: 'aac', variableFrameRate: false, codec: 'h264' });
    expect(v.duration).toBeCloseTo((12 * 1001) / 30000, 3);
  });

  it('counts packets in Matroska (no nb_frames) and reads 25 fps', async () => {
    const clip = await makeTestClip(join(dir, 'b.mkv'), { fps: { num: 25, den: 1 }, frames: 7, codec: 'ffv1' });
    const v = await probe(clip);
    expect(v).toMatchObject({ fps: { num: 25, den: 1 }, frameCount: 7, frameCountExact: true, hasAudio: false });
  });

  it('detects a variable-frame-rate file from its packet timestamps', async () => {
    // setpts makes frame 5 onwards arrive twice as slowly: a genuinely variable rate.
    const clip = await makeTestClip(join(dir, 'vfr.mkv'), { fps: { num: 30, den: 1 }, frames: 20, codec: 'ffv1', extra: ['-vf', "setpts='if(lt(N,5),N,2*N-5)/(30*TB)'", '-fps_mode', 'vfr'] });
    const v = await probe(clip);
    expect(v.variableFrameRate).toBe(true);
    expect(v.warnings.join()).toMatch(/variable frame rate/);
  });

  it('rejects a missing file and a text file named .mp4', async () => {
    await expect(probe(join(dir, 'missing.mp4'))).rejects.toMatchObject({ name: 'InputError', path: join(dir, 'missing.mp4') });
    const fake = join(dir, 'notes.mp4');
    await writeFile(fake, 'this is not a video\n');
    await expect(probe(fake)).rejects.toMatchObject({ name: 'InputError', path: fake, message: expect.stringMatching(/Not a video/) });
  });
});
