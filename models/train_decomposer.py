#!/usr/bin/env python3
"""Train the two-stage decomposition network (see docs/models.md).

Example (CPU, background, resumable):
  /usr/bin/python3 models/train_decomposer.py --data data/train-procedural --val data/valid-procedural \
      --preset cpu --head residual --crop 128 --batch 8 --hours 6 --out runs/cpu-res
  ... later: the same command with --resume continues from runs/cpu-res/ckpt.pt.
The schedule, budget, stop conditions, logging and checkpoint cadence are afb_models/train_loop.py's.
"""
from __future__ import annotations

import os

# Before torch loads: OpenMP threads that sleep instead of spin. On this shared, oversubscribed
# 2-core machine that made training steps 3-8x faster (models/tools/bench_train.py, docs/models.md).
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

import argparse
import sys
import time

import torch
import torch.nn.functional as F

from afb_models import common, data, train_loop
from afb_models.decomposer import HEADS, PRESETS, TwoStage, count_params


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--data', nargs='+', required=True, help='training roots (reference layout)')
    p.add_argument('--val', nargs='*', default=[], help='validation roots (fixed centre crops)')
    p.add_argument('--preset', choices=sorted(PRESETS), default='cpu')
    p.add_argument('--head', choices=HEADS, default='residual')
    p.add_argument('--crop', type=int, default=128, help='training crop size (multiple of 4)')
    p.add_argument('--batch', type=int, default=8)
    p.add_argument('--loss', choices=('l2', 'psnr'), default='l2',
                   help="l2: the paper's MSE on both stages; psnr: mean over samples of log(MSE + 1e-5) on "
                        'both stages, i.e. maximise the per-sample PSNR that validation reports (weights '
                        'near-static samples up instead of letting high-motion samples dominate)')
    p.add_argument('--psnr-eps', type=float, default=1e-5,
                   help='--loss psnr: eps in ln(MSE + eps); larger values weight hard samples more (1e-5: 50 dB '
                        'cap, almost pure per-sample PSNR; 1e-3: samples above 30 dB weighted like plain L2)')
    p.add_argument('--init', default=None,
                   help='start from the weights of this checkpoint (fresh optimiser and schedule)')
    p.add_argument('--wd', type=float, default=1e-4, help='AdamW weight decay')
    p.add_argument('--out', required=True, help='run folder (ckpt.pt, best.pt, log.jsonl)')
    p.add_argument('--resume', action='store_true', help='continue from <out>/ckpt.pt')
    p.add_argument('--device', default='cpu', help='cpu | cuda | cuda:N')
    p.add_argument('--threads', type=int, default=2, help='torch intra-op threads (CPU)')
    p.add_argument('--channels-last', action='store_true', help='channels_last memory format')
    p.add_argument('--val-count', type=int, default=24, help='number of fixed validation crops')
    p.add_argument('--val-size', type=int, default=256, help='validation centre-crop size')
    p.add_argument('--max-samples', type=int, default=None, help='preload at most this many training samples')
    p.add_argument('--cache', choices=('auto', 'raw', 'png'), default='auto',
                   help='hold training samples decoded (raw) or as PNG bytes decoded per batch (png)')
    p.add_argument('--ram-gb', type=float, default=8.0, help='auto cache: decoded set limit in GiB')
    p.add_argument('--seed', type=int, default=0)
    train_loop.add_loop_args(p, lr=2e-4)
    a = p.parse_args(argv)
    if a.crop % 4:
        p.error(f'--crop must be a multiple of 4, got {a.crop}')
    if a.batch < 1:
        p.error('--batch must be positive')
    train_loop.check_loop_args(p, a)
    return a


def log_mse(pred: torch.Tensor, gt: torch.Tensor, eps: float = 1e-5) -> torch.Tensor:
    """Mean over samples of ln(per-sample MSE + eps): minimising it maximises the mean per-sample PSNR
    (PSNR = -10 log10 MSE + const). eps caps a sample's weight at the 50 dB level."""
    return torch.log(((pred - gt) ** 2).flatten(1).mean(1) + eps).mean()


@torch.no_grad()
def validate(net: TwoStage, val, device, batch: int = 4) -> dict:
    """PSNR (pooled over 7 frames, range 255, mean over samples) of stage 1, final and the repeat-blurry baseline."""
    frames, guid = val
    was_training = net.training
    net.eval()
    ps1, pfin, pbase = [], [], []
    for i in range(0, frames.shape[0], batch):
        blurry, sharp, g = data.to_inputs(frames[i:i + batch], guid[i:i + batch], device)
        s1, fin = net(blurry, g)
        rep = blurry.unsqueeze(1).expand_as(sharp)
        ps1.append(common.psnr_pooled(s1, sharp).cpu())
        pfin.append(common.psnr_pooled(fin, sharp).cpu())
        pbase.append(common.psnr_pooled(rep, sharp).cpu())
    net.train(was_training)
    m = lambda xs: float(torch.cat(xs).mean())  # noqa: E731
    return {'psnr': m(pfin), 'psnr_s1': m(ps1), 'psnr_baseline': m(pbase), 'gain_db': m(pfin) - m(pbase)}


