"""The physical decomposition with the motion known, in PyTorch: the same maths as the TypeScript
runtime (pipeline/math/motion/physics.ts), batched, for training the motion-aware network.

Conventions (docs/flow.md): images NCHW; a motion field F (N,2,H,W) in pixels per frame interval,
channels (x, y), +x right, +y down, forward in time; D = e * F is the motion over the exposure.
  A(L)(x) = 1/K(x) sum_k L(x - t_k D(x)),  t_k = (k + 0.5)/K(x) - 0.5,  K(x) = clamp(ceil(|D(x)|/spacing), 1, max_samples)
with bilinear sampling clamped to the image. Richardson-Lucy in linear light from L = B:
  L <- clamp(L * A(B / max(A(L), eps)), 0, 1) at moving pixels (|F| >= static_threshold).
Frame j of n: S_j(x) = L(x - tau_j D(x)), tau_j = (j + 0.5)/n - 0.5; static pixels are the input.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

RL_EPSILON = 1e-4


@dataclass(frozen=True)
class PhysicsOptions:
    iterations: int = 6
    spacing: float = 1.0
    max_samples: int = 9
    static_threshold: float = 0.5
    frames: int = 7


def srgb_to_linear(v: torch.Tensor) -> torch.Tensor:
    return torch.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055).clamp_min(0) ** 2.4)


def linear_to_srgb(v: torch.Tensor) -> torch.Tensor:
    v = v.clamp(0, 1)
    return torch.where(v <= 0.0031308, v * 12.92, 1.055 * v.clamp_min(1e-12) ** (1 / 2.4) - 0.055)


def _base_grid(n: int, h: int, w: int, device) -> tuple[torch.Tensor, torch.Tensor]:
    ys = torch.arange(h, device=device, dtype=torch.float32).view(1, h, 1).expand(n, h, w)
    xs = torch.arange(w, device=device, dtype=torch.float32).view(1, 1, w).expand(n, h, w)
    return xs, ys


def sample_at(img: torch.Tensor, sx: torch.Tensor, sy: torch.Tensor) -> torch.Tensor:
    """Bilinear sample of img (N,C,H,W) at pixel coordinates (sx, sy) (N,H,W), clamped to the image."""
    _, _, h, w = img.shape
    gx = sx.clamp(0, w - 1) * (2.0 / max(w - 1, 1)) - 1.0
    gy = sy.clamp(0, h - 1) * (2.0 / max(h - 1, 1)) - 1.0
    return F.grid_sample(img, torch.stack([gx, gy], dim=-1), mode='bilinear', padding_mode='border', align_corners=True)


def sample_counts(disp: torch.Tensor, o: PhysicsOptions) -> torch.Tensor:
    """K per pixel (N,H,W) for a displacement D (N,2,H,W)."""
    length = torch.hypot(disp[:, 0].double(), disp[:, 1].double())
    return torch.ceil(length / o.spacing).clamp(1, o.max_samples).float()


def line_kernel(img: torch.Tensor, disp: torch.Tensor, counts: torch.Tensor, max_samples: int) -> torch.Tensor:
    """A(img): the mean of K(x) bilinear samples along each pixel's streak (see the module doc)."""
    n, _, h, w = img.shape
    xs, ys = _base_grid(n, h, w, img.device)
    out = torch.zeros_like(img)
    inv = 1.0 / counts
    kmax = int(counts.max().item()) if counts.numel() else 1
    for k in range(min(kmax, max_samples)):
        valid = (k < counts).float()
        t = (k + 0.5) * inv - 0.5
        s = sample_at(img, xs - t * disp[:, 0], ys - t * disp[:, 1])
        out = out + s * (valid * inv).unsqueeze(1)
    return out


def moving_mask(motion: torch.Tensor, threshold: float) -> torch.Tensor:
    """(N,1,H,W) float: 1 where |F| >= threshold (pixels per frame interval)."""
    return ((motion[:, 0] ** 2 + motion[:, 1] ** 2) >= threshold * threshold).float().unsqueeze(1)


def richardson_lucy(blur_lin: torch.Tensor, disp: torch.Tensor, moving: torch.Tensor, o: PhysicsOptions) -> torch.Tensor:
    counts = sample_counts(disp, o)
    latent = blur_lin.clone()
    for _ in range(o.iterations):
        est = line_kernel(latent, disp, counts, o.max_samples)
        est = torch.where(moving > 0, est, latent)  # static pixels: A(L) = L = B
        ratio = blur_lin / est.clamp_min(RL_EPSILON)
        corr = line_kernel(ratio, disp, counts, o.max_samples)
        latent = torch.where(moving > 0, (latent * corr).clamp(0, 1), latent)
    return latent


def render_frames(latent: torch.Tensor, disp: torch.Tensor, frames: int) -> torch.Tensor:
    """(N,frames,C,H,W): frame j = latent at x - tau_j D(x)."""
    n, _, h, w = latent.shape
    xs, ys = _base_grid(n, h, w, latent.device)
    out = []
    for j in range(frames):
        t = (j + 0.5) / frames - 0.5
        out.append(sample_at(latent, xs - t * disp[:, 0], ys - t * disp[:, 1]))
    return torch.stack(out, dim=1)


@torch.no_grad()
def decompose_with_motion(blurry: torch.Tensor, motion: torch.Tensor, exposure, o: PhysicsOptions = PhysicsOptions()) -> torch.Tensor:
    """blurry sRGB in [0,1] (N,3,H,W), motion F (N,2,H,W), exposure e (float or (N,) tensor)
    -> (N,frames,3,H,W) sRGB in [0,1]; static pixels are exactly the input."""
    e = torch.as_tensor(exposure, dtype=torch.float32, device=blurry.device).reshape(-1, 1, 1, 1)
    disp = motion * e
    moving = moving_mask(motion, o.static_threshold)
    lin = srgb_to_linear(blurry)
    latent = richardson_lucy(lin, disp, moving, o)
    frames = linear_to_srgb(render_frames(latent, disp, o.frames))
    return torch.where(moving.unsqueeze(1) > 0, frames, blurry.unsqueeze(1).expand_as(frames))
