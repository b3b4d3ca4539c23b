// `afb flow A B -o out.flo [--viz out.png] [--backend builtin|raft --model file.onnx]`: dense
// optical flow from image A to image B (A(x) ~ B(x + flow(x))), as Middlebury .flo or .npy.
import { FLOW_BACKEND_OPTIONS, FLOW_OPTIONS } from '../../configs/flow-options.js';
import type { OptionValues } from '../../configs/option-schema.js';
import { dirname, resolve } from 'node:path';
import { InvalidOptionError } from '../errors.js';
import { createFlowEstimator, type FlowEstimator } from '../flow/estimator.js';
import { writeFlowFile, writeFlowPng } from '../io/flo.js';
import { checkWritableLocation } from '../io/atomic.js';
import { extensionOf } from '../io/ffmpeg-args.js';
import { checkOutputsAgainstInputs } from '../io/output-guard.js';
import { readImage } from '../io/image.js';
import type { CommandContext } from './context.js';
import { defineCommand } from './define-command.js';

/** The flow estimator that the shared --backend/--model/--working-width/--provider records ask for. */
export function estimatorFromOptions(o: OptionValues<typeof FLOW_BACKEND_OPTIONS>, ctx: CommandContext): Promise<FlowEstimator> {
  return createFlowEstimator({
    backend: o.backend, provider: o.provider, log: ctx.log, threads: ctx.globals.threads,
    ...(o.model ? { modelPath: o.model } : {}), ...(o.workingWidth ? { workingWidth: o.workingWidth } : {}),
  });
}

/** JSON summary of `afb flow`. */
export interface FlowSummary {
  readonly prev: string;
  readonly next: string;
  readonly output: string;
  readonly viz: string | null;
  readonly estimator: string;
  readonly width: number;
  readonly height: number;
  readonly milliseconds: number;
  readonly meanMagnitude: number;
  readonly maxMagnitude: number;
}

/** Run `afb flow` with raw CLI values. */
export async function runFlowCommand(ctx: CommandContext, prevPath: string, nextPath: string, cli: Record<string, unknown>): Promise<FlowSummary> {
  const o = ctx.resolve('flow', FLOW_OPTIONS, cli);
  if (!o.output) throw new InvalidOptionError('--output', 'an output .flo or .npy file (-o FILE)', o.output);
  // Checked before any work: the output kinds, and that no output is an input.
  if (!['flo', 'npy'].includes(extensionOf(o.output))) throw new InvalidOptionError('-o/--output', 'a path ending in .flo or .npy', o.output);
  if (o.viz && extensionOf(o.viz) !== 'png') throw new InvalidOptionError('--viz', 'a path ending in .png', o.viz);
  const outputs = [o.output, ...(o.viz ? [o.viz] : [])];
  await checkOutputsAgainstInputs([prevPath, nextPath, ...(o.model ? [o.model] : [])], outputs.map((path) => ({ path, kind: 'file' as const })));
  for (const out of outputs) await checkWritableLocation(dirname(resolve(out)));
  const [prev, next] = await Promise.all([readImage(prevPath), readImage(nextPath)]);
  if (prev.width !== next.width || prev.height !== next.height) {
    throw new InvalidOptionError('B', `an image of the same size as A (${prev.width}x${prev.height})`, `${nextPath} (${next.width}x${next.height})`, 'range');
  }
  const estimator = await estimatorFromOptions(o, ctx);
  const start = performance.now();
  let flow;
  try {
    flow = await estimator.estimate(prev, next);
  } finally {
    await estimator.release();
  }
  const milliseconds = performance.now() - start;
  await writeFlowFile(o.output, flow);
  if (o.viz) await writeFlowPng(o.viz, flow);
  let sum = 0;
  let max = 0;
  for (let i = 0; i < flow.width * flow.height; i++) {
    const m = Math.hypot(flow.data[2 * i]!, flow.data[2 * i + 1]!);
    sum += m;
    max = Math.max(max, m);
  }
  const summary: FlowSummary = {
    prev: prevPath, next: nextPath, output: o.output, viz: o.viz ?? null, estimator: estimator.description,
    width: flow.width, height: flow.height, milliseconds: Math.round(milliseconds * 10) / 10,
    meanMagnitude: sum / (flow.width * flow.height), maxMagnitude: max,
  };
  ctx.log.info(`flow: ${summary.width}x${summary.height} in ${summary.milliseconds} ms with ${summary.estimator}; mean |flow| ${summary.meanMagnitude.toFixed(2)} px -> ${o.output}`);
  ctx.emitJson(summary);
  return summary;
}

/** The `flow` command. */
export const flowCommand = defineCommand('flow', 'dense optical flow from image A to image B (A(x) ~ B(x + flow(x))) as .flo/.npy, optionally a colour-wheel PNG', {
  args: [['<A>', 'first image'], ['<B>', 'second image (same size)']],
  records: FLOW_OPTIONS,
  run: ([a, b], cli, ctx) => runFlowCommand(ctx, a as string, b as string, cli),
});
