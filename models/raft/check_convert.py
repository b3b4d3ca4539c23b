#!/usr/bin/python3
"""Check convert_original_raft_keys: build modules with the parameter names and shapes of the
original princeton-vl/RAFT checkpoints (structure only, no forward pass), fill them with random
values, convert, and load the result STRICTLY into torchvision's raft_small / raft_large (every key
present, every shape equal, every value where it should be). Prints one OK line per architecture.
Run by test/raft.test.ts with /usr/bin/python3."""
import os
import sys

import torch
import torch.nn as nn
from torchvision.models.optical_flow import raft_large, raft_small

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_raft import convert_original_raft_keys  # noqa: E402


def norm(kind, c):
    return nn.BatchNorm2d(c) if kind == "batch" else nn.InstanceNorm2d(c) if kind == "instance" else nn.Sequential()


class Residual(nn.Module):  # raft_large encoder block: conv1/conv2, norm1/norm2 (+norm3 = downsample.1)
    def __init__(self, i, o, k, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(i, o, 3, padding=1, stride=stride)
        self.conv2 = nn.Conv2d(o, o, 3, padding=1)
        self.norm1, self.norm2 = norm(k, o), norm(k, o)
        if stride != 1:
            self.norm3 = norm(k, o)
            self.downsample = nn.Sequential(nn.Conv2d(i, o, 1, stride=stride), self.norm3)


class Bottleneck(nn.Module):  # raft_small encoder block: conv1..3, norm1..3 (+norm4 = downsample.1)
    def __init__(self, i, o, k, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(i, o // 4, 1)
        self.conv2 = nn.Conv2d(o // 4, o // 4, 3, padding=1, stride=stride)
        self.conv3 = nn.Conv2d(o // 4, o, 1)
        self.norm1, self.norm2, self.norm3 = norm(k, o // 4), norm(k, o // 4), norm(k, o)
        if stride != 1:
            self.norm4 = norm(k, o)
            self.downsample = nn.Sequential(nn.Conv2d(i, o, 1, stride=stride), self.norm4)


class Encoder(nn.Module):
    def __init__(self, out, k, small):
        super().__init__()
        block = Bottleneck if small else Residual
        c0, d = (32, (32, 64, 96)) if small else (64, (64, 96, 128))
        self.norm1 = norm(k, c0)
        self.conv1 = nn.Conv2d(3, c0, 7, stride=2, padding=3)
        ins = (c0, d[0], d[1])
        for n in range(3):
            setattr(self, f"layer{n + 1}", nn.Sequential(block(ins[n], d[n], k, 1 if n == 0 else 2), block(d[n], d[n], k, 1)))
        self.conv2 = nn.Conv2d(d[2], out, 1)


class Update(nn.Module):
    def __init__(self, small):
        super().__init__()
        self.encoder, self.gru, self.flow_head = nn.Module(), nn.Module(), nn.Module()
        e = self.encoder
        if small:
            e.convc1, e.convf1 = nn.Conv2d(4 * 49, 96, 1), nn.Conv2d(2, 64, 7, padding=3)
            e.convf2, e.conv = nn.Conv2d(64, 32, 3, padding=1), nn.Conv2d(128, 80, 3, padding=1)
            for g in "zrq":
                setattr(self.gru, "conv" + g, nn.Conv2d(96 + 146, 96, 3, padding=1))
            self.flow_head.conv1, self.flow_head.conv2 = nn.Conv2d(96, 128, 3, padding=1), nn.Conv2d(128, 2, 3, padding=1)
        else:
            e.convc1, e.convc2 = nn.Conv2d(4 * 81, 256, 1), nn.Conv2d(256, 192, 3, padding=1)
            e.convf1, e.convf2 = nn.Conv2d(2, 128, 7, padding=3), nn.Conv2d(128, 64, 3, padding=1)
            e.conv = nn.Conv2d(256, 126, 3, padding=1)
            for g in "zrq":
                setattr(self.gru, f"conv{g}1", nn.Conv2d(384, 128, (1, 5), padding=(0, 2)))
                setattr(self.gru, f"conv{g}2", nn.Conv2d(384, 128, (5, 1), padding=(2, 0)))
            self.flow_head.conv1, self.flow_head.conv2 = nn.Conv2d(128, 256, 3, padding=1), nn.Conv2d(256, 2, 3, padding=1)
            self.mask = nn.Sequential(nn.Conv2d(128, 256, 3, padding=1), nn.ReLU(), nn.Conv2d(256, 8 * 8 * 9, 1))


class OriginalLayout(nn.Module):
    def __init__(self, small):
        super().__init__()
        self.fnet = Encoder(128 if small else 256, "instance", small)
        self.cnet = Encoder(160 if small else 256, "none" if small else "batch", small)
        self.update_block = Update(small)


def main():
    for arch, small in (("raft_small", True), ("raft_large", False)):
        torch.manual_seed(0)
        original = OriginalLayout(small)
        for t in original.state_dict().values():
            if t.dtype.is_floating_point:
                t.normal_()
        converted = convert_original_raft_keys(dict(original.state_dict()), arch)
        target = (raft_small if small else raft_large)(weights=None)
        target.load_state_dict(converted, strict=True)
        loaded = target.state_dict()
        bad = [k for k, v in converted.items() if not torch.equal(loaded[k], v)]
        if bad:
            sys.exit(f"{arch}: values misplaced for {bad[:5]}")
        print(f"{arch} OK {len(converted)} tensors")


if __name__ == "__main__":
    main()
