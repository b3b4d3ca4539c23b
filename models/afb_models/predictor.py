"""Multi-modal guidance predictor of "Animation from Blur": a cVAE-GAN (BicycleGAN-style).

Generator: U-Net whose every encoder level sees the latent z (size 4) broadcast and concatenated
to its input; InstanceNorm; dropout in three middle decoder levels; output 5-class logits per pixel
(no tanh). Encoder: ResNet-style on the one-hot guidance -> (mu, logvar). Discriminator: 2-scale
PatchGAN (LSGAN) on the guidance only; fake guidance goes through hard Gumbel-softmax (tau 1).

Class labels (reference order): 0 static (0,0), 1 (1,-1), 2 (-1,-1), 3 (-1,1), 4 (1,1), guidance
(x, y) in image axes.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

NZ = 4
NUM_CLASSES = 5
SIZE = 256
# ngf/nef/ndf, U-Net levels (8 reaches 1x1 at 256x256), encoder blocks, max channel multiplier.
PRESETS = {
    'paper': {'ngf': 64, 'nef': 64, 'ndf': 64, 'levels': 8, 'enc_blocks': 4, 'max_mult': 8},
    'cpu': {'ngf': 16, 'nef': 16, 'ndf': 16, 'levels': 8, 'enc_blocks': 4, 'max_mult': 4},
}
# guidance (x, y) -> class, indexed by (x+1)*3 + (y+1). A single zero component (not produced by the
# quantiser, which breaks ties by angle) falls in the class whose angle bin contains it:
# (1,-1) = (-90,0], (-1,-1) = (-180,-90], (-1,1) = (90,180], (1,1) = (0,90] degrees, y down.
_LUT = torch.tensor([2, 3, 3,   # x=-1: y=-1, 0, 1
                     2, 0, 4,   # x= 0
                     1, 1, 4])  # x=+1
CLASS_VECTORS = torch.tensor([[0, 0], [1, -1], [-1, -1], [-1, 1], [1, 1]], dtype=torch.float32)


def guidance_to_classes(g: torch.Tensor) -> torch.Tensor:
    """(B,2,H,W) guidance in {-1,0,1} -> (B,H,W) int64 class labels."""
    gi = g.round().long().clamp(-1, 1)
    return _LUT.to(g.device)[(gi[:, 0] + 1) * 3 + (gi[:, 1] + 1)]


def classes_to_guidance(c: torch.Tensor) -> torch.Tensor:
    """(B,H,W) class labels -> (B,2,H,W) float guidance."""
    return CLASS_VECTORS.to(c.device)[c].permute(0, 3, 1, 2)


def _with_z(x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    b, _, h, w = x.shape
    return torch.cat([x, z.view(b, -1, 1, 1).expand(b, z.shape[1], h, w)], dim=1)


class UBlock(nn.Module):
    """One U-Net level: [z-concat] LeakyReLU-conv4x4/2-IN -> inner levels -> ReLU-convT4x4/2-IN[-dropout], skip concat."""

    def __init__(self, outer: int, inner: int, inp: int, nz: int, sub: 'UBlock | None', outermost: bool = False,
                 innermost: bool = False, dropout: bool = False) -> None:
        super().__init__()
        self.outermost, self.nz, self.sub = outermost, nz, sub
        self.down = nn.Conv2d(inp + nz, inner, 4, stride=2, padding=1)
        # no norm at the outermost input and the 1x1 innermost level (InstanceNorm of one pixel is undefined)
        self.down_norm = nn.Identity() if outermost or innermost else nn.InstanceNorm2d(inner)
        self.up = nn.ConvTranspose2d(inner if innermost else inner * 2, outer, 4, stride=2, padding=1)
        self.up_norm = nn.Identity() if outermost else nn.InstanceNorm2d(outer)
        self.drop = nn.Dropout(0.5) if dropout else nn.Identity()

    def forward(self, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        d = _with_z(x, z) if self.nz else x
        if not self.outermost:
            d = F.leaky_relu(d, 0.2)
        d = self.down_norm(self.down(d))
        if self.sub is not None:
            d = self.sub(d, z)
        u = self.drop(self.up_norm(self.up(F.relu(d))))
        return u if self.outermost else torch.cat([x, u], dim=1)


class Generator(nn.Module):
    """U-Net generator: (blurry (B,3,256,256) in [0,1], z (B,4)) -> logits (B,5,256,256)."""

    def __init__(self, ngf: int, levels: int, max_mult: int, nz: int = NZ) -> None:
        super().__init__()
        if levels < 5:
            raise ValueError(f'levels must be >= 5, got {levels}')
        mults = [min(max_mult, 2 ** i) for i in range(levels)]  # channel multiplier of level i's inner side
        block = None
        for i in reversed(range(levels)):
            inner = ngf * mults[i]
            outer = NUM_CLASSES if i == 0 else ngf * mults[i - 1]
            inp = 3 if i == 0 else outer
            innermost = i == levels - 1
            # dropout in the three levels just outside the innermost one (the "middle" decoder levels)
            dropout = levels - 4 <= i < levels - 1
            block = UBlock(outer, inner, inp, nz, block, outermost=i == 0, innermost=innermost, dropout=dropout)
        self.net = block

    def forward(self, blurry: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        return self.net(blurry, z)


class EncBlock(nn.Module):
    """Pre-activation residual down block: IN-LReLU-conv3-IN-LReLU-conv3-avgpool2 + avgpool2-conv1."""

    def __init__(self, cin: int, cout: int) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.InstanceNorm2d(cin), nn.LeakyReLU(0.2), nn.Conv2d(cin, cin, 3, padding=1),
                                  nn.InstanceNorm2d(cin), nn.LeakyReLU(0.2), nn.Conv2d(cin, cout, 3, padding=1),
                                  nn.AvgPool2d(2))
        self.short = nn.Sequential(nn.AvgPool2d(2), nn.Conv2d(cin, cout, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x) + self.short(x)


class Encoder(nn.Module):
    """ResNet encoder on one-hot guidance (B,5,H,W) -> (mu, logvar), each (B,nz)."""

    def __init__(self, nef: int, blocks: int, max_mult: int, nz: int = NZ) -> None:
        super().__init__()
        layers = [nn.Conv2d(NUM_CLASSES, nef, 4, stride=2, padding=1)]
        for i in range(blocks):
            layers.append(EncBlock(nef * min(max_mult, i + 1), nef * min(max_mult, i + 2)))
        layers += [nn.LeakyReLU(0.2), nn.AdaptiveAvgPool2d(1)]
        self.conv = nn.Sequential(*layers)
        c = nef * min(max_mult, blocks + 1)
        self.fc = nn.Linear(c, nz)
        self.fc_var = nn.Linear(c, nz)

    def forward(self, onehot: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.conv(onehot).flatten(1)
        return self.fc(h), self.fc_var(h)


def _patch_d(ndf: int, n_layers: int = 3) -> nn.Sequential:
    layers = [nn.Conv2d(NUM_CLASSES, ndf, 4, stride=2, padding=1), nn.LeakyReLU(0.2)]
    c = ndf
    for i in range(1, n_layers):
        cn = ndf * min(2 ** i, 8)
        layers += [nn.Conv2d(c, cn, 4, stride=2, padding=1), nn.InstanceNorm2d(cn), nn.LeakyReLU(0.2)]
        c = cn
    cn = ndf * min(2 ** n_layers, 8)
    layers += [nn.Conv2d(c, cn, 4, stride=1, padding=1), nn.InstanceNorm2d(cn), nn.LeakyReLU(0.2),
               nn.Conv2d(cn, 1, 4, stride=1, padding=1)]
    return nn.Sequential(*layers)


class Discriminator(nn.Module):
    """2-scale PatchGAN on (one-hot or Gumbel-hard) guidance; returns a list of patch score maps."""

    def __init__(self, ndf: int, scales: int = 2) -> None:
        super().__init__()
        self.ds = nn.ModuleList([_patch_d(ndf) for _ in range(scales)])

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        out = []
        for i, d in enumerate(self.ds):
            if i:
                x = F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False)
            out.append(d(x))
        return out


def lsgan(preds: list[torch.Tensor], real: bool) -> torch.Tensor:
    """LSGAN loss summed over scales: mean (p - 1)^2 for real targets, mean p^2 for fake."""
    t = 1.0 if real else 0.0
    return sum(F.mse_loss(p, torch.full_like(p, t)) for p in preds)


def kl_loss(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(mu, exp(logvar)) || N(0, I)), summed over the latent, mean over the batch."""
    return (-0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum(1)).mean()


