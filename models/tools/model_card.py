#!/usr/bin/env python3
"""Write a model card (markdown) for an exported model from its sidecar JSON, the training run's
log.jsonl and optional evaluation JSON files (e.g. from models/tools/eval_decomposer.py or afb eval).

  /usr/bin/python3 models/tools/model_card.py --model models/afb-decomposer-cpu.onnx --run runs/cpu-res \
      --eval gt-guidance=runs/cpu-res/eval-gt.json --hardware "2-core AMD EPYC (shared), no GPU" \
      --data "data/train-procedural (4000 procedural 256x256 scenes), valid: data/valid-procedural"
"""
from __future__ import annotations

import argparse
import json
import os


def read_log(run: str) -> list[dict]:
    path = os.path.join(run, 'log.jsonl')
    with open(path, encoding='utf-8') as f:
        return [json.loads(line) for line in f if line.strip()]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--model', required=True, help='the .onnx file (its .json sidecar must exist)')
    p.add_argument('--run', help='training run folder (log.jsonl)')
    p.add_argument('--eval', action='append', default=[], help='NAME=path.json with evaluation numbers (repeatable)')
    p.add_argument('--hardware', default='unspecified')
    p.add_argument('--data', default='unspecified')
    p.add_argument('--ms-per-frame', help='measured inference time per 960x540 frame, free text')
    p.add_argument('--notes', default='')
    a = p.parse_args()
    side_path = a.model[:-5] + '.json' if a.model.endswith('.onnx') else a.model + '.json'
    with open(side_path, encoding='utf-8') as f:
        side = json.load(f)
    tr = side.get('training', {})
    lines = [f"# Model card: {os.path.basename(a.model)}", '',
             f"- Kind: {side.get('kind')}, preset `{side.get('preset')}`" + (f", head `{side['head']}`" if 'head' in side else ''),
             f"- Parameters: {side.get('params', 0) / 1e6:.3f} M; ONNX opset {side.get('opset')}",
             f"- Inputs: " + ', '.join(f"`{i['name']}` {i['shape']}" for i in side.get('inputs', [])),
             f"- Outputs: " + ', '.join(f"`{o['name']}` {o['shape']}" for o in side.get('outputs', [])),
             f"- Training data: {a.data}",
             f"- Hardware: {a.hardware}",
             f"- Steps: {tr.get('step')}; training hours: {tr.get('train_hours')}"]
    if a.ms_per_frame:
        lines.append(f'- Inference: {a.ms_per_frame}')
    if a.run:
        log = read_log(a.run)
        vals = [r for r in log if r.get('type') == 'val']
        trains = [r for r in log if r.get('type') == 'train']
        if trains:
            lines.append(f"- Training throughput (last log line): {trains[-1].get('samples_per_s')} samples/s, "
                         f"final lr {trains[-1].get('lr'):.2e}")
        if vals and 'psnr' in vals[-1]:
            best = max(vals, key=lambda r: r['psnr'])
            lines += ['', '## Validation during training (ground-truth guidance, fixed centre crops)', '',
                      '| step | PSNR | repeat-blurry baseline | gain |', '|---|---|---|---|']
            for r in vals:
                lines.append(f"| {r['step']} | {r['psnr']:.3f} | {r['psnr_baseline']:.3f} | {r['gain_db']:+.3f} dB |")
            lines.append(f"\nBest: {best['psnr']:.3f} dB at step {best['step']} ({best['gain_db']:+.3f} dB over the baseline).")
    for spec in a.eval:
        name, _, path = spec.partition('=')
        with open(path, encoding='utf-8') as f:
            ev = json.load(f)
        lines += ['', f'## Evaluation: {name}', '', '| metric | value |', '|---|---|']
        lines += [f'| {k} | {v:.4f} |' if isinstance(v, float) else f'| {k} | {v} |' for k, v in ev.items()]
    if a.notes:
        lines += ['', '## Notes', '', a.notes]
    out = a.model[:-5] + '.md' if a.model.endswith('.onnx') else a.model + '.md'
    with open(out + '.tmp', 'w', encoding='utf-8') as f:
        f.write('\n'.join(lines) + '\n')
    os.replace(out + '.tmp', out)
    print(f'wrote {out}')


if __name__ == '__main__':
    main()
