#!/usr/bin/env python3
"""Train the guidance predictor (cVAE-GAN, see docs/models.md and afb_models/predictor.py).

Inputs are blurry frames resized to 256x256 (bilinear, antialiased) with their guidance resized by
nearest neighbour and turned into 5 classes. Augmentation: flips, rot90, Reverse (negates guidance).
Adam 2e-4, betas (0.5, 0.999); learning rate constant for the first half of the planned steps, then
linear decay to 0. Losses: CE 10, KL 0.01, LSGAN 1 (encoded z) + 1 (random z). With --gan-warmup N the
first N steps train the cVAE alone (CE + KL, the whole batch through the encoder): on a CPU budget
the GAN from step 0 never let the cross-entropy leave the label prior (docs/models.md).

  /usr/bin/python3 models/train_predictor.py --data data/train-procedural --val data/valid-procedural \
      --preset cpu --batch 8 --steps 1700 --lr 1e-3 --beta1 0.9 --gan-warmup 1400 \
      --lambda-gan 0.1 --lambda-gan2 0.1 --out runs/pred-v2      (the shipped recipe's first run; add --resume
                                                                  to continue)
then two cVAE-only runs from its weights with a stronger KL term (--init, --lambda-kl 0.1, then 0.3);
docs/models.md has all three commands. Data: afb_models/predictor_data.py; the two kinds of step:
predictor_steps.py; validation: predictor_eval.py; budget, stop conditions, logging and checkpoint
cadence: train_loop.py.
"""
from __future__ import annotations

import os

# Before torch loads: OpenMP threads that sleep instead of spin. On this shared, oversubscribed
# 2-core machine that made training steps 3-8x faster (models/tools/bench_train.py, docs/models.md).
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

import argparse
import random
import sys
import time

import torch

from afb_models import common, train_loop
from afb_models.predictor import PRESETS, SIZE, CVAEGAN
from afb_models.predictor_data import draw, load_resized, to_batch
from afb_models.predictor_eval import validate
from afb_models.predictor_steps import cvae_step, gan_step


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--data', nargs='+', required=True)
    p.add_argument('--val', nargs='*', default=[])
    p.add_argument('--preset', choices=sorted(PRESETS), default='cpu')
    p.add_argument('--size', type=int, default=SIZE, help='training/inference resolution (256 as upstream)')
    p.add_argument('--batch', type=int, default=4, help='split in halves: encoded-z and random-z branches')
    p.add_argument('--lambda-ce', type=float, default=10.0)
    p.add_argument('--lambda-kl', type=float, default=0.01)
    p.add_argument('--lambda-gan', type=float, default=1.0)
    p.add_argument('--lambda-gan2', type=float, default=1.0)
    p.add_argument('--lambda-axis', type=float, default=0.0,
                   help='weight of a sign-agnostic cross-entropy (static / axis 1-3 / axis 2-4) on the outputs for '
                        'random z: what a blurry image shows must not depend on z (not in the paper; 0 = paper form)')
    p.add_argument('--init', default=None, help='start from the weights of this predictor checkpoint (fresh optimisers)')
    p.add_argument('--beta1', type=float, default=0.5, help="Adam beta1 (upstream 0.5; 0.9 learns faster without the GAN)")
    p.add_argument('--gan-warmup', type=int, default=0,
                   help='train only the cVAE part (CE + KL, the whole batch through the encoder) for the first N steps; '
                        'the discriminator and the random-z branch start after them')
    p.add_argument('--out', required=True)
    p.add_argument('--resume', action='store_true')
    p.add_argument('--device', default='cpu')
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--val-count', type=int, default=32)
    p.add_argument('--max-samples', type=int, default=None)
    p.add_argument('--seed', type=int, default=0)
    train_loop.add_loop_args(p, lr=2e-4, calib_steps=20, cosine=False)
    a = p.parse_args(argv)
    train_loop.check_loop_args(p, a, min_steps=0)  # --steps 0 with --init only saves those weights
    if a.size % 2 ** 8:
        p.error(f'--size must be a multiple of 256 (8 U-Net levels), got {a.size}')
    return a


def lr_at(a: argparse.Namespace, step: int, planned: int | None) -> float:
    """Constant for the first half of the plan, then linear decay to 0 (upstream: 100 + 100 epochs)."""
    frac = 0.0 if planned is None else max(0.0, (step - planned / 2) / max(1, planned / 2))
    return a.lr * (1.0 - min(1.0, frac))


