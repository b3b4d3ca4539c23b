// `afb eval DATASET`: score the model on a dataset in the reference layout (PSNR, SSIM, baselines).
import { EVAL_OPTIONS } from '../../configs/eval-options.js';
import { writeFileAtomic } from '../io/atomic.js';
import { checkOutputsAgainstInputs } from '../io/output-guard.js';
import { formatEvalMarkdown } from '../eval/report.js';
import { runEvaluation } from '../eval/runner.js';
import { createMotionSource, type MotionSource } from '../motion/source.js';
import { resolveModelPath } from '../video/defaults.js';
import { defineCommand } from './define-command.js';
import type { CommandContext } from './context.js';

/** Run `afb eval` with raw CLI values (also used by bench/quality.ts); returns the report. */
export async function evalCommand(ctx: CommandContext, dataset: string, cli: Record<string, unknown>) {
  const o = ctx.resolve('eval', EVAL_OPTIONS, cli);
  const model = o.baselineOnly ? undefined : resolveModelPath(o.model, 'decomposer');
  const predictor = o.guidance === 'predict' ? resolveModelPath(o.predictor, 'predictor') : undefined;
  const motionModel = o.guidance === 'video' && o.motionModel !== 'none' && !o.baselineOnly ? resolveModelPath(o.motionModel || undefined, 'motion') : undefined;
  // The report never replaces an input (the dataset, a model).
  if (o.out) await checkOutputsAgainstInputs([dataset, ...[model, predictor, motionModel, o.flowModel].filter((p): p is string => !!p)], [{ path: o.out, kind: 'file' }]);
  let source: MotionSource | undefined;
  if (o.guidance !== 'gt') {
    source = await createMotionSource({
      mode: o.guidance, flow: o.flowBackend, neighbours: o.neighbours, seed: o.seed, provider: o.provider, threads: ctx.globals.threads, log: ctx.log,
      ...(o.flowModel ? { flowModel: o.flowModel } : {}), ...(predictor ? { predictorPath: predictor } : {}),
    });
    ctx.log.info(`eval: motion from ${source.description}`);
  }
  try {
    const report = await runEvaluation({
      dataset,
      split: o.split,
      videoList: o.videoList || undefined,
      guidance: o.guidance,
      samples: o.samples,
      model,
      ...(motionModel ? { motionModel } : {}),
      exposure: o.exposure,
      ensemble: o.ensemble,
      predictor,
      frames: o.frames,
      crop: o.crop,
      maxSamples: o.maxSamples,
      seed: o.seed,
      consistency: o.consistency,
      provider: o.provider,
      workers: ctx.globals.workers,
      threads: ctx.globals.threads,
      log: ctx.log,
      source,
    });
    const markdown = formatEvalMarkdown(report, { title: `afb eval: ${report.dataset}` });
    if (o.out) {
      await writeFileAtomic(o.out, markdown);
      ctx.log.info(`eval: report written to ${o.out}`);
    }
    if (ctx.globals.json) ctx.emitJson(report);
    else if (!o.out) process.stdout.write(markdown);
    return report;
  } finally {
    await source?.release();
  }
}

/** The `eval` subcommand. */
export const evalCommandModule = defineCommand('eval', 'Evaluate the model on a dataset: PSNR/SSIM per video and overall, with baselines (LPIPS not available offline)', {
  args: [['<dataset>', 'dataset root in the reference layout (<video>/blur, sharp, trend+ or trend+_avg)']],
  records: EVAL_OPTIONS,
  run: ([dataset], cli, ctx) => evalCommand(ctx, dataset as string, cli),
});
