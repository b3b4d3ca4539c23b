"""Training data for the motion-aware decomposer: reference-layout samples plus their motion
(motion/ = the scene's exact motion, motion_video/ = what afb estimates from the blurry frames) and
the exposure fraction from manifest.json, with the physical decomposition precomputed on the whole
frame (as the runtime computes it) and cached on disk as uint8.

A sample holds frames uint8 (15,3,H,W): blurry, 7 sharp, 7 physics; motion float32 (2,H,W) in
pixels per frame interval; exposure e. Augmentations transform the motion like a flow field.
"""
from __future__ import annotations

import hashlib
import json
import os
import random
from dataclasses import asdict

import numpy as np
import torch

from . import data
from .physics import PhysicsOptions, decompose_with_motion, moving_mask

MOTION_DIRS = {'exact': 'motion', 'video': 'motion_video'}


def load_exposures(root: str) -> dict[str, float]:
    """Per-video exposure fraction from the dataset manifest (1 when it records none)."""
    path = os.path.join(root, 'manifest.json')
    if not os.path.isfile(path):
        return {}
    with open(path, encoding='utf-8') as f:
        return {k: float(v) for k, v in (json.load(f).get('dutyCycles') or {}).items()}


def load_motion(root: str, video: str, idx: str, kind: str) -> torch.Tensor:
    path = os.path.join(root, video, MOTION_DIRS[kind], idx + '_motion.npy')
    m = np.load(path)
    if m.ndim != 3 or m.shape[2] != 2:
        raise ValueError(f'{path}: expected motion of shape (H, W, 2), got {m.shape}')
    return torch.from_numpy(np.ascontiguousarray(m.transpose(2, 0, 1).astype(np.float32)))


class MotionSample:
    def __init__(self, frames: torch.Tensor, motion: torch.Tensor, exposure: float, kind: str, root: str = '') -> None:
        self.frames, self.motion, self.exposure, self.kind, self.root = frames, motion, exposure, kind, root

    @property
    def shape(self) -> tuple[int, int]:
        return tuple(self.frames.shape[-2:])


def _physics_cached(cache: str | None, key: str, compute) -> torch.Tensor:
    if cache is None:
        return compute()
    path = os.path.join(cache, hashlib.sha256(key.encode()).hexdigest()[:24] + '.npy')
    if os.path.isfile(path):
        return torch.from_numpy(np.load(path))
    value = compute()
    tmp = f'{path}.tmp-{os.getpid()}.npy'
    np.save(tmp, value.numpy())
    os.replace(tmp, path)
    return value


def available_kinds(root: str, video: str, kinds: dict[str, float]) -> dict[str, float]:
    """The motion kinds a video has files for (footage has no exact motion: only motion_video/)."""
    have = {k: w for k, w in kinds.items() if os.path.isdir(os.path.join(root, video, MOTION_DIRS[k]))}
    if not have:
        raise FileNotFoundError(f'{os.path.join(root, video)}: none of the motion folders {[MOTION_DIRS[k] for k in kinds]} '
                                '(make the dataset with afb synth --motion-files)')
    if sum(have.values()) <= 0:
        raise ValueError(f'{os.path.join(root, video)}: it has only {sorted(have)} motion, whose share is 0 '
                         '(footage has no exact motion: give it a share with --video-motion-share)')
    return have


def preload_motion(roots: list[str], max_samples: int | None, kinds: dict[str, float], o: PhysicsOptions,
                   cache: str | None, seed: int = 0, log=print) -> list[MotionSample]:
    """Load samples with one motion kind each (drawn with the given weights, e.g. {'video': 0.7,
    'exact': 0.3}, among the kinds the video has files for) and their physical decomposition
    (computed once, cached under `cache`). `max_samples` caps each root (evenly thinned)."""
    paths = []
    for root in roots:
        rp = data.sample_paths([root])
        if max_samples is not None and len(rp) > max_samples:
            step = len(rp) / max_samples
            rp = [rp[int(i * step)] for i in range(max_samples)]
        paths += rp
    if cache:
        os.makedirs(cache, exist_ok=True)
    exposures = {r: load_exposures(r) for r in roots}
    rng = random.Random(seed)
    out = []
    for k, (root, video, idx, gf) in enumerate(paths):
        names, weights = zip(*sorted(available_kinds(root, video, kinds).items()))
        kind = rng.choices(names, weights)[0]
        frames, _ = data.load_sample(root, video, idx, gf)
        motion = load_motion(root, video, idx, kind)
        e = exposures[root].get(video, 1.0)
        key = json.dumps([os.path.abspath(root), video, idx, kind, e, asdict(o)])

        def compute() -> torch.Tensor:
            b = frames[:1].float() / 255.0
            ph = decompose_with_motion(b, motion[None], e, o)[0]
            return torch.round(ph * 255.0).to(torch.uint8)

        physics = _physics_cached(cache, key, compute)
        out.append(MotionSample(torch.cat([frames, physics]), motion, e, kind, root))
        if log and (k + 1) % 250 == 0:
            log(f'  loaded {k + 1}/{len(paths)} samples (physics cached in {cache})', flush=True)
    if log:
        per_root = ', '.join(f'{r}: {sum(s.root == r for s in out)}' for r in roots)
        log(f'loaded {len(out)} samples ({per_root}): ' + ', '.join(f'{n} {sum(s.kind == n for s in out)}' for n in sorted(kinds)), flush=True)
    return out