def load_weights(a: argparse.Namespace, m: CVAEGAN, opt_ge, opt_d, ckpt_path: str, rng: random.Random) -> dict:
    """The run state: from <out>/ckpt.pt with --resume (model, optimisers, schedule, RNGs), from
    --init's weights only, or fresh. beta1 is always this run's."""
    state = train_loop.new_state(a)
    if a.resume:
        ck = train_loop.load_resume(ckpt_path)
        if ck['preset'] != a.preset:
            raise SystemExit(f"checkpoint is preset {ck['preset']}, asked for {a.preset}")
        m.load_state_dict(ck['model'])
        opt_ge.load_state_dict(ck['opt_ge'])
        opt_d.load_state_dict(ck['opt_d'])
        for o in (opt_ge, opt_d):  # the optimiser state keeps its moments; beta1 is this run's
            for grp in o.param_groups:
                grp['betas'] = (a.beta1, 0.999)
        state = train_loop.resume_state(ck['state'], a)
        common.restore_rng(ck['rng'])
        rng.setstate(ck['sampler_rng'])
        print(f"resumed at step {state['step']}")
    elif a.init:
        ck = common.load_checkpoint(a.init, 'cpu')
        if ck.get('kind') != 'afb-predictor' or ck['preset'] != a.preset:
            raise SystemExit(f"--init {a.init}: not a predictor checkpoint of preset {a.preset} "
                             f"(kind {ck.get('kind')!r}, preset {ck.get('preset')!r})")
        m.load_state_dict(ck['model'])
        state['init'] = {'from': a.init, 'step': ck['state']['step']}
        print(f"initialised from {a.init} (trained {ck['state']['step']} steps there)")
    return state


def main(argv=None) -> int:
    a = parse_args(argv)
    device, ckpt_path, _, log = train_loop.open_run(a)
    torch.manual_seed(a.seed)
    m = CVAEGAN(a.preset).to(device)
    opt_ge = torch.optim.Adam(list(m.G.parameters()) + list(m.E.parameters()), lr=a.lr, betas=(a.beta1, 0.999))
    opt_d = torch.optim.Adam(m.D.parameters(), lr=a.lr, betas=(a.beta1, 0.999))
    rng = random.Random(a.seed)
    state = load_weights(a, m, opt_ge, opt_d, ckpt_path, rng)
    n = lambda mod: sum(p.numel() for p in mod.parameters()) / 1e6  # noqa: E731
    print(f'predictor preset {a.preset}: G {n(m.G):.3f} M, E {n(m.E):.3f} M, D {n(m.D):.3f} M params, device {device}')
    train = load_resized(a.data, a.size, a.max_samples)
    val = None
    if a.val:
        vs = load_resized(a.val, a.size, a.val_count)
        val = (torch.stack([s.frames[0] for s in vs]), torch.stack([s.guidance for s in vs]))

    def save() -> None:
        common.save_atomic({'kind': 'afb-predictor', 'preset': a.preset, 'size': a.size, 'model': m.state_dict(),
                            'opt_ge': opt_ge.state_dict(), 'opt_d': opt_d.state_dict(), 'state': dict(state),
                            'rng': common.capture_rng(), 'sampler_rng': rng.getstate(), 'args': vars(a)}, ckpt_path)

    def run_val() -> None:
        if val is None:
            return
        t0 = time.time()
        r = validate(m, val, device)
        log.write(type='val', step=state['step'], seconds=round(time.time() - t0, 2), **r)
        print(f"[val] step {state['step']}: " + ', '.join(f'{k} {v:.4f}' for k, v in r.items()), flush=True)

    def step(lr: float) -> dict:
        for o in (opt_ge, opt_d):
            for grp in o.param_groups:
                grp['lr'] = lr
        blurry, labels, onehot = to_batch(*draw(train, a.batch, rng), device)
        if state['step'] < a.gan_warmup:
            return cvae_step(m, a, opt_ge, blurry, labels, onehot, device)
        return gan_step(m, a, opt_ge, opt_d, blurry, labels, onehot, device)

    m.train()
    train_loop.run_to_end(a, state, log=log, ckpt_path=ckpt_path, step=step, validate=run_val, save=save,
                          save_best=lambda: None, samples_per_step=a.batch, schedule=lambda s, planned: lr_at(a, s, planned))
    return 0


if __name__ == '__main__':
    sys.exit(main())
