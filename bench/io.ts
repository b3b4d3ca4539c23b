// Benchmark of video I/O at 960x540: decode-into-Node and Node-to-encoder frames/s, each as a
// ratio to ffmpeg alone (`-f null` decode; encode from a raw file). Runs alternate between the
// two sides and report medians, because the machine is shared and noisy.
// Usage: node dist/bench/io.js [--frames 150] [--repeats 3]
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildDecodeArgs, type EncodeArgsOptions } from '../pipeline/io/ffmpeg-args.js';
import { buildNullDecodeArgs, buildRawFileEncodeArgs, buildTestClipArgs } from './lib/ffmpeg-dev-args.js';
import { resolveBinary } from '../pipeline/io/ffmpeg-binaries.js';
import { runFfmpeg, startFfmpeg } from '../pipeline/io/ffmpeg-process.js';
import { openFrameSource, type FrameSource } from '../pipeline/io/frame-source.js';
import { openVideoSink } from '../pipeline/io/frame-sink.js';
import { Logger } from '../pipeline/log.js';
import { intFlag, median, parseBenchFlags } from './lib/bench-args.js';

const WIDTH = 960;
const HEIGHT = 540;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function main(): Promise<void> {
  const flags = parseBenchFlags('node dist/bench/io.js', {
    frames: { type: 'string', default: '150', help: 'frames of the generated 960x540 clip' },
    repeats: { type: 'string', default: '3', help: 'alternating runs of each side (medians reported)' },
  });
  const frames = intFlag('frames', flags.frames);
  const repeats = intFlag('repeats', flags.repeats);
  // A folder of our own: other benches share bench/.work.tmp and remove it when they finish.
  await mkdir(join(process.cwd(), 'bench', '.work.tmp'), { recursive: true });
  const dir = await mkdtemp(join(process.cwd(), 'bench', '.work.tmp', 'io-'));
  const clip = join(dir, 'bench-960x540.mp4');
  const raw = join(dir, 'bench-960x540.rgb');
  const ffmpeg = resolveBinary('ffmpeg');
  const log = new Logger('debug');
  console.log(`ffmpeg: ${ffmpeg.path} (${ffmpeg.source}); ${frames} frames at ${WIDTH}x${HEIGHT}, ${repeats} repeats, medians`);
  try {
    // testsrc2 + light noise: H.264 content that is neither trivial nor pathological.
    await runFfmpeg('ffmpeg', buildTestClipArgs({ output: clip, width: WIDTH, height: HEIGHT, fps: { num: 30, den: 1 }, frames, extra: ['-vf', 'noise=alls=8:allf=t'] }));

    // Keep decoded frames in memory for the encoder runs (and a raw file for ffmpeg's).
    const pixels: Uint8Array[] = [];
    for await (const f of await openFrameSource(clip)) pixels.push(f.data.slice() as Uint8Array);
    if (pixels.length !== frames) throw new Error(`the generated clip has ${pixels.length} frames, expected ${frames}`);
    await writeFile(raw, Buffer.concat(pixels.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))));

    const enc: EncodeArgsOptions = { output: join(dir, 'ffmpeg-out.mp4'), width: WIDTH, height: HEIGHT, depth: 8, fps: { num: 30, den: 1 }, codec: 'h264', crf: 18, preset: 'veryfast', pixFmt: 'yuv420p' };
    const t = { ffDecode: [] as number[], ffDecodeRgb: [] as number[], pipeOnly: [] as number[], nodeOpen: [] as number[], nodeDecode: [] as number[], ffEncode: [] as number[], nodeEncode: [] as number[] };
    for (let r = 0; r < repeats; r++) {
      t.ffDecode.push(await timed(() => runFfmpeg('ffmpeg', buildNullDecodeArgs(clip))));
      t.ffDecodeRgb.push(await timed(() => runFfmpeg('ffmpeg', buildNullDecodeArgs(clip, 'rgb24'))));
      // The same decode piped into Node with the bytes discarded: the cost of the pipe itself.
      t.pipeOnly.push(await timed(async () => {
        const proc = startFfmpeg('ffmpeg', buildDecodeArgs({ input: clip, depth: 8 }), { stdout: 'pipe' });
        for await (const chunk of proc.stdout!) void chunk;
        await proc.done;
      }));
      let source: FrameSource | undefined;
      // Opening = probing (two short ffprobe runs); reported apart from the frame loop.
      t.nodeOpen.push(await timed(async () => { source = await openFrameSource(clip, { log }); }));
      t.nodeDecode.push(await timed(async () => {
        let n = 0;
        for await (const f of source!) {
          n++;
          f.release();
        }
        if (n !== frames) throw new Error(`decoded ${n} of ${frames} frames (${JSON.stringify(source!.info)})`);
      }));
      t.ffEncode.push(await timed(() => runFfmpeg('ffmpeg', buildRawFileEncodeArgs(raw, enc))));
      t.nodeEncode.push(await timed(async () => {
        const sink = await openVideoSink(join(dir, 'node-out.mp4'), { ...enc });
        for (const p of pixels) await sink.write({ width: WIDTH, height: HEIGHT, data: p });
        await sink.finish();
      }));
    }
    const fps = (xs: number[]) => frames / median(xs);
    const row = (label: string, v: number) => console.log(`${label.padEnd(46)} ${v.toFixed(1).padStart(7)} frames/s`);
    row('ffmpeg decode -f null (yuv, no conversion)', fps(t.ffDecode));
    row('ffmpeg decode -f null -pix_fmt rgb24', fps(t.ffDecodeRgb));
    row('ffmpeg rgb24 piped into Node, bytes discarded', fps(t.pipeOnly));
    row('decode into Node (rgb24 frames, pooled)', fps(t.nodeDecode));
    console.log(`${'opening the source (probe)'.padEnd(46)} ${(median(t.nodeOpen) * 1000).toFixed(0).padStart(7)} ms`);
    row('ffmpeg encode from raw file (x264 veryfast)', fps(t.ffEncode));
    row('Node frames -> encoder (x264 veryfast)', fps(t.nodeEncode));
    const withOpen = frames / (median(t.nodeOpen) + median(t.nodeDecode));
    console.log(`ratio decode-into-Node / ffmpeg -f null:         ${(fps(t.nodeDecode) / fps(t.ffDecode)).toFixed(2)}`);
    console.log(`ratio decode-into-Node incl. probe / -f null rgb24: ${(withOpen / fps(t.ffDecodeRgb)).toFixed(2)}`);
    console.log(`ratio decode-into-Node / pipe only:              ${(fps(t.nodeDecode) / fps(t.pipeOnly)).toFixed(2)}`);
    console.log(`ratio decode-into-Node / ffmpeg -f null rgb24:   ${(fps(t.nodeDecode) / fps(t.ffDecodeRgb)).toFixed(2)}  (target >= 0.80)`);
    console.log(`ratio Node-to-encoder / ffmpeg from raw file:    ${(fps(t.nodeEncode) / fps(t.ffEncode)).toFixed(2)}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
