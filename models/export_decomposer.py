#!/usr/bin/env python3
"""Export the two-stage decomposer to ONNX (opset 17, BN folded, dynamic H/W multiples of 4).

Graph: inputs  blurry   (1,3,H,W) float32 in [0,1]
               guidance (1,2,H,W) float32 in {-1,0,1}, channels (x, y)
       output  frames   (1,7,3,H,W) float32 in [0,1]
Both stages and the static copy are in the one graph. A sidecar `<model>.json` describes it.

  /usr/bin/python3 models/export_decomposer.py --ckpt runs/cpu-res/best.pt --out models/afb-decomposer-cpu.onnx
  /usr/bin/python3 models/export_decomposer.py --random --preset cpu --out /tmp/untrained.onnx
"""
from __future__ import annotations

import os

# Before torch loads: OpenMP threads that sleep instead of spin. On this shared, oversubscribed
# 2-core machine that made training steps 3-8x faster (models/tools/bench_train.py, docs/models.md).
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

import argparse
import sys

import torch

from afb_models.decomposer import HEADS, MULTIPLE, NUM_FRAMES, PRESETS, ExportWrapper, TwoStage, count_params
from afb_models.decomposer_load import build_net
from afb_models.fold import folded_copy
from afb_models.onnx_export import OPSET, export_onnx, op_histogram, sidecar_path, write_json_atomic


def export_decomposer(net: TwoStage, out: str, meta: dict, trace_size: tuple[int, int] = (64, 64)) -> dict:
    """Fold BN, export the one-graph ONNX and its sidecar JSON; returns the sidecar content."""
    fused = folded_copy(net)
    h, w = trace_size
    blurry = torch.rand(1, 3, h, w)
    guidance = torch.randint(-1, 2, (1, 2, h, w)).float()
    with torch.no_grad():
        ref = ExportWrapper(net.eval())(blurry, guidance)
        got = ExportWrapper(fused)(blurry, guidance)
    fold_err = float((ref - got).abs().max())
    if fold_err > 1e-4:
        raise SystemExit(f'BN folding changed the output by {fold_err} (> 1e-4)')
    export_onnx(ExportWrapper(fused), (blurry, guidance), out, ['blurry', 'guidance'], ['frames'],
                {'blurry': {2: 'height', 3: 'width'}, 'guidance': {2: 'height', 3: 'width'},
                 'frames': {3: 'height', 4: 'width'}})
    side = {
        'kind': 'afb-decomposer', 'format_version': 1, 'preset': net.preset, 'head': net.head,
        'channels': dict(zip(('first', 'max', 'res_blocks'), net.channels)),
        'params': count_params(net), 'opset': OPSET, 'multiple': MULTIPLE, 'num_frames': NUM_FRAMES,
        'inputs': [
            {'name': 'blurry', 'shape': [1, 3, 'H', 'W'], 'dtype': 'float32', 'range': [0, 1],
             'note': 'sRGB-encoded values / 255, NCHW'},
            {'name': 'guidance', 'shape': [1, 2, 'H', 'W'], 'dtype': 'float32', 'values': [-1, 0, 1],
             'note': 'channels (x, y), +x right, +y down, direction of motion from frame 0 to 6; (0,0) = static'}],
        'outputs': [{'name': 'frames', 'shape': [1, NUM_FRAMES, 3, 'H', 'W'], 'dtype': 'float32', 'range': [0, 1]}],
        'bn_fold_max_abs_diff': fold_err, 'ops': op_histogram(out), 'training': meta,
    }
    write_json_atomic(side, sidecar_path(out))
    return side


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--ckpt', help='training checkpoint (runs/NAME/best.pt or ckpt.pt)')
    p.add_argument('--random', action='store_true', help='export an untrained network')
    p.add_argument('--perturb-seed', type=int, default=None,
                   help='with --random: randomise BN statistics and the final convs (parity tests)')
    p.add_argument('--preset', choices=sorted(PRESETS), default='cpu', help='with --random')
    p.add_argument('--head', choices=HEADS, default='residual', help='with --random')
    p.add_argument('--out', required=True, help='output .onnx path (sidecar .json written beside it)')
    p.add_argument('--parity-dir', help='also write parity inputs/outputs (.npy) computed by PyTorch here')
    p.add_argument('--parity-size', default=(36, 44), type=lambda s: tuple(int(v) for v in s.lower().split('x')),
                   help='HxW of the parity input (multiples of 4; default 36x44)')
    p.add_argument('--threads', type=int, default=2)
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    net, meta = build_net(a.ckpt, a.preset, a.head, a.random, a.perturb_seed)
    side = export_decomposer(net, a.out, meta)
    print(f"exported {a.out} (preset {side['preset']}, head {side['head']}, {side['params'] / 1e6:.3f} M params, "
          f"BN fold max diff {side['bn_fold_max_abs_diff']:.2e}, ops {side['ops']})")
    if a.parity_dir:
        from tools.parity_inputs import write_decomposer_parity
        write_decomposer_parity(net, a.parity_dir, *a.parity_size)
        print(f'parity tensors in {a.parity_dir} ({a.parity_size[0]}x{a.parity_size[1]})')
    return 0


if __name__ == '__main__':
    sys.exit(main())
