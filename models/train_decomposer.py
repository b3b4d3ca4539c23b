#!/usr/bin/env python3
"""Train the two-stage decomposition network (see docs/models.md).

Example (CPU, background, resumable):
  /usr/bin/python3 models/train_decomposer.py --data data/train-procedural --val data/valid-procedural \
      --preset cpu --head residual --crop 128 --batch 8 --hours 6 --out runs/cpu-res
  ... later: the same command with --resume continues from runs/cpu-res/ckpt.pt.
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

from afb_models import common, data
from afb_models.decomposer import HEADS, PRESETS, TwoStage, count_params


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--data', nargs='+', required=True, help='training roots (reference layout)')
    p.add_argument('--val', nargs='*', default=[], help='validation roots (fixed centre crops)')
    p.add_argument('--preset', choices=sorted(PRESETS), default='cpu')
    p.add_argument('--head', choices=HEADS, default='residual')
    p.add_argument('--crop', type=int, default=128, help='training crop size (multiple of 4)')
    p.add_argument('--batch', type=int, default=8)
    p.add_argument('--lr', type=float, default=2e-4)
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
    p.add_argument('--final-lr-ratio', type=float, default=0.01, help='cosine ends at lr * this')
    p.add_argument('--warmup', type=int, default=100, help='linear warm-up steps')
    p.add_argument('--steps', type=int, default=None, help='planned optimiser steps (cosine length)')
    p.add_argument('--hours', type=float, default=None,
                   help='training-time budget (summed over resumes); without --steps the cosine length is '
                        'calibrated from the measured speed after --calib-steps steps')
    p.add_argument('--calib-steps', type=int, default=30)
    p.add_argument('--out', required=True, help='run folder (ckpt.pt, best.pt, log.jsonl)')
    p.add_argument('--resume', action='store_true', help='continue from <out>/ckpt.pt')
    p.add_argument('--device', default='cpu', help='cpu | cuda | cuda:N')
    p.add_argument('--threads', type=int, default=2, help='torch intra-op threads (CPU)')
    p.add_argument('--channels-last', action='store_true', help='channels_last memory format')
    p.add_argument('--val-every', type=float, default=900, help='seconds between validations')
    p.add_argument('--val-count', type=int, default=24, help='number of fixed validation crops')
    p.add_argument('--val-size', type=int, default=256, help='validation centre-crop size')
    p.add_argument('--ckpt-every', type=float, default=300, help='seconds between checkpoints')
    p.add_argument('--log-every', type=int, default=10, help='steps between log lines')
    p.add_argument('--max-samples', type=int, default=None, help='preload at most this many training samples')
    p.add_argument('--stop-after', type=int, default=None,
                   help='end this sitting after N more steps (schedule unchanged; for tests and time slicing)')
    p.add_argument('--cache', choices=('auto', 'raw', 'png'), default='auto',
                   help='hold training samples decoded (raw) or as PNG bytes decoded per batch (png)')
    p.add_argument('--ram-gb', type=float, default=8.0, help='auto cache: decoded set limit in GiB')
    p.add_argument('--seed', type=int, default=0)
    a = p.parse_args(argv)
    if a.crop % 4:
        p.error(f'--crop must be a multiple of 4, got {a.crop}')
    if a.steps is None and a.hours is None:
        p.error('give --steps and/or --hours')
    if a.batch < 1 or (a.steps is not None and a.steps < 1) or (a.hours is not None and a.hours <= 0):
        p.error('--batch, --steps and --hours must be positive')
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


def main(argv=None) -> int:
    a = parse_args(argv)
    torch.set_num_threads(a.threads)
    device = common.resolve_device(a.device)
    os.makedirs(a.out, exist_ok=True)
    ckpt_path, best_path = os.path.join(a.out, 'ckpt.pt'), os.path.join(a.out, 'best.pt')
    stop = common.StopFlag()
    log = common.JsonlLog(os.path.join(a.out, 'log.jsonl'))

    torch.manual_seed(a.seed)
    net = TwoStage(a.preset, a.head).to(device)
    mf = torch.channels_last if a.channels_last else torch.contiguous_format
    net = net.to(memory_format=mf)
    opt = torch.optim.AdamW(net.parameters(), lr=a.lr, weight_decay=a.wd)
    state = {'step': 0, 'train_seconds': 0.0, 'planned_steps': a.steps, 'best_psnr': None, 'hours': a.hours}
    sampler_state = None
    if a.resume:
        if not os.path.isfile(ckpt_path):
            raise SystemExit(f'--resume given but {ckpt_path} does not exist')
        ck = common.load_checkpoint(ckpt_path, 'cpu')
        if (ck['preset'], ck['head']) != (a.preset, a.head):
            raise SystemExit(f"checkpoint is preset={ck['preset']} head={ck['head']}, asked for {a.preset}/{a.head}")
        net.load_state_dict(ck['model'])
        opt.load_state_dict(ck['optimizer'])
        state.update(ck['state'])
        common.restore_rng(ck['rng'])
        sampler_state = ck['sampler_rng']
        if a.steps is not None:
            state['planned_steps'] = a.steps
        elif a.hours != state.get('hours') or state['planned_steps'] is None:
            # budget changed: re-plan from the mean speed so far (steps left = time left / s per step)
            per_step = state['train_seconds'] / max(1, state['step'])
            left = max(0.0, a.hours * 3600 - state['train_seconds'])
            state['planned_steps'] = state['step'] + int(left / per_step) if state['step'] >= 10 else None
        state['hours'] = a.hours
        print(f"resumed from {ckpt_path} at step {state['step']} ({state['train_seconds'] / 3600:.2f} h trained)")
    elif a.init:
        ck = common.load_checkpoint(a.init, 'cpu')
        if (ck['preset'], ck['head']) != (a.preset, a.head):
            raise SystemExit(f"--init checkpoint is preset={ck['preset']} head={ck['head']}, asked for {a.preset}/{a.head}")
        net.load_state_dict(ck['model'])
        state['init'] = {'from': os.path.abspath(a.init), 'step': ck['state']['step']}
        print(f"initialised from {a.init} (trained {ck['state']['step']} steps there)")
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

    def run_val() -> None:
        if val is None:
            return
        t0 = time.time()
        r = validate(net, val, device)
        log.write(type='val', step=state['step'], seconds=round(time.time() - t0, 2), **r)
        print(f"[val] step {state['step']}: PSNR {r['psnr']:.3f} dB (stage 1 {r['psnr_s1']:.3f}, "
              f"repeat-blurry baseline {r['psnr_baseline']:.3f}, gain {r['gain_db']:+.3f} dB) in {time.time() - t0:.1f} s",
              flush=True)
        if state['best_psnr'] is None or r['psnr'] > state['best_psnr']:
            state['best_psnr'] = r['psnr']
            save(best_path)

    if state['step'] == 0:
        run_val()
    net.train()
    last_ckpt = last_val = last_log = time.time()
    seen_log, calib_t0, calib_s0 = 0, None, state['step']
    budget = a.hours * 3600 if a.hours else float('inf')
    done_reason = ''
    start_step = state['step']
    while True:
        planned = state['planned_steps']
        if a.stop_after is not None and state['step'] - start_step >= a.stop_after:
            done_reason = f'--stop-after {a.stop_after}'
            break
        if planned is not None and state['step'] >= planned:
            done_reason = f'reached {planned} steps'
            break
        if state['train_seconds'] >= budget:
            done_reason = f'reached the {a.hours} h budget'
            break
        if stop.stop:
            done_reason = stop.signame
            break
        t0 = time.time()
        warmup = a.warmup if planned is None else min(a.warmup, planned // 10)
        lr = common.cosine_lr(state['step'], planned or 10**9, a.lr, a.final_lr_ratio, warmup)
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
        if not torch.isfinite(loss):
            raise SystemExit(f"non-finite loss {loss.item()} at step {state['step']}")
        state['step'] += 1
        state['train_seconds'] += time.time() - t0
        seen_log += a.batch
        if planned is None and calib_t0 is None and state['step'] - calib_s0 >= 5:
            calib_t0, calib_s0 = state['train_seconds'], state['step']  # skip warm-up iterations
        if planned is None and calib_t0 is not None and state['step'] - calib_s0 >= a.calib_steps:
            per_step = (state['train_seconds'] - calib_t0) / (state['step'] - calib_s0)
            state['planned_steps'] = state['step'] + int((budget - state['train_seconds']) / per_step)
            print(f"calibrated: {per_step:.3f} s/step -> cosine over {state['planned_steps']} steps", flush=True)
            log.write(type='plan', step=state['step'], seconds_per_step=per_step, planned_steps=state['planned_steps'])
        now = time.time()
        if state['step'] % a.log_every == 0:
            sps = seen_log / max(1e-9, now - last_log)
            log.write(type='train', step=state['step'], loss=float(loss), mse=float(mse), lr=lr,
                      samples_per_s=round(sps, 3))
            print(f"step {state['step']}/{state['planned_steps'] or '?'} loss {float(loss):.5f} (L2 {float(mse):.5f}) lr {lr:.2e} "
                  f"{sps:.2f} samples/s ({state['train_seconds'] / 3600:.2f} h)", flush=True)
            seen_log, last_log = 0, now
        if now - last_val >= a.val_every:
            run_val()
            last_val = last_log = time.time()  # keep validation time out of samples/s
            seen_log = 0
        if now - last_ckpt >= a.ckpt_every:
            save(ckpt_path)
            last_ckpt = time.time()
    save(ckpt_path)
    if not stop.stop:  # after a signal, exit promptly: a supervisor may follow up with SIGKILL
        run_val()
        save(ckpt_path)
    log.write(type='stop', step=state['step'], reason=done_reason)
    print(f"stopped at step {state['step']} ({done_reason}); checkpoint {ckpt_path}", flush=True)
    log.close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