def load_weights(a: argparse.Namespace, net: TwoStage, opt, ckpt_path: str) -> tuple[dict, object]:
    """The run state and the sampler's RNG state: from <out>/ckpt.pt with --resume (model, optimiser,
    schedule, RNG), from --init's weights only, or fresh."""
    state, sampler_state = train_loop.new_state(a), None
    if a.resume:
        ck = train_loop.load_resume(ckpt_path)
        if (ck['preset'], ck['head']) != (a.preset, a.head):
            raise SystemExit(f"checkpoint is preset={ck['preset']} head={ck['head']}, asked for {a.preset}/{a.head}")
        net.load_state_dict(ck['model'])
        opt.load_state_dict(ck['optimizer'])
        saved = dict(ck['state'])
        saved.setdefault('best', saved.pop('best_psnr', None))  # checkpoints from before train_loop.py
        state = train_loop.resume_state(saved, a)
        common.restore_rng(ck['rng'])
        sampler_state = ck['sampler_rng']
        print(f"resumed from {ckpt_path} at step {state['step']} ({state['train_seconds'] / 3600:.2f} h trained)")
    elif a.init:
        ck = common.load_checkpoint(a.init, 'cpu')
        if (ck['preset'], ck['head']) != (a.preset, a.head):
            raise SystemExit(f"--init checkpoint is preset={ck['preset']} head={ck['head']}, asked for {a.preset}/{a.head}")
        net.load_state_dict(ck['model'])
        state['init'] = {'from': os.path.abspath(a.init), 'step': ck['state']['step']}
        print(f"initialised from {a.init} (trained {ck['state']['step']} steps there)")
    return state, sampler_state


def main(argv=None) -> int:
    a = parse_args(argv)
    device, ckpt_path, best_path, log = train_loop.open_run(a)

    torch.manual_seed(a.seed)
    mf = torch.channels_last if a.channels_last else torch.contiguous_format
    net = TwoStage(a.preset, a.head).to(device).to(memory_format=mf)
    opt = torch.optim.AdamW(net.parameters(), lr=a.lr, weight_decay=a.wd)
    state, sampler_state = load_weights(a, net, opt, ckpt_path)
    print(f'model: preset={a.preset} head={a.head} params={count_params(net) / 1e6:.3f} M device={device}')

    train_samples = data.preload(a.data, a.max_samples, cache=a.cache, ram_gb=a.ram_gb)
    sampler = data.CropSampler(train_samples, a.crop, seed=a.seed)
    if sampler_state is not None:
        sampler.rng.setstate(sampler_state)
    val = data.center_crops(data.preload(a.val, a.val_count, cache='raw'), a.val_size, a.val_count) if a.val else None
    if val is not None:
        print(f'validation: {val[0].shape[0]} centre crops of {val[0].shape[-1]}x{val[0].shape[-2]}')

    def save(path: str) -> None:
        common.save_atomic({
            'preset': a.preset, 'head': a.head, 'model': net.state_dict(), 'optimizer': opt.state_dict(),
            'state': dict(state), 'rng': common.capture_rng(), 'sampler_rng': sampler.rng.getstate(),
            'args': vars(a),
        }, path)

    def run_val() -> float | None:
        if val is None:
            return None
        t0 = time.time()
        r = validate(net, val, device)
        log.write(type='val', step=state['step'], seconds=round(time.time() - t0, 2), **r)
        print(f"[val] step {state['step']}: PSNR {r['psnr']:.3f} dB (stage 1 {r['psnr_s1']:.3f}, "
              f"repeat-blurry baseline {r['psnr_baseline']:.3f}, gain {r['gain_db']:+.3f} dB) in {time.time() - t0:.1f} s",
              flush=True)
        return r['psnr']

    def step(lr: float) -> dict:
        for g in opt.param_groups:
            g['lr'] = lr
        frames, guid = sampler.batch(a.batch)
        blurry, sharp, g = data.to_inputs(frames, guid, device)
        if a.channels_last:
            blurry, g = blurry.contiguous(memory_format=mf), g.contiguous(memory_format=mf)
        s1, fin = net(blurry, g)
        mse = F.mse_loss(s1, sharp) + F.mse_loss(fin, sharp)
        loss = mse if a.loss == 'l2' else log_mse(s1, sharp, a.psnr_eps) + log_mse(fin, sharp, a.psnr_eps)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return {'loss': float(loss), 'mse': float(mse)}

    net.train()
    train_loop.run_to_end(a, state, log=log, ckpt_path=ckpt_path, step=step, validate=run_val,
                          save=lambda: save(ckpt_path), save_best=lambda: save(best_path), samples_per_step=a.batch)
    return 0


if __name__ == '__main__':
    sys.exit(main())
