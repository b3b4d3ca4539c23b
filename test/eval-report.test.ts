import { describe, expect, it } from 'vitest';
import { bestOfCounts, ScoreAccumulator, summarize } from '../pipeline/eval/aggregate.js';
import { formatEvalMarkdown, type EvalReport } from '../pipeline/eval/report.js';

const s = (psnr: number, ssim: number) => ({ psnr, ssim, psnrAgnostic: psnr, ssimAgnostic: ssim });

describe('aggregation and report', () => {
  it('P1/P3/P5 up to N, plus N', () => {
    expect(bestOfCounts(1)).toEqual([1]);
    expect(bestOfCounts(4)).toEqual([1, 3, 4]);
    expect(bestOfCounts(5)).toEqual([1, 3, 5]);
    expect(bestOfCounts(10)).toEqual([1, 3, 5, 10]);
  });

  it('averages over samples with identical samples counted at the 100 dB cap', () => {
    const r = summarize([s(20, 0.5), s(Infinity, 1)]);
    expect(r).toEqual({ n: 2, psnr: 60, ssim: 0.75, psnrAgnostic: 60, ssimAgnostic: 0.75, identical: 1 });
    expect(summarize([]).psnr).toBeNaN();
  });

  it('per-video means keep the order videos were seen in', () => {
    const acc = new ScoreAccumulator();
    acc.add('b', s(10, 0.1));
    acc.add('a', s(20, 0.2));
    acc.add('b', s(30, 0.3));
    expect([...acc.perVideo().keys()]).toEqual(['b', 'a']);
    expect(acc.perVideo().get('b')!.psnr).toBe(20);
    expect(acc.summary().psnr).toBe(20);
  });

  it('renders the overall and per-video tables and the LPIPS note', () => {
    const summary = summarize([s(25.123, 0.81234)]);
    const report: EvalReport = {
      dataset: 'd', layout: 'genblur', split: 'valid', videos: 1, samples: 1, frames: [0, 3, 6], crop: false, guidance: 'gt',
      samplesPerImage: 1, model: 'm.onnx', seed: 0, psnrCapDb: 100, notes: ['a note'], elapsedSeconds: 1,
      lpips: { computed: false, reason: 'x' },
      methods: [{ id: 'blurry', label: 'Repeat blurry frame', overall: summary, perVideo: { v1: summary } }],
    };
    const md = formatEvalMarkdown(report, { title: 'T' });
    expect(md).toContain('## T');
    expect(md).toContain('frames 0,3,6');
    expect(md).toContain('| Repeat blurry frame | 25.12 | 0.8123 | 25.12 | 0.8123 | not computed | 1 |');
    expect(md).toContain('| v1 | 1 | 25.12 / 0.8123 |');
    expect(md).toContain('LPIPS: not computed — requires pretrained AlexNet weights unavailable offline.');
    expect(md).toContain('a note');
    expect(md).toContain('Model `m.onnx`.');
    // With a motion-aware model, the report names both and which row is whose.
    const both = formatEvalMarkdown({ ...report, motionModel: 'afb-motion.onnx' });
    expect(both).toContain('Models: guidance-only `m.onnx`, motion-aware `afb-motion.onnx` (the learned row).');
    expect(both).not.toContain('Model `m.onnx`.');
  });
});
