#!/usr/bin/env python3
"""Parameter count and training-step throughput of the decomposer (samples/s), contiguous vs
channels_last, interleaved.

  /usr/bin/python3 models/tools/bench_train.py --preset cpu --crop 128 --batch 8 --rounds 3 --steps 5
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from afb_models.decomposer import TwoStage  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument('--preset', default='cpu')
    p.add_argument('--head', default='residual')
    p.add_argument('--crop', type=int, default=128)
    p.add_argument('--batch', type=int, default=8)
    p.add_argument('--steps', type=int, default=5)
    p.add_argument('--rounds', type=int, default=3)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--device', default='cpu')
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    dev = torch.device(a.device)
    n_params = sum(p.numel() for p in TwoStage(a.preset, a.head).parameters())
    print(f'preset {a.preset}, head {a.head}: {n_params / 1e6:.3f} M parameters')
    results = {'contiguous': [], 'channels_last': []}
    nets = {}
    for name, mf in (('contiguous', torch.contiguous_format), ('channels_last', torch.channels_last)):
        net = TwoStage(a.preset, a.head).to(dev).to(memory_format=mf)
        nets[name] = (net, torch.optim.AdamW(net.parameters(), lr=1e-4), mf)
    c = a.crop
    blurry = torch.rand(a.batch, 3, c, c, device=dev)
    sharp = torch.rand(a.batch, 7, 3, c, c, device=dev)
    g = torch.randint(-1, 2, (a.batch, 2, c, c), device=dev).float()

    def step(net, opt, mf):
        s1, fin = net(blurry.contiguous(memory_format=mf), g.contiguous(memory_format=mf))
        loss = F.mse_loss(s1, sharp) + F.mse_loss(fin, sharp)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    for net, opt, mf in nets.values():
        step(net, opt, mf)  # warm-up
    for _ in range(a.rounds):
        for name, (net, opt, mf) in nets.items():
            if dev.type == 'cuda':
                torch.cuda.synchronize()
            t0 = time.time()
            for _ in range(a.steps):
                step(net, opt, mf)
            if dev.type == 'cuda':
                torch.cuda.synchronize()
            results[name].append(a.steps * a.batch / (time.time() - t0))
    for name, r in results.items():
        r = sorted(r)
        print(f'{a.preset} crop {c} batch {a.batch} {name}: median {r[len(r) // 2]:.2f} samples/s (all {[round(x, 2) for x in r]})')


if __name__ == '__main__':
    main()
