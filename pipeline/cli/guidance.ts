// `afb guidance (--flow f.flo | --frames prev,cur | --labelme file.json) -o out.(npy|png)`: motion
// guidance in the reference encoding, from a flow file, from two frames or from a user annotation.
import { dirname, resolve } from 'node:path';
import { GUIDANCE_OPTIONS } from '../../configs/flow-options.js';
import { InvalidOptionError } from '../errors.js';
import { motionFromNeighbours } from '../motion/video-motion.js';
import { readFlowFile } from '../io/flo.js';
import { guidanceFormatOf, writeGuidance } from '../io/guidance-io.js';
import { checkWritableLocation } from '../io/atomic.js';
import { checkOutputsAgainstInputs } from '../io/output-guard.js';
import { readImage } from '../io/image.js';
import { readLabelmeGuidance } from '../io/labelme-io.js';
import { movingFraction, quantizeFlow } from '../math/guidance.js';
import type { GuidanceMap } from '../math/types.js';
import type { CommandContext } from './context.js';
import { defineCommand } from './define-command.js';
import { estimatorFromOptions } from './flow.js';

/** Run `afb guidance` with raw CLI values; returns the guidance written. */
export async function runGuidanceCommand(ctx: CommandContext, cli: Record<string, unknown>): Promise<GuidanceMap> {
  const o = ctx.resolve('guidance', GUIDANCE_OPTIONS, cli);
  if (!o.output) throw new InvalidOptionError('--output', 'an output .npy or .png file (-o FILE)', o.output);
  guidanceFormatOf(o.output);
  const inputs = [o.flow, o.frames, o.labelme].filter((v) => v !== undefined);
  if (inputs.length !== 1) throw new InvalidOptionError('--flow/--frames/--labelme', 'exactly one of them', inputs);
  // The output is never one of the inputs (e.g. --frames A.png,B.png -o A.png).
  const read = o.frames ? o.frames.split(',').filter((p) => p !== '') : inputs;
  await checkOutputsAgainstInputs([...read, ...(o.model ? [o.model] : [])], [{ path: o.output, kind: 'file' }]);
  await checkWritableLocation(dirname(resolve(o.output)));
  const quantize = { directions: o.directions, threshold: o.threshold };
  let g: GuidanceMap;
  let from: string;
  if (o.flow) {
    g = quantizeFlow(await readFlowFile(o.flow), quantize);
    from = o.flow;
  } else if (o.labelme) {
    g = await readLabelmeGuidance(o.labelme, { directions: o.directions });
    from = o.labelme;
  } else {
    const parts = o.frames!.split(',');
    if (parts.length !== 2 || parts.some((p) => p === '')) throw new InvalidOptionError('--frames', 'two image paths separated by a comma', o.frames);
    const [a, b] = await Promise.all([readImage(parts[0]!), readImage(parts[1]!)]);
    if (a.width !== b.width || a.height !== b.height) throw new InvalidOptionError('--frames', 'two images of the same size', o.frames, 'range');
    const estimator = await estimatorFromOptions(o, ctx);
    try {
      const frames = o.source === 'previous' ? { prev: a, cur: b } : { cur: a, next: b };
      g = quantizeFlow((await motionFromNeighbours(estimator, frames, o.source))!, quantize);
    } finally {
      await estimator.release();
    }
    from = `${o.frames} (${estimator.description})`;
  }
  await writeGuidance(o.output, g, { half: o.half });
  const summary = {
    output: o.output, from, width: g.width, height: g.height, directions: o.directions, half: o.half,
    movingFraction: movingFraction(g),
  };
  ctx.log.info(`guidance: ${g.width}x${g.height}, ${o.directions} directions, ${(100 * summary.movingFraction).toFixed(1)}% moving, from ${from} -> ${o.output}`);
  ctx.emitJson(summary);
  return g;
}

/** The `guidance` command. */
export const guidanceCommand = defineCommand('guidance', 'motion guidance (reference .npy or colour .png) from a flow file, two frames or a labelme annotation', {
  records: GUIDANCE_OPTIONS,
  run: (_args, cli, ctx) => runGuidanceCommand(ctx, cli),
});
