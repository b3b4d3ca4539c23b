#!/usr/bin/env python3
"""Self-test: augmentations move frames and guidance consistently (synthetic moving square).

For every combination of hflip/vflip/rot90/reverse, the square's measured motion between sharp
frames 0 and 6 (centroid displacement, y-down axes) must have the signs of the transformed guidance
at the square's pixels, and the blurry frame must still be the mean of the sharp frames.
Run: /usr/bin/python3 models/tools/test_augment.py  (exit code 0 = pass)
"""
from __future__ import annotations

import itertools
import os
import sys
import unittest

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from afb_models import data  # noqa: E402


def moving_square(h: int = 32, w: int = 32, dx: int = 2, dy: int = -1):
    frames = torch.zeros(8, 3, h, w)
    g = torch.zeros(2, h, w, dtype=torch.int8)
    for j in range(7):
        x, y = 14 + dx * j, 14 + dy * j
        frames[1 + j, :, y:y + 4, x:x + 4] = 1.0
        g[0, y:y + 4, x:x + 4] = 1 if dx > 0 else -1
        g[1, y:y + 4, x:x + 4] = 1 if dy > 0 else -1
    frames[0] = frames[1:].mean(0)
    return frames, g


def centroid(img: torch.Tensor) -> tuple[float, float]:
    m = img[0]
    ys, xs = torch.nonzero(m > 0.5, as_tuple=True)
    return float(xs.float().mean()), float(ys.float().mean())


class AugmentTest(unittest.TestCase):
    def test_all_combinations(self) -> None:
        for dx, dy in ((2, -1), (-1, 2), (2, 2), (-2, -1)):
            for ops in itertools.product([0, 1], repeat=4):
                f, g = moving_square(dx=dx, dy=dy)
                for on, fn in zip(ops, (data.hflip, data.vflip, data.rot90, data.reverse)):
                    if on:
                        f, g = fn(f, g)
                x0, y0 = centroid(f[1])
                x6, y6 = centroid(f[7])
                mdx, mdy = x6 - x0, y6 - y0
                mask = f[1:].amax(0)[0] > 0.5  # pixels the square covers at some time
                gx = set(g[0][mask].tolist())
                gy = set(g[1][mask].tolist())
                ctx = f'motion ({dx},{dy}) ops {ops}: measured ({mdx:.1f},{mdy:.1f}) guidance x{gx} y{gy}'
                self.assertEqual(gx, {1 if mdx > 0 else -1}, ctx)
                self.assertEqual(gy, {1 if mdy > 0 else -1}, ctx)
                self.assertTrue(torch.allclose(f[0], f[1:].mean(0)), ctx)
                self.assertEqual(int((g[:, ~mask] != 0).sum()), 0, ctx)

    def test_rot90_vector_rule(self) -> None:
        # Content moving right (+x) rotated by torch.rot90(k=1) moves up (-y) on screen.
        f, g = moving_square(dx=2, dy=0)
        g[1] = 0
        f, g = data.rot90(f, g)
        (x0, y0), (x6, y6) = centroid(f[1]), centroid(f[7])
        self.assertAlmostEqual(x6 - x0, 0.0)
        self.assertLess(y6 - y0, 0)
        mask = f[1:].amax(0)[0] > 0.5
        self.assertEqual(set(g[0][mask].tolist()), {0})
        self.assertEqual(set(g[1][mask].tolist()), {-1})


class GuidanceLoadTest(unittest.TestCase):
    def test_half_res_nearest(self) -> None:
        import tempfile

        import numpy as np
        g = np.array([[[1, -1], [0, 0]], [[-1, 1], [1, 1]]], np.int8)  # (2,2,2) half-res of 4x4
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, 'g.npy')
            np.save(p, g)
            out = data.load_guidance(p, 4, 4)
        self.assertEqual(tuple(out.shape), (2, 4, 4))
        self.assertEqual(out[:, 0, 0].tolist(), [1, -1])
        self.assertEqual(out[:, 1, 1].tolist(), [1, -1])
        self.assertEqual(out[:, 0, 3].tolist(), [0, 0])
        self.assertEqual(out[:, 3, 0].tolist(), [-1, 1])
        self.assertEqual(out[:, 2, 2].tolist(), [1, 1])


if __name__ == '__main__':
    unittest.main()
