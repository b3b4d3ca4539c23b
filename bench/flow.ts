// Flow benchmark: milliseconds per 960x540 pair for the built-in estimator (median of runs, one
// thread) with its end-point error and 4-direction guidance agreement on generated pairs with exact
// flow; and RAFT (random-weight raft_small exported on the spot, or --raft-model) ms per pair on CPU
// at its working resolution. Run: npm run bench:flow [-- --runs 5 --working-width 320 --no-raft
// --photos data/photos/valid] (--photos: also natural photos shifted by a known amount).
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RaftFlowEstimator } from '../pipeline/flow/raft.js';
import { readImage } from '../pipeline/io/image.js';
import type { RgbImage } from '../pipeline/math/types.js';
import { DEFAULT_WORKING_WIDTH, estimateBuiltinFlow } from '../pipeline/math/flow/builtin-flow.js';
import { endpointError, guidanceAgreement, movingMask } from './lib/flow-metrics.js';
import { largeMotionPairSpecs, renderSyntheticPair, standardPairSpecs } from './lib/synthetic-pairs.js';
import { intFlag, median, parseBenchFlags } from './lib/bench-args.js';

const args = parseBenchFlags('npm run bench:flow --', {
  runs: { type: 'string', default: '5', help: 'timed runs per pair (median reported)' },
  'working-width': { type: 'string', default: String(DEFAULT_WORKING_WIDTH), help: 'working width of the built-in estimator' },
  'raft-model': { type: 'string', help: 'RAFT .onnx file (default: a random-weight raft_small exported on the spot)' },
  'raft-width': { type: 'string', default: '480', help: 'RAFT working width' },
  'no-raft': { type: 'boolean', help: 'skip RAFT' },
  photos: { type: 'string', help: 'also natural photos from this folder, shifted by a known amount' },
});
const runs = intFlag('runs', args.runs);
// compiled to dist/bench/flow.js: the package root is two folders up
const workingWidth = intFlag('working-width', args['working-width'], 8);

/**
 * Wall-clock and CPU milliseconds of each run. CPU time (user + system of this process) is what one
 * core spends: on a shared, overloaded machine it is the fairer figure of the two.
 */
async function timeRuns(n: number, f: () => Promise<unknown> | unknown): Promise<{ wall: number[]; cpu: number[] }> {
  await f(); // warm-up: JIT and first-touch allocations are not what a video run sees
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    await f();
    wall.push(performance.now() - t);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
  }
  return { wall, cpu };
}

const report: Record<string, unknown> = { cpu: cpus()[0]?.model, cores: cpus().length, loadAverageAtStart: loadavg()[0], runs };
console.log(`flow benchmark: 960x540 pairs, built-in working width ${workingWidth}, ${runs} timed runs each (median), load average ${loadavg()[0]!.toFixed(2)} on ${cpus().length} cores`);
console.log('scene      wall ms (median/min)   CPU ms (median)   EPE all   EPE moving   agreement (moving, 4 dirs)');
const rows: Record<string, unknown>[] = [];
{
  // Global warm-up: V8 needs a few calls before the optimised code of every level size is in place.
  const warm = renderSyntheticPair(standardPairSpecs(960, 540)[0]!.spec);
  for (let i = 0; i < 4; i++) estimateBuiltinFlow(warm.prev, warm.next, { workingWidth });
}
for (const { name, spec } of standardPairSpecs(960, 540)) {
  const pair = renderSyntheticPair(spec);
  let flow = estimateBuiltinFlow(pair.prev, pair.next, { workingWidth });
  const times = await timeRuns(runs, () => { flow = estimateBuiltinFlow(pair.prev, pair.next, { workingWidth }); });
  const row = {
    scene: name, msMedian: median(times.wall), msMin: Math.min(...times.wall), cpuMsMedian: median(times.cpu),
    epe: endpointError(flow, pair.flow), epeMoving: endpointError(flow, pair.flow, movingMask(pair.flow, 2)),
    agreement: guidanceAgreement(flow, pair.flow),
  };
  rows.push(row);
  console.log(`${name.padEnd(10)} ${row.msMedian.toFixed(1).padStart(7)} / ${row.msMin.toFixed(1).padStart(6)}   ${row.cpuMsMedian.toFixed(1).padStart(12)}      ${row.epe.toFixed(3).padStart(7)}   ${row.epeMoving.toFixed(3).padStart(10)}   ${(100 * row.agreement).toFixed(2).padStart(8)} %`);
}
report['builtin'] = { workingWidth, scenes: rows };
console.log('large motions (accuracy only):');
const large: Record<string, unknown>[] = [];
for (const { name, spec } of largeMotionPairSpecs(960, 540)) {
  const pair = renderSyntheticPair(spec);
  const flow = estimateBuiltinFlow(pair.prev, pair.next, { workingWidth });
  const row = { scene: name, epe: endpointError(flow, pair.flow), agreement: guidanceAgreement(flow, pair.flow) };
  large.push(row);
  console.log(`${name.padEnd(14)} EPE ${row.epe.toFixed(2).padStart(6)}   agreement ${(100 * row.agreement).toFixed(2).padStart(6)} %`);
}
report['builtinLargeMotion'] = large;

