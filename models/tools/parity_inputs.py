#!/usr/bin/env python3
"""Write a fixed random input and the PyTorch (unfolded, eval-mode) output as .npy files, so that
onnxruntime results can be compared against PyTorch from the TypeScript side (test/models-parity.test.ts).

Decomposer files: blurry.npy (1,3,H,W) f32, guidance.npy (1,2,H,W) f32, frames.npy (1,7,3,H,W) f32.
Predictor files:  blurry.npy (1,3,256,256) f32, z.npy (1,4) f32, logits.npy (1,5,256,256) f32.

  /usr/bin/python3 models/tools/parity_inputs.py --ckpt runs/x/best.pt --dir /tmp/parity --size 36x44
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))


def _save(d: str, name: str, t: torch.Tensor) -> None:
    tmp = os.path.join(d, f'.{name}.tmp-{os.getpid()}.npy')
    np.save(tmp, t.detach().cpu().numpy().astype(np.float32))
    os.replace(tmp, os.path.join(d, f'{name}.npy'))


@torch.no_grad()
def write_decomposer_parity(net, d: str, h: int, w: int, seed: int = 1234) -> None:
    """Fixed random blurry/guidance (seeded) and the PyTorch ExportWrapper output of `net`."""
    from afb_models.decomposer import ExportWrapper
    os.makedirs(d, exist_ok=True)
    g = torch.Generator().manual_seed(seed)
    blurry = torch.rand(1, 3, h, w, generator=g)
    guidance = torch.randint(-1, 2, (1, 2, h, w), generator=g).float()
    guidance[:, :, : h // 3] = 0  # a static band, so the static copy is exercised
    frames = ExportWrapper(net.eval())(blurry, guidance)
    for name, t in (('blurry', blurry), ('guidance', guidance), ('frames', frames)):
        _save(d, name, t)


@torch.no_grad()
def write_predictor_parity(gen, d: str, seed: int = 1234) -> None:
    """Fixed random blurry (1,3,256,256) and z (1,4) and the generator's logits."""
    os.makedirs(d, exist_ok=True)
    g = torch.Generator().manual_seed(seed)
    blurry = torch.rand(1, 3, 256, 256, generator=g)
    z = torch.randn(1, 4, generator=g)
    logits = gen.eval()(blurry, z)
    for name, t in (('blurry', blurry), ('z', z), ('logits', logits)):
        _save(d, name, t)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--ckpt', required=True, help='decomposer training checkpoint')
    p.add_argument('--dir', required=True)
    p.add_argument('--size', default='36x44', help='HxW')
    a = p.parse_args()
    from afb_models.decomposer_load import build_net
    net, _ = build_net(a.ckpt, 'cpu', 'residual', False, None)
    h, w = (int(v) for v in a.size.lower().split('x'))
    write_decomposer_parity(net, a.dir, h, w)
    print(f'wrote parity tensors to {a.dir}')


if __name__ == '__main__':
    main()
