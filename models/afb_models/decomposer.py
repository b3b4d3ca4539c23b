"""Two-stage decomposition network of "Animation from Blur" (Zhong et al., ECCV 2022).

Each stage is the same encoder-decoder: conv7x7-BN-ReLU, two stride-2 down blocks,
N pre-activation residual blocks at 1/4 resolution, two ConvTranspose up blocks and a
conv7x7 to 21 channels (7 frames x RGB, channel = frame*3 + rgb). Module names follow the
reference implementation so that its state dicts load after stripping the `module.` prefix.

Heads:
  sigmoid  -- the paper/reference form: stage 1 = sigmoid(conv); stage 2 = sigmoid(conv) added
              to stage 1 (so the stage-2 residual is non-negative: a quirk of the reference).
  residual -- our default for new training: stage 1 = blurry (repeated 7x) + signed offset,
              stage 2 = signed residual; the last convs are zero-initialised so the untrained
              network outputs "repeat the blurry frame" from step 0.
In both, stage-1 output at static pixels (guidance (0,0)) is replaced by the blurry pixel.
Outputs are unclamped during training; `clamp01` is applied for inference/export.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

NUM_FRAMES = 7
# (first channels, max channels, residual blocks) per preset.
PRESETS = {
    'paper': (128, 512, 12),
    'cpu': (16, 64, 4),
    'cpu-m': (32, 128, 6),
}
HEADS = ('sigmoid', 'residual')
MULTIPLE = 4  # two stride-2 levels: H and W must be divisible by 4


class SameBlock(nn.Module):
    """conv(k) -> BN -> ReLU at full resolution (reference: SameBlock2d)."""

    def __init__(self, cin: int, cout: int, k: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, padding=k // 2)
        self.norm = nn.BatchNorm2d(cout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(self.norm(self.conv(x)))


class DownBlock(nn.Module):
    """conv3x3 -> BN -> ReLU -> conv3x3 stride 2 -> BN -> ReLU (reference: DownBlockConv2d)."""

    def __init__(self, cin: int, cout: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.norm1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, stride=2, padding=1)
        self.norm2 = nn.BatchNorm2d(cout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.norm1(self.conv1(x)))
        return F.relu(self.norm2(self.conv2(x)))


class ResBlock(nn.Module):
    """Pre-activation residual block: BN-ReLU-conv3x3-BN-ReLU-conv3x3 + identity (reference: ResBlock2d)."""

    def __init__(self, c: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=1)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1)
        self.norm1 = nn.BatchNorm2d(c)
        self.norm2 = nn.BatchNorm2d(c)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.conv1(F.relu(self.norm1(x)))
        out = self.conv2(F.relu(self.norm2(out)))
        return out + x


class UpBlock(nn.Module):
    """ConvTranspose(k4, s2, p1) -> BN -> ReLU -> conv3x3 -> BN -> ReLU (reference: UpBlockTrans2d)."""

    def __init__(self, cin: int, cout: int) -> None:
        super().__init__()
        self.trans = nn.ConvTranspose2d(cin, cout, 4, stride=2, padding=1)
        self.conv = nn.Conv2d(cout, cout, 3, padding=1)
        self.norm1 = nn.BatchNorm2d(cout)
        self.norm2 = nn.BatchNorm2d(cout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.norm1(self.trans(x)))
        return F.relu(self.norm2(self.conv(x)))


class Decomposer(nn.Module):
    """One encoder-decoder stage; returns the raw 21-channel output of the final conv (no activation)."""

    def __init__(self, in_channels: int, base: int, max_ch: int, blocks: int, out_channels: int = 3 * NUM_FRAMES) -> None:
        super().__init__()
        self.first_conv = SameBlock(in_channels, base, 7)
        chans = [min(max_ch, base * 2 ** i) for i in range(3)]  # e.g. 128, 256, 512
        self.down_blocks = nn.ModuleList([DownBlock(chans[i], chans[i + 1]) for i in range(2)])
        self.bottleneck = nn.Sequential(*[ResBlock(chans[2]) for _ in range(blocks)])
        self.up_blocks = nn.ModuleList([UpBlock(chans[2 - i], chans[1 - i]) for i in range(2)])
        # A Sequential so the key is `final_conv.0.*` as in the reference (whose index 1 is a Sigmoid).
        self.final_conv = nn.Sequential(nn.Conv2d(base, out_channels, 7, padding=3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.first_conv(x)
        for blk in self.down_blocks:
            x = blk(x)
        x = self.bottleneck(x)
        for blk in self.up_blocks:
            x = blk(x)
        return self.final_conv(x)


def static_mask(guidance: torch.Tensor) -> torch.Tensor:
    """(B,2,H,W) guidance -> (B,1,1,H,W) float mask, 1 where guidance is (0,0)."""
    m = (guidance.abs().sum(dim=1, keepdim=True) == 0).to(guidance.dtype)
    return m.unsqueeze(1)


class TwoStage(nn.Module):
    """The full two-stage network. forward(blurry (B,3,H,W) [0,1], guidance (B,2,H,W)) -> (stage1, final), each (B,7,3,H,W)."""

    def __init__(self, preset: str = 'cpu', head: str = 'residual', channels: tuple[int, int, int] | None = None) -> None:
        """`channels` = (first, max, residual blocks) overrides the preset's (preset is then just a label)."""
        super().__init__()
        if channels is None and preset not in PRESETS:
            raise ValueError(f'Unknown preset {preset!r}; expected one of {sorted(PRESETS)}')
        if head not in HEADS:
            raise ValueError(f'Unknown head {head!r}; expected one of {HEADS}')
        self.preset, self.head = preset, head
        self.channels = tuple(channels) if channels is not None else PRESETS[preset]
        base, max_ch, blocks = self.channels
        self.decomposer_s1 = Decomposer(3 + 2, base, max_ch, blocks)
        self.decomposer_s2 = Decomposer(3 + 3 * NUM_FRAMES, base, max_ch, blocks)
        if head == 'residual':
            for d in (self.decomposer_s1, self.decomposer_s2):
                nn.init.zeros_(d.final_conv[0].weight)
                nn.init.zeros_(d.final_conv[0].bias)

    def forward(self, blurry: torch.Tensor, guidance: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        b, _, h, w = blurry.shape
        rep = blurry.unsqueeze(1).expand(b, NUM_FRAMES, 3, h, w)
        s1 = self.decomposer_s1(torch.cat([blurry, guidance], dim=1)).reshape(b, NUM_FRAMES, 3, h, w)
        s1 = torch.sigmoid(s1) if self.head == 'sigmoid' else rep + s1
        st = static_mask(guidance)
        s1 = (1 - st) * s1 + st * rep
        s2 = self.decomposer_s2(torch.cat([blurry, s1.reshape(b, 3 * NUM_FRAMES, h, w)], dim=1))
        s2 = s2.reshape(b, NUM_FRAMES, 3, h, w)
        if self.head == 'sigmoid':
            s2 = torch.sigmoid(s2)  # reference form: stage 2 is not masked (static pixels drift)
        else:
            # Residual head: static pixels stay exactly the blurry pixel through stage 2 too.
            # Without this, stage 2's residual adds noise to static regions, which costs up to
            # several dB on mostly-static samples (measured at step 289: stage 1 32.2 dB, final 27.5 dB).
            s2 = (1 - st) * s2
        return s1, s1 + s2


class ExportWrapper(nn.Module):
    """Inference graph: (blurry, guidance) -> frames (B,7,3,H,W) clamped to [0,1]."""

    def __init__(self, net: TwoStage) -> None:
        super().__init__()
        self.net = net

    def forward(self, blurry: torch.Tensor, guidance: torch.Tensor) -> torch.Tensor:
        return torch.clamp(self.net(blurry, guidance)[1], 0.0, 1.0)


def count_params(m: nn.Module) -> int:
    """Number of parameters (BN running stats excluded)."""
    return sum(p.numel() for p in m.parameters())
