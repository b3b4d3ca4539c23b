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
docs/models.md has all three commands.
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
import torch.nn.functional as F

from afb_models import common, data
from afb_models.predictor import (CLASS_AXIS, NUM_CLASSES, NZ, PRESETS, SIZE, CVAEGAN, axis_loss, guidance_to_classes,
                                  kl_loss, lsgan)


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--data', nargs='+', required=True)
    p.add_argument('--val', nargs='*', default=[])
    p.add_argument('--preset', choices=sorted(PRESETS), default='cpu')
    p.add_argument('--size', type=int, default=SIZE, help='training/inference resolution (256 as upstream)')
    p.add_argument('--batch', type=int, default=4, help='split in halves: encoded-z and random-z branches')
    p.add_argument('--lr', type=float, default=2e-4)
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
    p.add_argument('--steps', type=int, default=None)
    p.add_argument('--hours', type=float, default=None, help='time budget; calibrates --steps if not given')
    p.add_argument('--calib-steps', type=int, default=20)
    p.add_argument('--stop-after', type=int, default=None, help='end this sitting after N more steps')
    p.add_argument('--out', required=True)
    p.add_argument('--resume', action='store_true')
    p.add_argument('--device', default='cpu')
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--val-every', type=float, default=900)
    p.add_argument('--val-count', type=int, default=32)
    p.add_argument('--ckpt-every', type=float, default=300)
    p.add_argument('--log-every', type=int, default=10)
    p.add_argument('--max-samples', type=int, default=None)
    p.add_argument('--seed', type=int, default=0)
    a = p.parse_args(argv)
    if a.steps is None and a.hours is None:
        p.error('give --steps and/or --hours')
    if a.size % 2 ** 8:
        p.error(f'--size must be a multiple of 256 (8 U-Net levels), got {a.size}')
    return a


def load_resized(roots: list[str], size: int, max_samples: int | None) -> list[data.Sample]:
    """Blurry frames resized to size x size (uint8) with nearest-resized guidance."""
    paths = data.sample_paths(roots)
    if not paths:
        raise SystemExit(f'no samples under {roots}')
    if max_samples is not None and len(paths) > max_samples:
        step = len(paths) / max_samples
        paths = [paths[int(i * step)] for i in range(max_samples)]
    out = []
    for p in paths:
        f, g = data.load_sample(*p, blurry_only=True)
        if tuple(f.shape[-2:]) != (size, size):
            f = F.interpolate(f.float(), size=(size, size), mode='bilinear', align_corners=False, antialias=True)
            f = f.round().clamp(0, 255).to(torch.uint8)
            g = F.interpolate(g[None].float(), size=(size, size), mode='nearest')[0].to(torch.int8)
        out.append(data.Sample(f, g))
    print(f'loaded {len(out)} samples from {roots} at {size}x{size}', flush=True)
    return out


def draw(samples: list[data.Sample], n: int, rng: random.Random, aug: bool = True):
    fs, gs = [], []
    for _ in range(n):
        s = samples[rng.randrange(len(samples))]
        f, g = s.frames, s.guidance
        if aug:
            f, g = data.augment(f, g, rng)
        fs.append(f[0])
        gs.append(g)
    return torch.stack(fs), torch.stack(gs)


def to_batch(f: torch.Tensor, g: torch.Tensor, device):
    blurry = f.to(device).float() / 255.0
    labels = guidance_to_classes(g.to(device).float())
    onehot = F.one_hot(labels, NUM_CLASSES).permute(0, 3, 1, 2).float()
    return blurry, labels, onehot


@torch.no_grad()
def validate(m: CVAEGAN, val, device, n_samples: int = 5, seed: int = 0) -> dict:
    """Pixel accuracy of argmax(G(blurry, z)): with z = 0, best of n random z (per image), with z = the
    encoder's mean for the true guidance (reconstruction), and the all-static baseline; plus the
    fractions of moving pixels whose direction, and whose axis (direction up to sign), is right (z = 0), and
    the fraction of pixels rightly called static or moving (z = 0)."""
    f, g = val
    m.G.eval()
    gen = torch.Generator().manual_seed(seed)
    acc0, best, static, moving, enc, axis, sm = [], [], [], [], [], [], []
    for i in range(0, f.shape[0], 4):
        blurry, labels, onehot = to_batch(f[i:i + 4], g[i:i + 4], device)
        b = blurry.shape[0]
        pred0 = m.G(blurry, torch.zeros(b, NZ, device=device)).argmax(1)
        acc0.append((pred0 == labels).float().flatten(1).mean(1))
        mu, _ = m.E(onehot)
        enc.append((m.G(blurry, mu).argmax(1) == labels).float().flatten(1).mean(1))
        accs = [(m.G(blurry, torch.randn(b, NZ, generator=gen).to(device)).argmax(1) == labels).float().flatten(1).mean(1)
                for _ in range(n_samples)]
        best.append(torch.stack(accs).amax(0))
        static.append((labels == 0).float().flatten(1).mean(1))
        sm.append(((pred0 == 0) == (labels == 0)).float().flatten(1).mean(1))
        mv = labels != 0
        nmv = mv.float().flatten(1).sum(1).clamp_min(1)
        moving.append(((pred0 == labels) & mv).float().flatten(1).sum(1) / nmv)
        # motion axis right (the class or its opposite), whatever the sign: what one blurry image can show
        axis.append(((CLASS_AXIS.to(device)[pred0] == CLASS_AXIS.to(device)[labels]) & mv).float().flatten(1).sum(1) / nmv)
    m.G.train()
    c = lambda xs: float(torch.cat(xs).mean().cpu())  # noqa: E731
    return {'acc_z0': c(acc0), f'acc_best_of_{n_samples}': c(best), 'acc_all_static': c(static), 'moving_acc_z0': c(moving),
            'moving_axis_acc_z0': c(axis), 'static_vs_moving_acc_z0': c(sm), 'acc_encoded': c(enc)}


