#!/usr/bin/env python3
"""Convert the official Animation-from-Blur checkpoints to afb's decomposer ONNX contract.

Input: `decomposer_s1.pth` and `decomposer_s2.pth` from the reference implementation (state dicts
saved from DistributedDataParallel: every key prefixed `module.`; SyncBatchNorm, whose tensors are
named like BatchNorm's). Their module names are the ones afb's decomposer uses, so after stripping
the prefix they load strictly into `TwoStage(head='sigmoid')`, the reference's output form. The
width/depth (first channels, max channels, residual blocks) is read off the tensors, so the paper
configuration (128/512/12) and any other width of the same layout convert.

  /usr/bin/python3 models/convert_reference.py --s1 decomposer_s1.pth --s2 decomposer_s2.pth \
      --out models/afb-decomposer-paper.onnx
"""
from __future__ import annotations

import os

# Before torch loads: OpenMP threads that sleep instead of spin. On this shared, oversubscribed
# 2-core machine that made training steps 3-8x faster (models/tools/bench_train.py, docs/models.md).
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

import argparse
import re
import sys

import torch

from afb_models import common
from afb_models.decomposer import PRESETS, TwoStage
from export_decomposer import export_decomposer

PREFIX = 'module.'


def strip_prefix(sd: dict, name: str) -> dict:
    """Keep only `module.`-prefixed keys (as the reference's ckpt_convert does) and remove the prefix."""
    if not isinstance(sd, dict):
        raise SystemExit(f'{name}: expected a state dict, got {type(sd).__name__}')
    if 'state_dict' in sd and isinstance(sd['state_dict'], dict):
        sd = sd['state_dict']
    out = {k[len(PREFIX):]: v for k, v in sd.items() if k.startswith(PREFIX)}
    if not out:
        raise SystemExit(f'{name}: no `module.`-prefixed keys (found e.g. {list(sd)[:3]}); not a reference checkpoint')
    return out


def infer_channels(sd: dict, name: str) -> tuple[int, int, int]:
    """(first channels, max channels, residual blocks) from a stripped stage state dict."""
    try:
        first = sd['first_conv.conv.weight'].shape[0]
        max_ch = sd['down_blocks.1.conv2.weight'].shape[0]
    except KeyError as e:
        raise SystemExit(f'{name}: missing tensor {e} of the reference layout') from None
    blocks = len({int(m.group(1)) for k in sd if (m := re.match(r'bottleneck\.(\d+)\.', k))})
    return int(first), int(max_ch), blocks


def load_reference(s1_path: str, s2_path: str) -> TwoStage:
    """Load both reference stage checkpoints into a sigmoid-head TwoStage (strict: names and shapes)."""
    sds = []
    for path in (s1_path, s2_path):
        try:
            raw = torch.load(path, map_location='cpu')
        except FileNotFoundError:
            raise SystemExit(f'checkpoint {path!r} not found') from None
        sds.append(strip_prefix(raw, path))
    ch1, ch2 = infer_channels(sds[0], s1_path), infer_channels(sds[1], s2_path)
    if ch1 != ch2:
        raise SystemExit(f'stage 1 is {ch1} but stage 2 is {ch2} (first, max, blocks); they must match')
    preset = next((k for k, v in PRESETS.items() if v == ch1), f'custom-{ch1[0]}-{ch1[1]}-{ch1[2]}')
    net = TwoStage(preset, 'sigmoid', channels=ch1)
    for stage, sd, path in ((net.decomposer_s1, sds[0], s1_path), (net.decomposer_s2, sds[1], s2_path)):
        mine = stage.state_dict()
        missing = sorted(set(mine) - set(sd))
        extra = sorted(set(sd) - set(mine))
        bad = [f'{k}: {tuple(sd[k].shape)} vs expected {tuple(mine[k].shape)}'
               for k in mine if k in sd and sd[k].shape != mine[k].shape]
        if missing or extra or bad:
            raise SystemExit(f'{path} does not match the reference layout: missing {missing[:5]}, '
                             f'unexpected {extra[:5]}, wrong shapes {bad[:5]}')
        stage.load_state_dict(sd, strict=True)
    return net.eval()


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--s1', required=True, help='decomposer_s1.pth')
    p.add_argument('--s2', required=True, help='decomposer_s2.pth')
    p.add_argument('--out', required=True, help='output .onnx (sidecar .json beside it)')
    p.add_argument('--parity-dir', help='also write PyTorch parity tensors (.npy) here')
    p.add_argument('--parity-size', default='36x44')
    p.add_argument('--threads', type=int, default=2)
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    net = load_reference(a.s1, a.s2)
    meta = {'source': 'reference checkpoints', 's1': common.display_path(a.s1), 's2': common.display_path(a.s2)}
    side = export_decomposer(net, a.out, meta, trace_size=(32, 32))
    print(f"converted to {a.out} (preset {side['preset']}, {side['params'] / 1e6:.1f} M params, "
          f"BN fold max diff {side['bn_fold_max_abs_diff']:.2e})")
    if a.parity_dir:
        from tools.parity_inputs import write_decomposer_parity
        h, w = (int(v) for v in a.parity_size.lower().split('x'))
        write_decomposer_parity(net, a.parity_dir, h, w)
    return 0


if __name__ == '__main__':
    sys.exit(main())
