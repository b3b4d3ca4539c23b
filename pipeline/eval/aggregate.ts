// Averaging per-sample scores into per-video and overall results. Pure: no I/O.
import { capPsnr, type SequenceScores } from '../math/metrics.js';

/** Mean scores over a set of samples (PSNR capped at PSNR_CAP_DB per sample before averaging). */
export interface ScoreSummary {
  /** Number of samples averaged. */
  readonly n: number;
  readonly psnr: number;
  readonly ssim: number;
  readonly psnrAgnostic: number;
  readonly ssimAgnostic: number;
  /** Samples whose prediction was identical to the ground truth (PSNR +Infinity, counted as the cap). */
  readonly identical: number;
}

/** Accumulates the scores of one method, overall and per video, in insertion order. */
export class ScoreAccumulator {
  private readonly overall: SequenceScores[] = [];
  private readonly byVideo = new Map<string, SequenceScores[]>();

  /** Add one sample's scores. */
  add(video: string, scores: SequenceScores): void {
    this.overall.push(scores);
    let list = this.byVideo.get(video);
    if (!list) this.byVideo.set(video, (list = []));
    list.push(scores);
  }

  /** Number of samples added. */
  get count(): number {
    return this.overall.length;
  }

  /** The overall summary (mean over samples, as the reference's AverageMeter). */
  summary(): ScoreSummary {
    return summarize(this.overall);
  }

  /** Per-video summaries, in the order videos were first seen. */
  perVideo(): Map<string, ScoreSummary> {
    return new Map([...this.byVideo].map(([v, s]) => [v, summarize(s)]));
  }
}

/** Mean of each metric over samples; PSNR values are capped first. NaN for an empty list. */
export function summarize(samples: readonly SequenceScores[]): ScoreSummary {
  const n = samples.length;
  const mean = (f: (s: SequenceScores) => number) => (n === 0 ? NaN : samples.reduce((a, s) => a + f(s), 0) / n);
  return {
    n,
    psnr: mean((s) => capPsnr(s.psnr)),
    ssim: mean((s) => s.ssim),
    psnrAgnostic: mean((s) => capPsnr(s.psnrAgnostic)),
    ssimAgnostic: mean((s) => s.ssimAgnostic),
    identical: samples.filter((s) => s.psnr === Infinity).length,
  };
}

/** The best-of-k counts reported for N predictor samples: 1, 3, 5 (the paper's P1/P3/P5) up to N, and N. */
export function bestOfCounts(samples: number): number[] {
  return [...new Set([1, 3, 5].filter((k) => k <= samples).concat(samples))].sort((a, b) => a - b);
}
