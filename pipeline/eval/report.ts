// The evaluation report: its JSON shape and its markdown rendering. Pure: no I/O.
import type { ScoreSummary } from './aggregate.js';

/** Why LPIPS is missing from every report (said, never omitted silently). */
export const LPIPS_NOTE = 'LPIPS: not computed — requires pretrained AlexNet weights unavailable offline';

/** One evaluated method (a row): overall and per-video mean scores. */
export interface MethodReport {
  /** Stable id: 'blurry', 'gt', 'video', 'predict-p1', ... */
  readonly id: string;
  readonly label: string;
  readonly overall: ScoreSummary;
  readonly perVideo: Readonly<Record<string, ScoreSummary>>;
}

/** Everything `afb eval` measured, with the settings needed to reproduce it (the --json output). */
export interface EvalReport {
  readonly dataset: string;
  readonly layout: string;
  readonly split: string;
  readonly videos: number;
  readonly samples: number;
  /** Indices (0..6) of the sharp frames scored. */
  readonly frames: readonly number[];
  readonly crop: boolean;
  readonly guidance: string;
  /** Predictor samples per image (best of N). */
  readonly samplesPerImage: number;
  /** The guidance-only model (the paper contract), or 'none (baseline only)'. */
  readonly model: string;
  /** The motion-aware model behind the learned row, when there is one. */
  readonly motionModel?: string;
  readonly predictor?: string;
  readonly seed: number;
  readonly methods: readonly MethodReport[];
  readonly lpips: { readonly computed: false; readonly reason: string };
  readonly psnrCapDb: number;
  readonly notes: readonly string[];
  readonly elapsedSeconds: number;
}

const fmt = (v: number, digits: number) => (Number.isNaN(v) ? 'n/a' : v.toFixed(digits));

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

/** Markdown tables: overall (one row per method) and per video (PSNR / SSIM per method). */
export function formatEvalMarkdown(report: EvalReport, options: { title?: string; headingLevel?: number } = {}): string {
  const h = '#'.repeat(options.headingLevel ?? 2);
  const lines: string[] = [];
  if (options.title) lines.push(`${h} ${options.title}`, '');
  const frames = report.frames.length === 7 ? 'all 7' : report.frames.join(',');
  lines.push(
    `Dataset \`${report.dataset}\` (${report.layout} layout, split ${report.split}): ${report.videos} videos, ${report.samples} samples; ` +
      `frames ${frames}; crop ${report.crop ? 'bbox -> 160x192' : 'none'}; guidance ${report.guidance}` +
      (report.guidance === 'predict' ? ` (best of ${report.samplesPerImage}, seed ${report.seed})` : '') + '.',
    (report.motionModel
      ? `Models: guidance-only \`${report.model}\`, motion-aware \`${report.motionModel}\` (the learned row)`
      : `Model \`${report.model}\``) + `${report.predictor ? `, predictor \`${report.predictor}\`` : ''}.`,
    '',
    row(['Method', 'PSNR (dB)', 'SSIM', 'PSNR, either direction', 'SSIM, either direction', 'LPIPS', 'Samples']),
    row(['---', '---:', '---:', '---:', '---:', '---', '---:']),
  );
  for (const m of report.methods) {
    const o = m.overall;
    lines.push(row([m.label, fmt(o.psnr, 2), fmt(o.ssim, 4), fmt(o.psnrAgnostic, 2), fmt(o.ssimAgnostic, 4), 'not computed', String(o.n)]));
  }
  lines.push('', `${LPIPS_NOTE}.`);
  const identical = report.methods.filter((m) => m.overall.identical > 0);
  lines.push(
    `PSNR is pooled over the scored frames of a sample, capped at ${report.psnrCapDb} dB, then averaged over samples; ` +
      'SSIM is the Gaussian-window SSIM averaged over frames, then over samples; "either direction" scores the better of ' +
      'the prediction and its time reversal (each metric on its own).',
  );
  if (identical.length > 0) {
    lines.push(`Identical predictions (PSNR counted as ${report.psnrCapDb} dB): ${identical.map((m) => `${m.label} ${m.overall.identical}`).join(', ')}.`);
  }
  for (const note of report.notes) lines.push(note);
  const videos = [...new Set(report.methods.flatMap((m) => Object.keys(m.perVideo)))];
  if (videos.length > 0) {
    lines.push('', `${h}# Per video (PSNR dB / SSIM)`, '');
    lines.push(row(['Video', 'Samples', ...report.methods.map((m) => m.label)]));
    lines.push(row(['---', '---:', ...report.methods.map(() => '---:')]));
    for (const v of videos) {
      const n = Math.max(...report.methods.map((m) => m.perVideo[v]?.n ?? 0));
      const cells = report.methods.map((m) => {
        const s = m.perVideo[v];
        return s ? `${fmt(s.psnr, 2)} / ${fmt(s.ssim, 4)}` : 'n/a';
      });
      lines.push(row([v, String(n), ...cells]));
    }
  }
  return `${lines.join('\n')}\n`;
}