def encode(m: CVAEGAN, onehot: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Encoder posterior of the true guidance and a reparameterised sample: (mu, logvar, z)."""
    mu, logvar = m.E(onehot)
    return mu, logvar, mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)


def gan_step(m: CVAEGAN, a: argparse.Namespace, opt_ge, opt_d, blurry, labels, onehot, device):
    """One BicycleGAN step: half the batch through the encoder (cVAE-GAN: CE + KL + GAN), the other half
    with random z (cLR-GAN: GAN); the discriminator first, then generator + encoder."""
    h = max(1, a.batch // 2)
    a1, l1, b1 = blurry[:h], labels[:h], onehot[:h]
    a2, b2 = (blurry[h:], onehot[h:]) if a.batch >= 2 else (blurry, onehot)
    mu, logvar, z_enc = encode(m, b1)
    fake_enc = m.G(a1, z_enc)
    fake_rand = m.G(a2, torch.randn(a2.shape[0], NZ, device=device))
    hard_enc = F.gumbel_softmax(fake_enc, tau=1.0, hard=True, dim=1)
    hard_rand = F.gumbel_softmax(fake_rand, tau=1.0, hard=True, dim=1)
    loss_d = (lsgan(m.D(b1), True) + lsgan(m.D(hard_enc.detach()), False)
              + lsgan(m.D(b2), True) + lsgan(m.D(hard_rand.detach()), False))
    opt_d.zero_grad(set_to_none=True)
    loss_d.backward()
    opt_d.step()
    for p_ in m.D.parameters():
        p_.requires_grad_(False)
    loss_gan = a.lambda_gan * lsgan(m.D(hard_enc), True) + a.lambda_gan2 * lsgan(m.D(hard_rand), True)
    loss_ce = F.cross_entropy(fake_enc, l1)
    loss_kl = kl_loss(mu, logvar)
    loss_g = loss_gan + a.lambda_ce * loss_ce + a.lambda_kl * loss_kl
    loss_axis = torch.zeros(())
    if a.lambda_axis:
        loss_axis = axis_loss(fake_rand, labels[h:] if a.batch >= 2 else labels)
        loss_g = loss_g + a.lambda_axis * loss_axis
    opt_ge.zero_grad(set_to_none=True)
    loss_g.backward()
    opt_ge.step()
    for p_ in m.D.parameters():
        p_.requires_grad_(True)
    return loss_d, loss_g, loss_gan, loss_ce, loss_kl, loss_axis


def main(argv=None) -> int:
    a = parse_args(argv)
    torch.set_num_threads(a.threads)
    device = common.resolve_device(a.device)
    os.makedirs(a.out, exist_ok=True)
    ckpt_path = os.path.join(a.out, 'ckpt.pt')
    stop = common.StopFlag()
    log = common.JsonlLog(os.path.join(a.out, 'log.jsonl'))
    torch.manual_seed(a.seed)
    m = CVAEGAN(a.preset).to(device)
    betas = (a.beta1, 0.999)
    opt_ge = torch.optim.Adam(list(m.G.parameters()) + list(m.E.parameters()), lr=a.lr, betas=betas)
    opt_d = torch.optim.Adam(m.D.parameters(), lr=a.lr, betas=betas)
    state = {'step': 0, 'train_seconds': 0.0, 'planned_steps': a.steps, 'hours': a.hours}
    rng = random.Random(a.seed)
    if a.resume:
        if not os.path.isfile(ckpt_path):
            raise SystemExit(f'--resume given but {ckpt_path} does not exist')
        ck = common.load_checkpoint(ckpt_path, 'cpu')
        if ck['preset'] != a.preset:
            raise SystemExit(f"checkpoint is preset {ck['preset']}, asked for {a.preset}")
        m.load_state_dict(ck['model'])
        opt_ge.load_state_dict(ck['opt_ge'])
        opt_d.load_state_dict(ck['opt_d'])
        for o in (opt_ge, opt_d):  # the optimiser state keeps its moments; beta1 is this run's
            for grp in o.param_groups:
                grp['betas'] = betas
        state.update(ck['state'])
        common.restore_rng(ck['rng'])
        rng.setstate(ck['sampler_rng'])
        if a.steps is not None:
            state['planned_steps'] = a.steps
        elif a.hours != state.get('hours') or state['planned_steps'] is None:
            per = state['train_seconds'] / max(1, state['step'])
            left = max(0.0, a.hours * 3600 - state['train_seconds'])
            state['planned_steps'] = state['step'] + int(left / per) if state['step'] >= 10 else None
        state['hours'] = a.hours
        print(f"resumed at step {state['step']}")
    elif a.init:
        ck = common.load_checkpoint(a.init, 'cpu')
        if ck.get('kind') != 'afb-predictor' or ck['preset'] != a.preset:
            raise SystemExit(f"--init {a.init}: not a predictor checkpoint of preset {a.preset} "
                             f"(kind {ck.get('kind')!r}, preset {ck.get('preset')!r})")
        m.load_state_dict(ck['model'])
        state['init'] = {'from': a.init, 'step': ck['state']['step']}
        print(f"initialised from {a.init} (trained {ck['state']['step']} steps there)")
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

    if state['step'] == 0:
        run_val()
    m.train()
    last_ckpt = last_val = last_log = time.time()
    seen, calib = 0, None
    budget = a.hours * 3600 if a.hours else float('inf')
    start, reason = state['step'], ''
    while True:
        planned = state['planned_steps']
        if a.stop_after is not None and state['step'] - start >= a.stop_after:
            reason = f'--stop-after {a.stop_after}'
            break
        if planned is not None and state['step'] >= planned:
            reason = f'reached {planned} steps'
            break
        if state['train_seconds'] >= budget:
            reason = f'reached the {a.hours} h budget'
            break
        if stop.stop:
            reason = stop.signame
            break
        t0 = time.time()
        # constant for the first half, then linear decay to 0 (upstream: 100 + 100 epochs)
        frac = 0.0 if planned is None else max(0.0, (state['step'] - planned / 2) / max(1, planned / 2))
        lr = a.lr * (1.0 - min(1.0, frac))
        for o in (opt_ge, opt_d):
            for grp in o.param_groups:
                grp['lr'] = lr
        blurry, labels, onehot = to_batch(*draw(train, a.batch, rng), device)
        if state['step'] < a.gan_warmup:
            # cVAE warm-up: every sample goes through the encoder, the loss is CE + KL only
            mu, logvar, z_enc = encode(m, onehot)
            loss_ce = F.cross_entropy(m.G(blurry, z_enc), labels)
            loss_kl = kl_loss(mu, logvar)
            loss_d = loss_gan = torch.zeros(())
            loss_g = a.lambda_ce * loss_ce + a.lambda_kl * loss_kl
            loss_axis = torch.zeros(())
            if a.lambda_axis:  # the same images with random z
                loss_axis = axis_loss(m.G(blurry, torch.randn(blurry.shape[0], NZ, device=device)), labels)
                loss_g = loss_g + a.lambda_axis * loss_axis
            opt_ge.zero_grad(set_to_none=True)
            loss_g.backward()
            opt_ge.step()
        else:
            loss_d, loss_g, loss_gan, loss_ce, loss_kl, loss_axis = gan_step(m, a, opt_ge, opt_d, blurry, labels, onehot, device)
        if not (torch.isfinite(loss_g) and torch.isfinite(loss_d)):
            raise SystemExit(f"non-finite loss at step {state['step']}")
        state['step'] += 1
        state['train_seconds'] += time.time() - t0
        seen += a.batch
        if planned is None:
            if calib is None and state['step'] - start >= 3:
                calib = (state['step'], state['train_seconds'])
            elif calib is not None and state['step'] - calib[0] >= a.calib_steps:
                per = (state['train_seconds'] - calib[1]) / (state['step'] - calib[0])
                state['planned_steps'] = state['step'] + int((budget - state['train_seconds']) / per)
                print(f"calibrated: {per:.3f} s/step -> {state['planned_steps']} steps", flush=True)
                log.write(type='plan', step=state['step'], seconds_per_step=per, planned_steps=state['planned_steps'])
        now = time.time()
        if state['step'] % a.log_every == 0:
            sps = seen / max(1e-9, now - last_log)
            rec = {'loss_d': float(loss_d), 'loss_gan': float(loss_gan), 'loss_ce': float(loss_ce), 'loss_kl': float(loss_kl),
                   'loss_axis': float(loss_axis)}
            log.write(type='train', step=state['step'], lr=lr, samples_per_s=round(sps, 3), **rec)
            print(f"step {state['step']}/{state['planned_steps'] or '?'} " + ' '.join(f'{k} {v:.4f}' for k, v in rec.items())
                  + f' lr {lr:.2e} {sps:.2f} samples/s', flush=True)
            seen, last_log = 0, now
        if now - last_val >= a.val_every:
            run_val()
            last_val = last_log = time.time()
            seen = 0
        if now - last_ckpt >= a.ckpt_every:
            save()
            last_ckpt = time.time()
    save()
    if not stop.stop:
        run_val()
    log.write(type='stop', step=state['step'], reason=reason)
    print(f"stopped at step {state['step']} ({reason}); checkpoint {ckpt_path}", flush=True)
    log.close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
