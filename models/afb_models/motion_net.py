"""The motion-aware decomposer: a light U-Net that adds a learned residual to the physical
decomposition (afb_models/physics.py), given the blurry frame and the motion over the exposure.

ONNX contract (docs/models.md): inputs
  blurry  (1,3,H,W)   sRGB in [0,1]
  motion  (1,2,H,W)   D = e * F, the motion over the exposure in pixels, channels (x, y)
  physics (1,7,3,H,W) the physical decomposition, sRGB in [0,1]
output
  frames  (1,7,3,H,W) = physics + residual, clamped to [0,1] in the exported graph.
H and W must be multiples of 4. The last convolution is zero-initialised: untrained, the network
returns the physics result exactly. Static pixels (|F| < 0.5 px) are replaced by the blurry pixel
after the network, by the runtime and in the training loss alike (`mask_static`).
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

NUM_FRAMES = 7
MOTION_SCALE = 1.0 / 16.0  # motion in pixels -> network input (streaks of tens of pixels -> O(1))

PRESETS = {
    # name: (full-res channels, 1/2-res channels, 1/4-res channels, residual blocks at 1/4)
    'light': (24, 48, 64, 2),
    'medium': (32, 64, 128, 4),
    'large': (64, 128, 256, 8),
}


def conv(cin: int, cout: int, stride: int = 1) -> nn.Conv2d:
    return nn.Conv2d(cin, cout, 3, stride, 1)


class ResBlock(nn.Module):
    def __init__(self, c: int) -> None:
        super().__init__()
        self.c1, self.c2 = conv(c, c), conv(c, c)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.c2(F.relu(self.c1(x)))


class MotionRefiner(nn.Module):
    """Residual U-Net over the physics result (see the module doc)."""

    def __init__(self, preset: str = 'light') -> None:
        super().__init__()
        if preset not in PRESETS:
            raise ValueError(f'unknown preset {preset!r}; choose one of {sorted(PRESETS)}')
        c0, c1, c2, blocks = PRESETS[preset]
        self.preset = preset
        cin = 3 + 2 + 3 * NUM_FRAMES
        self.enc0 = nn.Sequential(conv(cin, c0), nn.ReLU(), conv(c0, c0), nn.ReLU())
        self.enc1 = nn.Sequential(conv(c0, c1, 2), nn.ReLU(), conv(c1, c1), nn.ReLU())
        self.enc2 = nn.Sequential(conv(c1, c2, 2), nn.ReLU(), *[ResBlock(c2) for _ in range(blocks)])
        self.dec1 = nn.Sequential(conv(c2 + c1, c1), nn.ReLU(), conv(c1, c1), nn.ReLU())
        self.dec0 = nn.Sequential(conv(c1 + c0, c0), nn.ReLU())
        self.out = conv(c0, 3 * NUM_FRAMES)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def forward(self, blurry: torch.Tensor, motion: torch.Tensor, physics: torch.Tensor) -> torch.Tensor:
        n, _, h, w = blurry.shape
        x = torch.cat([blurry, motion * MOTION_SCALE, physics.reshape(n, 3 * NUM_FRAMES, h, w)], 1)
        e0 = self.enc0(x)
        e1 = self.enc1(e0)
        e2 = self.enc2(e1)
        d1 = self.dec1(torch.cat([F.interpolate(e2, scale_factor=2.0, mode='nearest'), e1], 1))
        d0 = self.dec0(torch.cat([F.interpolate(d1, scale_factor=2.0, mode='nearest'), e0], 1))
        return physics + self.out(d0).reshape(n, NUM_FRAMES, 3, h, w)


class ExportWrapper(nn.Module):
    """The exported graph: the refiner with its output clamped to [0,1]."""

    def __init__(self, net: MotionRefiner) -> None:
        super().__init__()
        self.net = net

    def forward(self, blurry: torch.Tensor, motion: torch.Tensor, physics: torch.Tensor) -> torch.Tensor:
        return self.net(blurry, motion, physics).clamp(0.0, 1.0)


def mask_static(frames: torch.Tensor, blurry: torch.Tensor, moving: torch.Tensor) -> torch.Tensor:
    """Static pixels (moving == 0, shape (N,1,H,W)) take the blurry pixel in every frame."""
    return torch.where(moving.unsqueeze(1) > 0, frames, blurry.unsqueeze(1).expand_as(frames))


def count_params(net: nn.Module) -> int:
    return sum(p.numel() for p in net.parameters())
