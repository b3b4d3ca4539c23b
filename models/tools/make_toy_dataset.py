#!/usr/bin/env python3
"""Write a tiny synthetic dataset in the reference layout: textured squares moving over a static
textured background. For tests and quick sanity runs only (the real data comes from `afb synth`).

  /usr/bin/python3 models/tools/make_toy_dataset.py OUT --videos 2 --frames 4 --size 64
"""
from __future__ import annotations

import argparse
import os

import numpy as np
from PIL import Image

SUB = 4  # sub-frames per sharp-frame interval when averaging the blur


def texture(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """Smooth random RGB texture in [0,1]: upsampled noise at a few octaves."""
    out = np.zeros((h, w, 3))
    for cell, amp in ((16, 0.5), (8, 0.3), (4, 0.2)):
        gh, gw = h // cell + 2, w // cell + 2
        n = rng.random((gh, gw, 3))
        out += amp * np.kron(n, np.ones((cell, cell, 1)))[:h, :w]
    return out


def render(bg: np.ndarray, tex: np.ndarray, x: float, y: float) -> np.ndarray:
    """Paste the square texture at integer-rounded (x, y) onto the background."""
    img = bg.copy()
    h, w = bg.shape[:2]
    s = tex.shape[0]
    xi, yi = int(round(x)), int(round(y))
    x0, y0, x1, y1 = max(0, xi), max(0, yi), min(w, xi + s), min(h, yi + s)
    if x1 > x0 and y1 > y0:
        img[y0:y1, x0:x1] = tex[y0 - yi:y1 - yi, x0 - xi:x1 - xi]
    return img


def write_sample(vdir: str, i: int, rng: np.random.Generator, size: int) -> None:
    """One exposure: 7 sharp frames, their blur and the guidance of the moving square."""
    h = w = size
    bg = texture(rng, h, w) * 0.6
    s = size // 3
    tex = np.clip(texture(rng, s, s) * 0.8 + 0.3, 0, 1)
    vx, vy = rng.choice([-1, 1]) * rng.uniform(1, 2.5), rng.choice([-1, 1]) * rng.uniform(1, 2.5)
    x0, y0 = rng.uniform(s * 0.5, w - 1.5 * s), rng.uniform(s * 0.5, h - 1.5 * s)
    ts = np.linspace(0, 6, 6 * SUB + 1)
    blur = np.mean([render(bg, tex, x0 + vx * t, y0 + vy * t) for t in ts], axis=0)
    guid = np.zeros((h, w, 2), np.int8)
    for t in ts:
        m = np.zeros((h, w), bool)
        xi, yi = int(round(x0 + vx * t)), int(round(y0 + vy * t))
        m[max(0, yi):max(0, yi + s), max(0, xi):max(0, xi + s)] = True
        guid[m] = (np.sign(vx), np.sign(vy))
    to8 = lambda a: Image.fromarray(np.clip(np.rint(a * 255), 0, 255).astype(np.uint8))  # noqa: E731
    to8(blur).save(os.path.join(vdir, 'blur', f'{i:08d}.png'))
    for j in range(7):
        to8(render(bg, tex, x0 + vx * j, y0 + vy * j)).save(os.path.join(vdir, 'sharp', f'{i:08d}_{j:03d}.png'))
    np.save(os.path.join(vdir, 'trend+', f'{i:08d}_trend.npy'), guid)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('out')
    p.add_argument('--videos', type=int, default=2)
    p.add_argument('--frames', type=int, default=4)
    p.add_argument('--size', type=int, default=64)
    p.add_argument('--seed', type=int, default=0)
    a = p.parse_args()
    rng = np.random.default_rng(a.seed)
    for v in range(a.videos):
        vdir = os.path.join(a.out, f'video{v:03d}')
        for sub in ('blur', 'sharp', 'trend+'):
            os.makedirs(os.path.join(vdir, sub), exist_ok=True)
        for i in range(a.frames):
            write_sample(vdir, i, rng, a.size)
    print(f'wrote {a.videos * a.frames} samples to {a.out}')


if __name__ == '__main__':
    main()
