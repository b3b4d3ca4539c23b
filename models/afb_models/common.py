"""Shared training utilities: atomic checkpoints, JSONL logging, signal handling, schedules, PSNR."""
from __future__ import annotations

import json
import math
import os
import signal
import time

import torch

from .compact import expand_checkpoint


def save_atomic(obj, path: str) -> None:
    """torch.save to a temporary name in the same folder, fsync, then rename over `path`."""
    tmp = f'{path}.tmp-{os.getpid()}'
    with open(tmp, 'wb') as f:
        torch.save(obj, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def load_checkpoint(path: str, device: str = 'cpu'):
    """Load a checkpoint written by save_atomic (full pickle: it holds RNG states and args); a compact
    one (models/checkpoints/, see compact.py) comes back in float32."""
    try:
        ck = torch.load(path, map_location=device, weights_only=False)
    except TypeError:  # torch < 1.13 has no weights_only
        ck = torch.load(path, map_location=device)
    return expand_checkpoint(ck)


class JsonlLog:
    """Appends one JSON object per line to <dir>/log.jsonl, flushed after every record."""

    def __init__(self, path: str) -> None:
        self.f = open(path, 'a', encoding='utf-8')

    def write(self, **rec) -> None:
        rec.setdefault('time', round(time.time(), 3))
        self.f.write(json.dumps(rec) + '\n')
        self.f.flush()

    def close(self) -> None:
        self.f.close()


class StopFlag:
    """Turns the first SIGTERM/SIGINT into a flag the training loop polls; a second one exits at once."""

    def __init__(self) -> None:
        self.stop = False
        self.signame = ''
        for s in (signal.SIGTERM, signal.SIGINT):
            signal.signal(s, self._handler)

    def _handler(self, signum, _frame) -> None:
        if self.stop:
            raise KeyboardInterrupt
        self.stop = True
        self.signame = signal.Signals(signum).name
        print(f'\n{self.signame} received: saving a checkpoint and stopping (send again to abort)', flush=True)


def cosine_lr(step: int, planned: int, lr: float, final_ratio: float = 0.01, warmup: int = 0) -> float:
    """Linear warm-up over `warmup` steps, then cosine from lr to lr*final_ratio at step `planned` (constant after)."""
    if warmup > 0 and step < warmup:
        return lr * (step + 1) / warmup
    p = min(1.0, max(0.0, (step - warmup) / max(1, planned - warmup)))
    lo = lr * final_ratio
    return lo + (lr - lo) * 0.5 * (1.0 + math.cos(math.pi * p))


def psnr_pooled(pred: torch.Tensor, gt: torch.Tensor) -> torch.Tensor:
    """Per-sample PSNR (data range 255) with the MSE pooled over all frames; pred/gt (n,...) in [0,1].
    Predictions are clamped and rounded to 8 bit first, as a saved frame would be."""
    p = torch.round(pred.clamp(0, 1) * 255.0)
    g = torch.round(gt * 255.0)
    mse = ((p - g) ** 2).flatten(1).mean(1).clamp_min(1e-10)
    return 10.0 * torch.log10(255.0 ** 2 / mse)


def resolve_device(name: str) -> torch.device:
    """'cpu' or 'cuda' (or 'cuda:N'); a clear error when CUDA is asked for but missing."""
    if name.startswith('cuda') and not torch.cuda.is_available():
        raise SystemExit(f'--device {name} requested but torch.cuda.is_available() is False')
    return torch.device(name)


def capture_rng() -> dict:
    """The global torch (and CUDA) RNG states."""
    st = {'torch': torch.get_rng_state()}
    if torch.cuda.is_available():
        st['cuda'] = torch.cuda.get_rng_state_all()
    return st


def restore_rng(st: dict) -> None:
    """Restore states captured by capture_rng."""
    torch.set_rng_state(st['torch'])
    if 'cuda' in st and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(st['cuda'])


REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def display_path(path: str) -> str:
    """A path for metadata: relative to the repository root when inside it (no machine-specific
    absolute paths in shipped sidecars), else absolute."""
    full = os.path.abspath(path)
    rel = os.path.relpath(full, REPO_ROOT)
    return full if rel.startswith('..') else rel
