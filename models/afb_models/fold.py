"""BatchNorm folding for export, and random perturbation of a network (for parity tests).

Folded: every BN that directly follows a conv or a ConvTranspose (first block, down blocks, up
blocks, and the second BN of each residual block, which follows conv1). Not folded: the first BN
of each pre-activation residual block (BN -> ReLU -> conv): it sits before a ReLU and after a
residual sum, so no conv weight can absorb it exactly; it stays a BatchNormalization (inference
mode) node, a cheap per-channel multiply-add.
"""
from __future__ import annotations

import copy

import torch
import torch.nn as nn

from .decomposer import DownBlock, ResBlock, SameBlock, TwoStage, UpBlock


@torch.no_grad()
def fold_conv_bn(conv: nn.Module, bn: nn.BatchNorm2d, transpose: bool = False) -> None:
    """Fold an eval-mode BN into the preceding conv in place: w' = w*s, b' = (b - mean)*s + beta, s = gamma/sqrt(var+eps)."""
    s = bn.weight / torch.sqrt(bn.running_var + bn.eps)
    shape = (1, -1, 1, 1) if transpose else (-1, 1, 1, 1)  # ConvTranspose weight is (in, out, k, k)
    conv.weight.mul_(s.reshape(shape))
    bias = conv.bias if conv.bias is not None else torch.zeros_like(bn.running_mean)
    new_bias = (bias - bn.running_mean) * s + bn.bias
    if conv.bias is None:
        conv.bias = nn.Parameter(new_bias)
    else:
        conv.bias.copy_(new_bias)


def folded_copy(net: TwoStage) -> TwoStage:
    """An eval-mode deep copy of the network with BN folded into convs wherever exact."""
    net = copy.deepcopy(net).eval()
    for m in list(net.modules()):
        if isinstance(m, SameBlock):
            fold_conv_bn(m.conv, m.norm)
            m.norm = nn.Identity()
        elif isinstance(m, DownBlock):
            fold_conv_bn(m.conv1, m.norm1)
            fold_conv_bn(m.conv2, m.norm2)
            m.norm1, m.norm2 = nn.Identity(), nn.Identity()
        elif isinstance(m, UpBlock):
            fold_conv_bn(m.trans, m.norm1, transpose=True)
            fold_conv_bn(m.conv, m.norm2)
            m.norm1, m.norm2 = nn.Identity(), nn.Identity()
        elif isinstance(m, ResBlock):
            fold_conv_bn(m.conv1, m.norm2)  # norm2 follows conv1; norm1 is pre-activation and stays
            m.norm2 = nn.Identity()
    return net


@torch.no_grad()
def perturb(net: nn.Module, seed: int = 0, final_std: float = 0.02) -> None:
    """Give every BN random affine parameters and running statistics, and the final convs small random
    weights, so that folding and both stages are exercised by a parity test (plain init makes BN an
    identity and the residual head's output equal to the blurry input)."""
    g = torch.Generator().manual_seed(seed)
    for name, m in net.named_modules():
        if isinstance(m, nn.BatchNorm2d):
            c = m.num_features
            m.weight.copy_(0.5 + torch.rand(c, generator=g))
            m.bias.copy_(0.2 * torch.randn(c, generator=g))
            m.running_mean.copy_(0.2 * torch.randn(c, generator=g))
            m.running_var.copy_(0.5 + torch.rand(c, generator=g))
        elif name.endswith('final_conv.0'):
            m.weight.copy_(final_std * torch.randn(m.weight.shape, generator=g))
            m.bias.copy_(final_std * torch.randn(m.bias.shape, generator=g))