# class -> motion axis: 0 static; 1 (1,-1) and 3 (-1,1) share one diagonal axis, 2 (-1,-1) and 4 (1,1) the other
CLASS_AXIS = torch.tensor([0, 1, 2, 1, 2])


def axis_log_probs(logits: torch.Tensor) -> torch.Tensor:
    """(B,5,H,W) class logits -> (B,3,H,W) log-probabilities of {static, axis of classes 1/3, axis of 2/4}:
    the class probabilities summed over the two signs of each axis (logsumexp, numerically stable)."""
    lse = torch.logsumexp(logits, dim=1, keepdim=True)
    a = torch.logsumexp(logits[:, [1, 3]], dim=1, keepdim=True)
    b = torch.logsumexp(logits[:, [2, 4]], dim=1, keepdim=True)
    return torch.cat([logits[:, :1], a, b], dim=1) - lse


def axis_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Sign-agnostic cross-entropy: static vs moving and the motion axis, whatever the direction's sign.
    One blurry image shows these (a blur streak has an axis but no arrow), so they should come out
    right for every z; only the sign is the ambiguity z is meant to choose."""
    return F.nll_loss(axis_log_probs(logits), CLASS_AXIS.to(labels.device)[labels])


def init_weights(m: nn.Module, gain: float = 0.02) -> None:
    """Xavier-normal init (gain 0.02) of conv/linear weights, zero biases, as the reference config asks."""
    for mod in m.modules():
        if isinstance(mod, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            nn.init.xavier_normal_(mod.weight, gain=gain)
            if mod.bias is not None:
                nn.init.zeros_(mod.bias)


class CVAEGAN(nn.Module):
    """Generator + encoder + discriminator of one preset."""

    def __init__(self, preset: str = 'cpu') -> None:
        super().__init__()
        if preset not in PRESETS:
            raise ValueError(f'Unknown predictor preset {preset!r}; expected one of {sorted(PRESETS)}')
        c = PRESETS[preset]
        self.preset = preset
        self.G = Generator(c['ngf'], c['levels'], c['max_mult'])
        self.E = Encoder(c['nef'], c['enc_blocks'], c['max_mult'])
        self.D = Discriminator(c['ndf'])
        init_weights(self)
