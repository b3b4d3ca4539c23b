"""Training data of the guidance predictor: blurry frames resized to the predictor's square size
with their guidance (nearest neighbour), random augmented batches, and the tensors a step takes
(images in [0,1], class labels, one-hot guidance)."""
from __future__ import annotations

import random

import torch
import torch.nn.functional as F

from . import data
from .predictor import NUM_CLASSES, guidance_to_classes


def load_resized(roots: list[str], size: int, max_samples: int | None) -> list[data.Sample]:
    """Blurry frames resized to size x size (uint8, bilinear antialiased) with nearest-resized guidance."""
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
    """n random samples (flips, rot90 and Reverse when `aug`): blurry frames and guidance, stacked."""
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
    """(blurry in [0,1], class labels, one-hot guidance) on `device`."""
    blurry = f.to(device).float() / 255.0
    labels = guidance_to_classes(g.to(device).float())
    onehot = F.one_hot(labels, NUM_CLASSES).permute(0, 3, 1, 2).float()
    return blurry, labels, onehot
