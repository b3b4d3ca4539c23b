"""Write a physics parity case: a blurry 8-bit image, a motion field with static, slow and fast
regions, and the PyTorch physical decomposition of them (afb_models/physics.py), as .npy files for
the TypeScript parity test (test/motion-model.test.ts).

  /usr/bin/python3 models/tools/physics_parity.py OUTDIR [--exposure 0.6]
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from afb_models.physics import PhysicsOptions, decompose_with_motion  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument('out')
    p.add_argument('--exposure', type=float, default=0.6)
    p.add_argument('--size', default='40x52', help='HxW')
    a = p.parse_args()
    h, w = (int(v) for v in a.size.split('x'))
    g = torch.Generator().manual_seed(3)
    # a smooth random image (upsampled noise) quantised to 8 bits
    img = torch.nn.functional.interpolate(torch.rand(1, 3, h // 4, w // 4, generator=g), size=(h, w), mode='bilinear', align_corners=False)
    blur8 = torch.round(img * 255).to(torch.uint8)
    ys, xs = torch.meshgrid(torch.arange(h, dtype=torch.float32), torch.arange(w, dtype=torch.float32), indexing='ij')
    motion = torch.stack([12 * torch.sin(xs / 9) + 3, -6 * torch.cos(ys / 7)], 0)[None]
    motion[:, :, : h // 4] *= 0.02  # a static band (|F| < 0.5)
    frames = decompose_with_motion(blur8.float() / 255, motion, a.exposure, PhysicsOptions())
    os.makedirs(a.out, exist_ok=True)
    np.save(os.path.join(a.out, 'blurry.npy'), blur8[0].permute(1, 2, 0).numpy())
    np.save(os.path.join(a.out, 'motion.npy'), motion[0].permute(1, 2, 0).numpy().astype(np.float32))
    np.save(os.path.join(a.out, 'frames.npy'), frames[0].numpy().astype(np.float32))
    with open(os.path.join(a.out, 'exposure.txt'), 'w') as f:
        f.write(str(a.exposure))
    return 0


if __name__ == '__main__':
    sys.exit(main())
