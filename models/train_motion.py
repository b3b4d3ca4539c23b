#!/usr/bin/env python3
"""Train the motion-aware decomposer: a residual over the physical decomposition (docs/models.md).

Example (CPU, background, resumable):
  /usr/bin/python3 models/train_motion.py --data data/train-motion --val data/valid-motion \
      --preset light --crop 128 --batch 8 --steps 20000 --out runs/motion-light
  ... later: the same command with --resume continues from runs/motion-light/ckpt.pt.
"""
from __future__ import annotations

import os

os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')  # sleeping OpenMP threads: faster on a shared 2-core machine

import argparse
import sys
import time

import torch

from afb_models import common, motion_data, train_loop
from afb_models.motion_net import PRESETS, MotionRefiner, count_params, mask_static
from afb_models.physics import PhysicsOptions


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--data', nargs='+', required=True, help='training roots (reference layout with motion/ and motion_video/)')
    p.add_argument('--val', nargs='*', default=[], help='validation roots (centre crops, motion estimated from video)')
    p.add_argument('--preset', choices=sorted(PRESETS), default='light')
    p.add_argument('--crop', type=int, default=128, help='training crop size (multiple of 4)')
    p.add_argument('--batch', type=int, default=8)
    p.add_argument('--wd', type=float, default=1e-4, help='AdamW weight decay')
    p.add_argument('--psnr-eps', type=float, default=1e-3, help='loss: mean over samples of ln(MSE + eps)')
    p.add_argument('--video-motion-share', type=float, default=0.7,
                   help='share of training samples that use the motion estimated from video (the rest: exact motion)')
    p.add_argument('--iterations', type=int, default=PhysicsOptions.iterations, help='Richardson-Lucy iterations of the physics input')
    p.add_argument('--spacing', type=float, default=PhysicsOptions.spacing,
                   help='largest distance between the kernel samples along a streak, pixels (the runtime default)')
    p.add_argument('--out', required=True, help='run folder (ckpt.pt, best.pt, log.jsonl)')
    p.add_argument('--resume', action='store_true', help='continue from <out>/ckpt.pt')
    p.add_argument('--device', default='cpu')
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--max-samples', type=int, default=None, help='load at most this many samples of each --data root (evenly thinned)')
    p.add_argument('--data-weights', type=float, nargs='+', default=None,
                   help='share of the training crops drawn from each --data root, in order (default: in proportion to their samples)')
    p.add_argument('--val-count', type=int, default=48)
    p.add_argument('--val-size', type=int, default=192)
    p.add_argument('--physics-cache', default='data/cache/physics', help='folder for the precomputed physics (uint8 .npy)')
    p.add_argument('--seed', type=int, default=0)
    train_loop.add_loop_args(p, lr=5e-4, val_every=900)
    a = p.parse_args(argv)
    if a.crop % 4:
        p.error(f'--crop must be a multiple of 4, got {a.crop}')
    if a.batch < 1:
        p.error('--batch must be positive')
    if a.data_weights is not None and (len(a.data_weights) != len(a.data) or min(a.data_weights) < 0 or sum(a.data_weights) <= 0):
        p.error(f'--data-weights needs {len(a.data)} non-negative numbers (one per --data root), not all 0; got {a.data_weights}')
    if not 0 <= a.video_motion_share <= 1:
        p.error('--video-motion-share must be in [0, 1]')
    train_loop.check_loop_args(p, a)
    return a


def log_mse(pred: torch.Tensor, gt: torch.Tensor, eps: float) -> torch.Tensor:
    return torch.log(((pred - gt) ** 2).flatten(1).mean(1) + eps).mean()


@torch.no_grad()
def validate(net: MotionRefiner, val, threshold: float, device, batch: int = 4) -> dict:
    """PSNR (pooled over the 7 frames, 8-bit, mean over samples) of repeat-blurry, physics and the network."""
    frames, motion, exposure = val
    was = net.training
    net.eval()
    out = {'base': [], 'physics': [], 'net': []}
    for i in range(0, frames.shape[0], batch):
        blurry, sharp, physics, disp, moving = motion_data.to_inputs(frames[i:i + batch], motion[i:i + batch], exposure[i:i + batch], threshold, device)
        pred = mask_static(net(blurry, disp, physics), blurry, moving)
        out['base'].append(common.psnr_pooled(blurry.unsqueeze(1).expand_as(sharp), sharp).cpu())
        out['physics'].append(common.psnr_pooled(physics, sharp).cpu())
        out['net'].append(common.psnr_pooled(pred, sharp).cpu())
    net.train(was)
    m = {k: float(torch.cat(v).mean()) for k, v in out.items()}
    return {'psnr': m['net'], 'psnr_physics': m['physics'], 'psnr_baseline': m['base'],
            'gain_db': m['net'] - m['base'], 'gain_over_physics_db': m['net'] - m['physics']}