/** A w x h window of an image at (x0, y0). */
function crop(img: RgbImage, x0: number, y0: number, w: number, h: number): RgbImage {
  const d = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) d.set(img.data.subarray(((y + y0) * img.width + x0) * 3, ((y + y0) * img.width + x0 + w) * 3), y * w * 3);
  return { width: w, height: h, data: d };
}

if (args.photos) {
  // Natural images: two crops of each photo offset by (7, -4) px, i.e. content moving by (7, -4).
  const [dx, dy] = [7, -4];
  const files = (await readdir(args.photos)).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort();
  console.log(`natural photos from ${args.photos}, shifted by (${dx}, ${dy}) px:`);
  const photoRows: Record<string, unknown>[] = [];
  for (const f of files) {
    const img = await readImage(join(args.photos, f));
    const w = Math.min(960, img.width - 20);
    const h = Math.min(540, img.height - 20);
    if (w < 64 || h < 64) continue;
    const truth = { width: w, height: h, data: new Float32Array(w * h * 2).map((_, i) => (i % 2 ? dy : dx)) };
    const flow = estimateBuiltinFlow(crop(img, 10, 10, w, h), crop(img, 10 - dx, 10 - dy, w, h), { workingWidth });
    const row = { photo: f, size: `${w}x${h}`, epe: endpointError(flow, truth), agreement: guidanceAgreement(flow, truth) };
    photoRows.push(row);
    console.log(`${f.padEnd(24)} ${row.size.padEnd(8)} EPE ${row.epe.toFixed(2).padStart(6)}   agreement ${(100 * row.agreement).toFixed(2).padStart(6)} %`);
  }
  report['builtinPhotos'] = photoRows;
}

if (!args['no-raft']) {
  let model = args['raft-model'];
  let tmp: string | undefined;
  if (!model) {
    tmp = await mkdtemp(join(tmpdir(), 'afb-bench-raft-'));
    model = join(tmp, 'raft_small_random.onnx');
    console.log('exporting a random-weight raft_small (12 iterations) with /usr/bin/python3 ...');
    const r = spawnSync('/usr/bin/python3', [fileURLToPath(new URL('../../models/raft/export_raft.py', import.meta.url)), '--arch', 'raft_small', '--random', '--iters', '12', '-o', model], { encoding: 'utf8' });
    if (r.status !== 0) {
      console.log(`RAFT skipped: export failed (${r.error?.message ?? r.stderr.trim().split('\n').pop()})`);
      model = undefined;
    }
  }
  if (model) {
    const raftWidth = intFlag('raft-width', args['raft-width'], 8);
    const est = await RaftFlowEstimator.create({ modelPath: model, workingWidth: raftWidth, threads: 1 });
    const pair = renderSyntheticPair(standardPairSpecs(960, 540)[0]!.spec);
    const layout = est.layoutFor(960, 540);
    const times = await timeRuns(Math.min(runs, 3), () => est.estimate(pair.prev, pair.next));
    await est.release();
    report['raft'] = { model: args['raft-model'] ?? 'random raft_small, 12 iterations', input: `${layout.paddedWidth}x${layout.paddedHeight}`, threads: 1, msMedian: median(times.wall), msMin: Math.min(...times.wall), cpuMsMedian: median(times.cpu) };
    console.log(`RAFT (${args['raft-model'] ?? 'random raft_small, 12 iterations'}) at ${layout.paddedWidth}x${layout.paddedHeight}, 1 thread, cpu provider: ${median(times.wall).toFixed(0)} ms wall per pair (min ${Math.min(...times.wall).toFixed(0)}), ${median(times.cpu).toFixed(0)} ms CPU`);
  }
  if (tmp) await rm(tmp, { recursive: true, force: true });
}
console.log(JSON.stringify(report));
