"""Validation of the guidance predictor: pixel accuracies of its class maps on fixed samples."""
from __future__ import annotations

import torch

from .predictor import CLASS_AXIS, NZ, CVAEGAN
from .predictor_data import to_batch


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