def reverse(frames: torch.Tensor, motion: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Play the exposure backwards: the 7 sharp and the 7 physics frames reversed, motion negated."""
    return torch.cat([frames[:1], frames[1:8].flip(0), frames[8:15].flip(0)]), -motion


def augment(frames: torch.Tensor, motion: torch.Tensor, rng: random.Random) -> tuple[torch.Tensor, torch.Tensor]:
    """Random flips, rot90 (square crops) and Reverse, each p = 0.5; motion transforms like a flow."""
    if rng.random() < 0.5:
        frames, motion = data.hflip(frames, motion)
    if rng.random() < 0.5:
        frames, motion = data.vflip(frames, motion)
    if frames.shape[-1] == frames.shape[-2] and rng.random() < 0.5:
        frames, motion = data.rot90(frames, motion)
    if rng.random() < 0.5:
        frames, motion = reverse(frames, motion)
    return frames, motion


class MotionCropSampler:
    """Random batches of augmented crops: (frames uint8 (n,15,3,c,c), motion (n,2,c,c), exposure (n,)).
    With `root_weights` ({root: weight}) a sample's root is drawn by weight, then the sample uniformly
    within it; without, every sample is equally likely."""

    def __init__(self, samples: list[MotionSample], crop: int, seed: int = 0, aug: bool = True,
                 root_weights: dict[str, float] | None = None) -> None:
        small = [s for s in samples if min(s.shape) < crop]
        if small:
            raise ValueError(f'{len(small)} samples are smaller than the crop {crop} (e.g. {small[0].shape})')
        self.samples, self.crop, self.aug = samples, crop, aug
        self.rng = random.Random(seed)
        self.groups: list[list[MotionSample]] = []
        self.weights: list[float] = []
        if root_weights:
            for root, w in root_weights.items():
                group = [s for s in samples if s.root == root]
                if not group:
                    raise ValueError(f'root {root!r} has no samples')
                self.groups.append(group)
                self.weights.append(w)

    def pick(self) -> MotionSample:
        if self.groups:
            group = self.rng.choices(self.groups, self.weights)[0]
            return group[self.rng.randrange(len(group))]
        return self.samples[self.rng.randrange(len(self.samples))]

    def batch(self, n: int):
        fs, ms, es = [], [], []
        c = self.crop
        for _ in range(n):
            s = self.pick()
            h, w = s.shape
            y, x = self.rng.randint(0, h - c), self.rng.randint(0, w - c)
            f, m = s.frames[..., y:y + c, x:x + c], s.motion[..., y:y + c, x:x + c]
            if self.aug:
                f, m = augment(f, m, self.rng)
            fs.append(f)
            ms.append(m)
            es.append(s.exposure)
        return torch.stack(fs), torch.stack(ms), torch.tensor(es, dtype=torch.float32)


def center_crops(samples: list[MotionSample], size: int):
    """Validation: every sample centre-cropped to a square (multiple of 4, at most `size`)."""
    c = min(size, min(min(s.shape) for s in samples)) // 4 * 4
    fs, ms = [], []
    for s in samples:
        h, w = s.shape
        y, x = (h - c) // 2, (w - c) // 2
        fs.append(s.frames[..., y:y + c, x:x + c])
        ms.append(s.motion[..., y:y + c, x:x + c])
    return torch.stack(fs), torch.stack(ms), torch.tensor([s.exposure for s in samples], dtype=torch.float32)


def to_inputs(frames: torch.Tensor, motion: torch.Tensor, exposure: torch.Tensor, threshold: float, device):
    """uint8 batch -> blurry (n,3,h,w), sharp (n,7,3,h,w), physics (n,7,3,h,w) in [0,1], motion over
    the exposure D = e F (n,2,h,w), moving mask (n,1,h,w)."""
    f = frames.to(device).float().div_(255.0)
    m = motion.to(device)
    return f[:, 0], f[:, 1:8], f[:, 8:15], m * exposure.to(device).view(-1, 1, 1, 1), moving_mask(m, threshold)