def main(argv=None) -> int:
    a = parse_args(argv)
    torch.set_num_threads(a.threads)
    device = common.resolve_device(a.device)
    os.makedirs(a.out, exist_ok=True)
    ckpt_path, best_path = os.path.join(a.out, 'ckpt.pt'), os.path.join(a.out, 'best.pt')
    log = common.JsonlLog(os.path.join(a.out, 'log.jsonl'))
    physics = PhysicsOptions(iterations=a.iterations, spacing=a.spacing)

    torch.manual_seed(a.seed)
    net = MotionRefiner(a.preset).to(device)
    opt = torch.optim.AdamW(net.parameters(), lr=a.lr, weight_decay=a.wd)
    state = train_loop.new_state(a)
    sampler_state = None
    if a.resume:
        if not os.path.isfile(ckpt_path):
            raise SystemExit(f'--resume given but {ckpt_path} does not exist')
        ck = common.load_checkpoint(ckpt_path, 'cpu')
        if ck['preset'] != a.preset:
            raise SystemExit(f"checkpoint is preset={ck['preset']}, asked for {a.preset}")
        net.load_state_dict({k: v.float() for k, v in ck['model'].items()})
        opt.load_state_dict(ck['optimizer'])
        state = train_loop.resume_state(ck['state'], a)
        common.restore_rng(ck['rng'])
        sampler_state = ck['sampler_rng']
        print(f"resumed from {ckpt_path} at step {state['step']} ({state['train_seconds'] / 3600:.2f} h trained)")
    print(f'model: motion refiner preset={a.preset} params={count_params(net) / 1e6:.3f} M device={device}; physics {physics}', flush=True)

    kinds = {'video': a.video_motion_share, 'exact': 1 - a.video_motion_share}
    train = motion_data.preload_motion(a.data, a.max_samples, kinds, physics, a.physics_cache, seed=a.seed)
    weights = dict(zip(a.data, a.data_weights)) if a.data_weights else None
    sampler = motion_data.MotionCropSampler(train, a.crop, seed=a.seed, root_weights=weights)
    if sampler_state is not None:
        sampler.rng.setstate(sampler_state)
    val = None
    if a.val:
        vs = motion_data.preload_motion(a.val, a.val_count, {'video': 1.0}, physics, a.physics_cache, seed=a.seed)
        val = motion_data.center_crops(vs, a.val_size)
        print(f'validation: {val[0].shape[0]} centre crops of {val[0].shape[-1]}x{val[0].shape[-2]}', flush=True)

    def save_to(path: str) -> None:
        common.save_atomic({
            'kind': 'motion-refiner', 'preset': a.preset, 'physics': physics.__dict__,
            'model': net.state_dict(), 'optimizer': opt.state_dict(), 'state': dict(state),
            'rng': common.capture_rng(), 'sampler_rng': sampler.rng.getstate(), 'args': vars(a),
        }, path)

    def run_val():
        if val is None:
            return None
        t0 = time.time()
        r = validate(net, val, physics.static_threshold, device)
        log.write(type='val', step=state['step'], seconds=round(time.time() - t0, 2), **r)
        print(f"[val] step {state['step']}: PSNR {r['psnr']:.3f} dB (physics {r['psnr_physics']:.3f}, repeat-blurry "
              f"{r['psnr_baseline']:.3f}; gain {r['gain_db']:+.3f} dB, over physics {r['gain_over_physics_db']:+.3f}) "
              f"in {time.time() - t0:.1f} s", flush=True)
        return r['psnr']

    def step(lr: float) -> dict:
        for g in opt.param_groups:
            g['lr'] = lr
        frames, motion, exposure = sampler.batch(a.batch)
        blurry, sharp, phys, disp, moving = motion_data.to_inputs(frames, motion, exposure, physics.static_threshold, device)
        pred = mask_static(net(blurry, disp, phys), blurry, moving)
        loss = log_mse(pred, sharp, a.psnr_eps)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        with torch.no_grad():
            mse = torch.mean((pred - sharp) ** 2)
        return {'loss': float(loss), 'mse': float(mse)}

    reason = train_loop.run_loop(a, state, step=step, validate=run_val, save=lambda: save_to(ckpt_path),
                                 save_best=lambda: save_to(best_path), log=log, samples_per_step=a.batch)
    print(f'checkpoint {ckpt_path} ({reason})', flush=True)
    log.close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
