// Benchmark of the editor's Animate: one POST api/animate (rasterise the regions, decompose
// through the worker pool, encode the 7 frames as PNG, answer) as a ratio to one bare decomposition
// of the same image through the same pool. Shipped CPU model, a frame of samples/rocket-pan.mp4
// (optionally upscaled); runs alternate and medians are reported, as the machine may be shared.
// Usage: node dist/bench/editor.js [--repeats 5] [--scale 2]
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { resolveOptions } from '../configs/option-schema.js';
import { EDIT_OPTIONS } from '../configs/edit-options.js';
import { startEditor } from '../pipeline/editor/start.js';
import { openFrameSource } from '../pipeline/io/frame-source.js';
import { writePng } from '../pipeline/io/image.js';
import { Logger } from '../pipeline/log.js';
import { labelmeToGuidance } from '../pipeline/math/labelme.js';
import { intFlag, median, parseBenchFlags } from './lib/bench-args.js';

async function main(): Promise<void> {
  const flags = parseBenchFlags('npm run bench:editor --', {
    repeats: { type: 'string', default: '5', help: 'alternating runs of each side after a warm-up (medians reported)' },
    scale: { type: 'string', default: '2', help: 'upscale factor of the 480x272 sample frame' },
  });
  const repeats = intFlag('repeats', flags.repeats);
  const scale = intFlag('scale', flags.scale);
  await mkdir(join(process.cwd(), 'bench', '.work.tmp'), { recursive: true });
  const dir = await mkdtemp(join(process.cwd(), 'bench', '.work.tmp', 'editor-'));
  try {
    const source = await openFrameSource(join(process.cwd(), 'samples/rocket-pan.mp4'), { start: 1, maxFrames: 1 });
    let frame: { width: number; height: number; data: Uint8Array } | undefined;
    for await (const f of source) frame = { width: f.width, height: f.height, data: Uint8Array.from(f.data) };
    const width = frame!.width * scale;
    const height = frame!.height * scale;
    const rgb = new Uint8Array(await sharp(Buffer.from(frame!.data), { raw: { width: frame!.width, height: frame!.height, channels: 3 } }).resize(width, height).raw().toBuffer());
    await writePng(join(dir, 'frame.png'), { width, height, data: rgb });
    const workers = Math.max(1, availableParallelism());
    const editor = await startEditor(join(dir, 'frame.png'), resolveOptions(EDIT_OPTIONS, {}), { workers, threads: 1, log: new Logger('warn') });
    const session = editor.session;
    console.log(`${width}x${height}, shipped model, ${workers} workers x 1 thread, ${repeats} repeats, medians`);
    const animate: number[] = [];
    const bare: number[] = [];
    try {
      for (let k = 0; k <= repeats; k++) {
        // A different region each time, so that Animate never answers from its cache.
        const x0 = 10 + 7 * k;
        const regions = [{ label: 'down-right', shapeType: 'polygon', points: [[x0, 20], [width / 2, 30], [width / 2 + 40, height - 30], [x0 + 20, height - 20]] as [number, number][] }];
        const guidance = labelmeToGuidance(regions, width, height, 4);
        let t = performance.now();
        await session.o.pool.run({ index: k, width, height, rgb, guidance: guidance.data, tile: session.o.tile, consistency: false });
        const b = (performance.now() - t) / 1000;
        t = performance.now();
        const res = await fetch(`${editor.server.url}api/animate`, { method: 'POST', body: JSON.stringify({ regions, directions: 4 }) });
        if (!res.ok) throw new Error(`api/animate answered ${res.status}: ${await res.text()}`);
        await res.json();
        const a = (performance.now() - t) / 1000;
        if (k === 0) continue; // warm-up: the first run of each side creates sessions' buffers
        bare.push(b);
        animate.push(a);
        console.log(`run ${k}: bare decomposition ${b.toFixed(3)} s, Animate ${a.toFixed(3)} s`);
      }
    } finally {
      await editor.close();
    }
    const [ma, mb] = [median(animate), median(bare)];
    const ratios = animate.map((a, i) => a / bare[i]!);
    console.log(`median: Animate ${ma.toFixed(3)} s, bare decomposition ${mb.toFixed(3)} s; Animate / bare per run: median ${median(ratios).toFixed(2)}, range ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
