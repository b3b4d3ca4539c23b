#!/usr/bin/env python3
"""Evaluate a decomposer checkpoint on full validation frames with ground-truth guidance:
PSNR (MSE pooled over the 7 frames, data range 255) and SSIM (Gaussian 11x11, sigma 1.5, K1 0.01,
K2 0.03, per RGB channel, averaged over channels and frames) beside the repeat-the-blurry-frame
baseline. Frames are cropped to a multiple of 4 (top-left). For model cards.

  /usr/bin/python3 models/tools/eval_decomposer.py --ckpt runs/cpu-res/best.pt --data data/valid-procedural --count 100
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from afb_models import common, data  # noqa: E402
from afb_models.decomposer_load import build_net  # noqa: E402


def _gauss(size: int = 11, sigma: float = 1.5) -> torch.Tensor:
    x = torch.arange(size, dtype=torch.float64) - size // 2
    g = torch.exp(-x ** 2 / (2 * sigma ** 2))
    g = g / g.sum()
    return (g[:, None] * g[None, :]).float()


def ssim(pred: torch.Tensor, gt: torch.Tensor) -> torch.Tensor:
    """Mean SSIM of (n,3,h,w) images in [0,255] (valid-region Gaussian windows, as skimage)."""
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    w = _gauss().to(pred)[None, None].repeat(3, 1, 1, 1)
    f = lambda t: F.conv2d(t, w, groups=3)  # noqa: E731
    mx, my = f(pred), f(gt)
    sxx, syy, sxy = f(pred * pred) - mx * mx, f(gt * gt) - my * my, f(pred * gt) - mx * my
    s = ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2))
    return s.flatten(1).mean(1)


@torch.no_grad()
def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--ckpt', required=True)
    p.add_argument('--data', nargs='+', required=True)
    p.add_argument('--count', type=int, default=None, help='evenly spaced subset size (default: all)')
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--device', default='cpu')
    p.add_argument('--json', help='write the summary JSON here')
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    dev = common.resolve_device(a.device)
    net, meta = build_net(a.ckpt, 'cpu', 'residual', False, None)
    net = net.to(dev)
    samples = data.preload(a.data, a.count, cache='png')
    rows = {'psnr': [], 'ssim': [], 'psnr_baseline': [], 'ssim_baseline': []}
    t0 = time.time()
    for s in samples:
        h, w = s.shape
        h4, w4 = h // 4 * 4, w // 4 * 4
        f = s.frames[None, :, :, :h4, :w4]
        blurry, sharp, g = data.to_inputs(f, s.guidance[None, :, :h4, :w4], dev)
        fin = net(blurry, g)[1].clamp(0, 1)
        rep = blurry.unsqueeze(1).expand_as(sharp)
        gt = torch.round(sharp[0] * 255)
        for key, out in (('', fin), ('_baseline', rep)):
            o = torch.round(out[0] * 255)
            rows['psnr' + key].append(float(common.psnr_pooled(out, sharp)[0]))
            rows['ssim' + key].append(float(ssim(o, gt).mean()))
    res = {k: sum(v) / len(v) for k, v in rows.items()}
    res.update(samples=len(samples), seconds=round(time.time() - t0, 1), step=meta.get('step'),
               preset=net.preset, head=net.head)
    print(json.dumps(res, indent=2))
    if a.json:
        with open(a.json + '.tmp', 'w') as fh:
            json.dump(res, fh, indent=2)
        os.replace(a.json + '.tmp', a.json)


if __name__ == '__main__':
    main()
