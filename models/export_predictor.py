#!/usr/bin/env python3
"""Export the guidance predictor's generator to ONNX (opset 17).

Graph: inputs  blurry (1,3,256,256) float32 in [0,1] (the frame resized to 256x256)
               z      (1,4) float32, z ~ N(0, I); one draw per desired guidance sample
       output logits  (1,5,256,256) float32; argmax -> class 0 static, 1 (1,-1), 2 (-1,-1), 3 (-1,1), 4 (1,1)
A sidecar `<model>.json` describes it.

  /usr/bin/python3 models/export_predictor.py --ckpt runs/pred-cpu/ckpt.pt --out models/afb-predictor-cpu.onnx
"""
from __future__ import annotations

import os

# Before torch loads: OpenMP threads that sleep instead of spin. On this shared, oversubscribed
# 2-core machine that made training steps 3-8x faster (models/tools/bench_train.py, docs/models.md).
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

import argparse
import sys
import warnings

import torch

from afb_models import common
from afb_models.onnx_export import OPSET, export_onnx, op_histogram, sidecar_path, write_json_atomic
from afb_models.predictor import NUM_CLASSES, NZ, PRESETS, SIZE, CVAEGAN


def build(ckpt: str | None, preset: str, random_init: bool) -> tuple[CVAEGAN, dict]:
    """The model (eval mode) and its training metadata."""
    if ckpt:
        ck = common.load_checkpoint(ckpt, 'cpu')
        m = CVAEGAN(ck['preset'])
        m.load_state_dict(ck['model'])
        st = ck.get('state', {})
        meta = {'source': common.display_path(ckpt), 'step': st.get('step'),
                'train_hours': round(st.get('train_seconds', 0) / 3600, 3), 'train_args': ck.get('args')}
        if st.get('init'):  # started with --init from another run's weights: this run's hours exclude those
            meta['init'] = st['init']
    elif random_init:
        torch.manual_seed(0)
        m = CVAEGAN(preset)
        meta = {'source': 'random', 'step': 0}
    else:
        raise SystemExit('give --ckpt PATH or --random')
    return m.eval(), meta


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--ckpt')
    p.add_argument('--random', action='store_true', help='export an untrained generator')
    p.add_argument('--preset', choices=sorted(PRESETS), default='cpu', help='with --random')
    p.add_argument('--out', required=True)
    p.add_argument('--parity-dir', help='also write PyTorch parity tensors (.npy) here')
    p.add_argument('--threads', type=int, default=2)
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    m, meta = build(a.ckpt, a.preset, a.random)
    g = m.G.eval()
    # InstanceNorm2d without running stats always normalises per instance; that is what we export.
    warnings.filterwarnings('ignore', message=".*operator 'instance_norm' is set to train=True.*")
    export_onnx(g, (torch.rand(1, 3, SIZE, SIZE), torch.randn(1, NZ)), a.out, ['blurry', 'z'], ['logits'], None)
    side = {
        'kind': 'afb-predictor', 'format_version': 1, 'preset': m.preset, 'config': PRESETS[m.preset],
        'params': sum(q.numel() for q in g.parameters()), 'opset': OPSET, 'size': SIZE, 'nz': NZ,
        'inputs': [{'name': 'blurry', 'shape': [1, 3, SIZE, SIZE], 'dtype': 'float32', 'range': [0, 1],
                    'note': 'sRGB-encoded values / 255, frame resized to 256x256'},
                   {'name': 'z', 'shape': [1, NZ], 'dtype': 'float32', 'note': 'standard normal sample'}],
        'outputs': [{'name': 'logits', 'shape': [1, NUM_CLASSES, SIZE, SIZE], 'dtype': 'float32',
                     'classes': {'0': [0, 0], '1': [1, -1], '2': [-1, -1], '3': [-1, 1], '4': [1, 1]},
                     'note': 'argmax -> class -> guidance (x, y); resize back with nearest neighbour'}],
        'ops': op_histogram(a.out), 'training': meta,
    }
    write_json_atomic(side, sidecar_path(a.out))
    print(f"exported {a.out} (predictor preset {m.preset}, {side['params'] / 1e6:.3f} M params)")
    if a.parity_dir:
        from tools.parity_inputs import write_predictor_parity
        write_predictor_parity(g, a.parity_dir)
    return 0


if __name__ == '__main__':
    sys.exit(main())
