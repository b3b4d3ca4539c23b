#!/usr/bin/env python3
"""Self-test of models/convert_reference.py on random state dicts in the reference layout.

What is checked:
1. Key names and shapes. The reference layout is enumerated here independently of afb's modules
   (from the upstream Decomposer: first_conv/down_blocks/bottleneck/up_blocks/final_conv, with
   SyncBatchNorm tensors weight/bias/running_mean/running_var/num_batches_tracked), every key
   prefixed `module.`. At the full paper size (128/512/12; in_channels 5 and 24) the converter
   must load both stages strictly and count ~129.3 M parameters (loading only, no export: fast).
2. Semantics. At a reduced width (16/32/2, same layout) with random BN statistics, the converted
   network's output must equal a functional re-implementation of the reference forward pass written
   here with F.conv2d etc. straight from the state dicts (stage 1 sigmoid + static copy, stage 2
   sigmoid residual, clamp to [0,1]), max abs diff <= 1e-5.
3. Export. The reduced network converts to ONNX with the afb contract (checked by onnx.checker
   inside the exporter); ORT parity of converted models is checked by test/models-smoke.test.ts.
Run: /usr/bin/python3 models/tools/test_convert_reference.py
"""
from __future__ import annotations

import os
import sys
import tempfile
import unittest

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import convert_reference  # noqa: E402


def bn(prefix: str, c: int, g: torch.Generator) -> dict:
    return {f'{prefix}.weight': 0.5 + torch.rand(c, generator=g), f'{prefix}.bias': 0.1 * torch.randn(c, generator=g),
            f'{prefix}.running_mean': 0.1 * torch.randn(c, generator=g),
            f'{prefix}.running_var': 0.5 + torch.rand(c, generator=g),
            f'{prefix}.num_batches_tracked': torch.tensor(1000)}


def conv(prefix: str, cout: int, cin: int, k: int, g: torch.Generator, transpose: bool = False) -> dict:
    shape = (cin, cout, k, k) if transpose else (cout, cin, k, k)
    std = (2.0 / (cin * k * k)) ** 0.5 * 0.5
    return {f'{prefix}.weight': std * torch.randn(shape, generator=g), f'{prefix}.bias': 0.01 * torch.randn(cout, generator=g)}


def reference_state_dict(in_ch: int, base: int, max_ch: int, blocks: int, seed: int) -> dict:
    """A `module.`-prefixed state dict with the reference Decomposer's names and shapes."""
    g = torch.Generator().manual_seed(seed)
    ch = [min(max_ch, base * 2 ** i) for i in range(3)]
    sd = {}
    sd.update(conv('first_conv.conv', base, in_ch, 7, g))
    sd.update(bn('first_conv.norm', base, g))
    for i in range(2):
        sd.update(conv(f'down_blocks.{i}.conv1', ch[i + 1], ch[i], 3, g))
        sd.update(conv(f'down_blocks.{i}.conv2', ch[i + 1], ch[i + 1], 3, g))
        sd.update(bn(f'down_blocks.{i}.norm1', ch[i + 1], g))
        sd.update(bn(f'down_blocks.{i}.norm2', ch[i + 1], g))
    for i in range(blocks):
        sd.update(conv(f'bottleneck.{i}.conv1', ch[2], ch[2], 3, g))
        sd.update(conv(f'bottleneck.{i}.conv2', ch[2], ch[2], 3, g))
        sd.update(bn(f'bottleneck.{i}.norm1', ch[2], g))
        sd.update(bn(f'bottleneck.{i}.norm2', ch[2], g))
    for i in range(2):
        cin, cout = ch[2 - i], ch[1 - i]
        sd.update(conv(f'up_blocks.{i}.trans', cout, cin, 4, g, transpose=True))
        sd.update(conv(f'up_blocks.{i}.conv', cout, cout, 3, g))
        sd.update(bn(f'up_blocks.{i}.norm1', cout, g))
        sd.update(bn(f'up_blocks.{i}.norm2', cout, g))
    sd.update(conv('final_conv.0', 21, base, 7, g))
    return {'module.' + k: v for k, v in sd.items()}


def ref_stage(sd: dict, x: torch.Tensor, blocks: int) -> torch.Tensor:
    """The reference Decomposer forward, functionally, from a prefixed state dict (sigmoid output)."""
    p = lambda k: sd['module.' + k]  # noqa: E731
    norm = lambda t, k: F.batch_norm(t, p(k + '.running_mean'), p(k + '.running_var'), p(k + '.weight'), p(k + '.bias'), False, 0.0, 1e-5)  # noqa: E731
    cv = lambda t, k, s=1, pad=1: F.conv2d(t, p(k + '.weight'), p(k + '.bias'), stride=s, padding=pad)  # noqa: E731
    x = F.relu(norm(cv(x, 'first_conv.conv', pad=3), 'first_conv.norm'))
    for i in range(2):
        x = F.relu(norm(cv(x, f'down_blocks.{i}.conv1'), f'down_blocks.{i}.norm1'))
        x = F.relu(norm(cv(x, f'down_blocks.{i}.conv2', s=2), f'down_blocks.{i}.norm2'))
    for i in range(blocks):
        o = cv(F.relu(norm(x, f'bottleneck.{i}.norm1')), f'bottleneck.{i}.conv1')
        o = cv(F.relu(norm(o, f'bottleneck.{i}.norm2')), f'bottleneck.{i}.conv2')
        x = o + x
    for i in range(2):
        x = F.conv_transpose2d(x, p(f'up_blocks.{i}.trans.weight'), p(f'up_blocks.{i}.trans.bias'), stride=2, padding=1)
        x = F.relu(norm(x, f'up_blocks.{i}.norm1'))
        x = F.relu(norm(cv(x, f'up_blocks.{i}.conv'), f'up_blocks.{i}.norm2'))
    return torch.sigmoid(cv(x, 'final_conv.0', pad=3))


