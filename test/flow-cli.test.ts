import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../pipeline/cli/context.js';
import { runFlowCommand } from '../pipeline/cli/flow.js';
import { runGuidanceCommand } from '../pipeline/cli/guidance.js';
import { readFlowFile } from '../pipeline/io/flo.js';
import { readGuidance } from '../pipeline/io/guidance-io.js';
import { readImage, writePng } from '../pipeline/io/image.js';
import { renderSyntheticPair } from '../bench/lib/synthetic-pairs.js';

let dir: string;
const ctx = () => createContext({ logLevel: 'silent' }, ['flow', 'guidance']);
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'afb-flow-cli-'));
  // background moves up-right, a disc moves down-left
  const p = renderSyntheticPair({ width: 192, height: 112, seed: 2, background: { dx: 2.6, dy: -1.8 }, foreground: { motion: { dx: -3.1, dy: 2.2 }, cx: 96, cy: 56, radius: 30 } });
  await writePng(join(dir, 'a.png'), p.prev);
  await writePng(join(dir, 'b.png'), p.next);
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('afb flow / afb guidance', () => {
  it('writes .flo and the colour-wheel PNG', async () => {
    const s = await runFlowCommand(await ctx(), join(dir, 'a.png'), join(dir, 'b.png'), { output: join(dir, 'f.flo'), viz: join(dir, 'v.png'), workingWidth: '96' });
    expect([s.width, s.height]).toEqual([192, 112]);
    expect(s.estimator).toMatch(/working width 96/);
    const f = await readFlowFile(join(dir, 'f.flo'));
    const corner = 10 * 192 + 10;
    expect(f.data[2 * corner]).toBeCloseTo(2.6, 0);
    expect(f.data[2 * corner + 1]).toBeCloseTo(-1.8, 0);
    expect((await readImage(join(dir, 'v.png'))).width).toBe(192);
  });
  it('quantises a flow file, estimates from frames, and rasterises labelme, to .npy or .png', async () => {
    const fromFlow = await runGuidanceCommand(await ctx(), { flow: join(dir, 'f.flo'), output: join(dir, 'g.png') });
    const centre = 56 * 192 + 96;
    expect(Array.from(fromFlow.data.subarray(2 * centre, 2 * centre + 2))).toEqual([-1, 1]);
    expect(Array.from(fromFlow.data.subarray(0, 2))).toEqual([1, -1]);
    expect(await readGuidance(join(dir, 'g.png'))).toEqual(fromFlow);

    await runGuidanceCommand(await ctx(), { frames: `${join(dir, 'a.png')},${join(dir, 'b.png')}`, output: join(dir, 'g.npy'), half: true });
    const half = await readGuidance(join(dir, 'g.npy'));
    expect([half.width, half.height]).toEqual([96, 56]);
    expect(Array.from(half.data.subarray(2 * (28 * 96 + 48), 2 * (28 * 96 + 48) + 2))).toEqual([-1, 1]);

    const lm = join(dir, 'a.json');
    await writeFile(lm, JSON.stringify({ imageWidth: 8, imageHeight: 4, shapes: [{ label: 'left', shape_type: 'rectangle', points: [[0, 0], [4, 4]] }] }));
    const g = await runGuidanceCommand(await ctx(), { labelme: lm, output: join(dir, 'l.npy'), directions: '2' });
    expect([g.channels, g.data[0], g.data[7]]).toEqual([1, -1, 0]);
  });
  it('validates its inputs before doing work', async () => {
    await expect(runGuidanceCommand(await ctx(), { output: join(dir, 'x.npy') })).rejects.toThrow(/exactly one/);
    await expect(runGuidanceCommand(await ctx(), { flow: 'f.flo', labelme: 'a.json', output: join(dir, 'x.npy') })).rejects.toThrow(/exactly one/);
    await expect(runGuidanceCommand(await ctx(), { flow: join(dir, 'f.flo'), output: join(dir, 'x.jpg') })).rejects.toThrow(/x\.jpg/);
    await expect(runGuidanceCommand(await ctx(), { flow: join(dir, 'f.flo'), output: join(dir, 'x.npy'), threshold: '-1' })).rejects.toThrow(/--threshold/);
    await expect(runFlowCommand(await ctx(), join(dir, 'a.png'), join(dir, 'b.png'), { output: join(dir, 'o.flo'), backend: 'raft' })).rejects.toThrow(/--model/);
    await expect(runFlowCommand(await ctx(), join(dir, 'a.png'), join(dir, 'b.png'), {})).rejects.toThrow(/--output/);
  });
});
