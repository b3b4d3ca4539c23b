// `afb eval DATASET`: score the model on a dataset in the reference layout (PSNR, SSIM, baselines).
import type { Command } from 'commander';
import { EVAL_OPTIONS } from '../../configs/eval-options.js';
import { writeFileAtomic } from '../io/atomic.js';
import { createPredictorSource, createVideoSource } from '../eval/guidance-sources.js';
import { formatEvalMarkdown } from '../eval/report.js';
import { runEvaluation, type GuidanceProvider } from '../eval/runner.js';
import { resolveModelPath } from '../video/defaults.js';
import type { CommandModule } from './main.js';
import type { CommandContext } from './context.js';

/** Run `afb eval` with raw CLI values (also used by bench/quality.ts); returns the report. */
export async function evalCommand(ctx: CommandContext, dataset: string, cli: Record<string, unknown>) {
  const o = ctx.resolve('eval', EVAL_OPTIONS, cli);
  const model = o.baselineOnly ? undefined : resolveModelPath(o.model, 'decomposer');
  const predictor = o.guidance === 'predict' ? resolveModelPath(o.predictor, 'predictor') : undefined;
  let source: GuidanceProvider | undefined;
  if (predictor) source = await createPredictorSource(predictor, { provider: o.provider, threads: ctx.globals.threads, warn: (m) => ctx.log.warn(m) });
  if (o.guidance === 'video') {
    const video = await createVideoSource({
      backend: o.flowBackend,
      modelPath: o.flowModel,
      provider: o.provider,
      threads: ctx.globals.threads,
      log: ctx.log,
    });
    ctx.log.info(`eval: guidance from video with ${video.description}`);
    source = video;
  }
  try {
    const report = await runEvaluation({
      dataset,
      split: o.split,
      videoList: o.videoList || undefined,
      guidance: o.guidance,
      samples: o.samples,
      model,
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
export const evalCommandModule: CommandModule = {
  name: 'eval',
  register(program: Command, getContext: () => Promise<CommandContext>) {
    const cmd = program
      .command('eval')
      .argument('<dataset>', 'dataset root in the reference layout (<video>/blur, sharp, trend+ or trend+_avg)')
      .description('Evaluate the model on a dataset: PSNR/SSIM per video and overall, with baselines (LPIPS not available offline)');
    for (const record of EVAL_OPTIONS) cmd.option(record.flag, record.description);
    cmd.action(async (dataset: string, opts: Record<string, unknown>) => {
      await evalCommand(await getContext(), dataset, opts);
    });
  },
};