def ref_forward(sd1: dict, sd2: dict, blurry: torch.Tensor, trend: torch.Tensor, blocks: int) -> torch.Tensor:
    """Reference inference: stage 1 with static copy, stage 2 residual (s1 + sigmoid), clamp."""
    b, _, h, w = blurry.shape
    s1 = ref_stage(sd1, torch.cat([blurry, trend], 1), blocks).reshape(b, 7, 3, h, w)
    static = ((trend[:, 0:1] == 0) & (trend[:, 1:2] == 0)).float().unsqueeze(1)
    s1 = (1 - static) * s1 + static * blurry.unsqueeze(1).repeat(1, 7, 1, 1, 1)
    s2 = ref_stage(sd2, torch.cat([blurry, s1.reshape(b, 21, h, w)], 1), blocks).reshape(b, 7, 3, h, w)
    return torch.clamp(s1 + s2, 0, 1)


class ConvertReferenceTest(unittest.TestCase):
    def test_paper_layout_loads(self) -> None:
        with tempfile.TemporaryDirectory() as d:
            p1, p2 = os.path.join(d, 'decomposer_s1.pth'), os.path.join(d, 'decomposer_s2.pth')
            torch.save(reference_state_dict(5, 128, 512, 12, 1), p1)
            torch.save(reference_state_dict(24, 128, 512, 12, 2), p2)
            net = convert_reference.load_reference(p1, p2)
        self.assertEqual(net.preset, 'paper')
        self.assertEqual(net.head, 'sigmoid')
        n = sum(p.numel() for p in net.parameters())
        self.assertAlmostEqual(n / 1e6, 129.3, delta=0.1)

    def test_reduced_matches_functional_reference_and_exports(self) -> None:
        torch.manual_seed(0)
        sd1, sd2 = reference_state_dict(5, 16, 32, 2, 3), reference_state_dict(24, 16, 32, 2, 4)
        with tempfile.TemporaryDirectory() as d:
            p1, p2 = os.path.join(d, 's1.pth'), os.path.join(d, 's2.pth')
            torch.save(sd1, p1)
            torch.save(sd2, p2)
            net = convert_reference.load_reference(p1, p2)
            self.assertEqual(net.channels, (16, 32, 2))
            blurry = torch.rand(2, 3, 24, 32)
            trend = torch.randint(-1, 2, (2, 2, 24, 32)).float()
            trend[:, :, :8] = 0
            with torch.no_grad():
                ours = torch.clamp(net(blurry, trend)[1], 0, 1)
                ref = ref_forward(sd1, sd2, blurry, trend, 2)
            self.assertLessEqual(float((ours - ref).abs().max()), 1e-5)
            self.assertGreater(float((ours - blurry.unsqueeze(1)).abs().max()), 1e-2)
            out = os.path.join(d, 'ref.onnx')
            self.assertEqual(convert_reference.main(['--s1', p1, '--s2', p2, '--out', out]), 0)
            self.assertTrue(os.path.isfile(out) and os.path.isfile(os.path.join(d, 'ref.json')))

    def test_rejects_wrong_layout(self) -> None:
        sd = reference_state_dict(5, 16, 32, 2, 5)
        del sd['module.up_blocks.1.conv.weight']
        with tempfile.TemporaryDirectory() as d:
            p1, p2 = os.path.join(d, 's1.pth'), os.path.join(d, 's2.pth')
            torch.save(sd, p1)
            torch.save(reference_state_dict(24, 16, 32, 2, 6), p2)
            with self.assertRaises(SystemExit) as cm:
                convert_reference.load_reference(p1, p2)
            self.assertIn('up_blocks.1.conv.weight', str(cm.exception))
            torch.save({k[7:]: v for k, v in sd.items()}, p1)
            with self.assertRaises(SystemExit) as cm:
                convert_reference.load_reference(p1, p2)
            self.assertIn('module.', str(cm.exception))


if __name__ == '__main__':
    if len(sys.argv) == 3 and sys.argv[1] == '--fixture':
        # Write reduced-width reference-layout checkpoints (s1.pth, s2.pth) for the ORT parity test.
        os.makedirs(sys.argv[2], exist_ok=True)
        torch.save(reference_state_dict(5, 16, 32, 2, 11), os.path.join(sys.argv[2], 'decomposer_s1.pth'))
        torch.save(reference_state_dict(24, 16, 32, 2, 12), os.path.join(sys.argv[2], 'decomposer_s2.pth'))
    else:
        unittest.main()
