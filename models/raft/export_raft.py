#!/usr/bin/python3
"""Export RAFT optical flow (torchvision raft_small / raft_large) to ONNX for afb's RAFT backend.

Contract of the exported file (pipeline/flow/raft.ts relies on it):
  inputs  image1, image2: float32 [1, 3, H, W], RGB values 0..255, H and W multiples of 8
  output  flow:           float32 [1, 2, H, W], flow from image1 to image2 in pixels (u right, v down)
The [-1, 1] normalisation of torchvision's RAFT transforms is inside the graph; the iteration count
is fixed (the refinement loop is unrolled). H and W are dynamic by default (the afb side scales
frames to its working width and pads them to multiples of 8); --fixed-size bakes --height/--width
into the graph instead (afb then fits and pads frames into that size).

Weights: --weights FILE takes a torchvision-format state dict (e.g. the file behind
torchvision.models.optical_flow.Raft_Large_Weights.C_T_SKHT_V2) or a checkpoint of the original
princeton-vl/RAFT code (raft-things.pth, raft-sintel.pth, raft-small.pth; parameter names are
converted, see convert_original_raft_keys); --weights torchvision:NAME loads
torchvision's pretrained weights by enum name (needs internet once); --random uses a seeded random
initialisation (for tests: the graph and contract are the same, the flow is meaningless).

Run with the Debian PyTorch: /usr/bin/python3 models/raft/export_raft.py --help
"""
import argparse
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision.models.optical_flow import raft_large, raft_small


class RaftForOnnx(nn.Module):
    """RAFT with afb's input convention and a single output (the last refinement)."""

    def __init__(self, raft: nn.Module, iters: int):
        super().__init__()
        self.raft = raft
        self.iters = iters

    def forward(self, image1: torch.Tensor, image2: torch.Tensor) -> torch.Tensor:
        # torchvision's RAFT expects [-1, 1] (its OpticalFlow preset: /255, mean 0.5, std 0.5).
        x1 = image1 / 127.5 - 1.0
        x2 = image2 / 127.5 - 1.0
        return self.raft(x1, x2, num_flow_updates=self.iters)[-1]


def instance_norm_eval(module: nn.InstanceNorm2d, x: torch.Tensor) -> torch.Tensor:
    """InstanceNorm written out with mean/var ops.

    Exporter versions differ in how (and whether) they export nn.InstanceNorm2d, e.g. "unknown
    channel size" failures (pytorch/pytorch#99140) and the RAFT export reports in pytorch/vision#7584;
    written out, the graph no longer depends on that. With torch 1.13 both ways match PyTorch to
    ~2e-5 px; --keep-instance-norm exports the layers as they are.
    """
    mean = x.mean(dim=(2, 3), keepdim=True)
    var = ((x - mean) ** 2).mean(dim=(2, 3), keepdim=True)
    y = (x - mean) / torch.sqrt(var + module.eps)
    if module.affine:
        y = y * module.weight.view(1, -1, 1, 1) + module.bias.view(1, -1, 1, 1)
    return y


def patch_instance_norms(model: nn.Module) -> int:
    """Replace every InstanceNorm2d's forward by instance_norm_eval; returns how many were patched."""
    count = 0
    for m in model.modules():
        if isinstance(m, nn.InstanceNorm2d):
            if m.track_running_stats:
                continue  # uses running stats in eval: the exporter handles it as an affine op
            m.forward = (lambda mod: (lambda x: instance_norm_eval(mod, x)))(m)
            count += 1
    return count


def patch_corr_scale(model: nn.Module) -> None:
    """Make the correlation scale 1/sqrt(C) a float constant.

    torchvision computes it as torch.sqrt(torch.tensor(num_channels)); with dynamic axes the
    tracer turns num_channels into an int64 tensor and ONNX Sqrt rejects int64 (invalid model).
    C is the fixed feature width, so int() freezes it.
    """
    corr = model.corr_block

    def compute_corr_volume(fmap1: torch.Tensor, fmap2: torch.Tensor) -> torch.Tensor:
        batch_size, num_channels, h, w = fmap1.shape
        c = int(num_channels)
        f1 = fmap1.view(batch_size, c, h * w)
        f2 = fmap2.view(batch_size, c, h * w)
        volume = torch.matmul(f1.transpose(1, 2), f2).view(batch_size, h, w, 1, h, w)
        return volume * (1.0 / c ** 0.5)

    corr._compute_corr_volume = compute_corr_volume


def convert_original_raft_keys(state: dict, arch: str) -> dict:
    """Rename a princeton-vl/RAFT checkpoint's parameters (raft-things.pth, raft-sintel.pth, ...) to
    torchvision's RAFT names. Same tensors, other module names: fnet/cnet -> feature/context_encoder,
    convN/normN -> convnormreluN.{0,1}, the motion encoder's convc/convf -> convcorr/convflow, gru ->
    recurrent_block, update_block.mask -> mask_predictor. The residual block's extra norm (norm3 in
    raft_large's ResidualBlock, norm4 in raft_small's BottleneckBlock) is the same module as
    downsample.1 and is dropped."""
    import re

    down_norm = "norm4" if arch == "raft_small" else "norm3"
    out = {}
    for key, value in state.items():
        k = re.sub(r"^fnet\.", "feature_encoder.", key)
        k = re.sub(r"^cnet\.", "context_encoder.", k)
        m = re.match(r"^(feature_encoder|context_encoder)\.(conv1|norm1|conv2)\.(.*)$", k)
        if m:
            k = f"{m.group(1)}.{ {'conv1': 'convnormrelu.0', 'norm1': 'convnormrelu.1', 'conv2': 'conv'}[m.group(2)] }.{m.group(3)}"
        m = re.match(r"^(.*\.layer\d\.\d)\.(conv|norm)(\d)\.(.*)$", k)
        if m:
            if m.group(2) == "norm" and f"norm{m.group(3)}" == down_norm:
                continue  # duplicate of downsample.1
            k = f"{m.group(1)}.convnormrelu{m.group(3)}.{0 if m.group(2) == 'conv' else 1}.{m.group(4)}"
        names = {"convc1": "convcorr1.0", "convc2": "convcorr2.0", "convf1": "convflow1.0", "convf2": "convflow2.0", "conv": "conv.0"}
        m = re.match(r"^update_block\.encoder\.(convc1|convc2|convf1|convf2|conv)\.(.*)$", k)
        if m:
            k = f"update_block.motion_encoder.{names[m.group(1)]}.{m.group(2)}"
        m = re.match(r"^update_block\.gru\.conv([zrq])([12]?)\.(.*)$", k)
        if m:
            k = f"update_block.recurrent_block.convgru{m.group(2) or '1'}.conv{m.group(1)}.{m.group(3)}"
        k = re.sub(r"^update_block\.mask\.0\.", "mask_predictor.convrelu.0.", k)
        k = re.sub(r"^update_block\.mask\.2\.", "mask_predictor.conv.", k)
        out[k] = value
    return out


def build_model(arch: str, weights: str, random_init: bool, seed: int) -> nn.Module:
    ctor = raft_small if arch == "raft_small" else raft_large
    if random_init:
        torch.manual_seed(seed)
        return ctor(weights=None)
    if weights.startswith("torchvision:"):
        from torchvision.models.optical_flow import Raft_Large_Weights, Raft_Small_Weights
        enum = Raft_Small_Weights if arch == "raft_small" else Raft_Large_Weights
        return ctor(weights=getattr(enum, weights.split(":", 1)[1]))
    model = ctor(weights=None)
    state = torch.load(weights, map_location="cpu")
    if isinstance(state, dict) and "state_dict" in state:
        state = state["state_dict"]
    state = {k[len("module."):] if k.startswith("module.") else k: v for k, v in state.items()}
    if any(k.startswith("fnet.") for k in state):
        state = convert_original_raft_keys(state, arch)
    try:
        missing, unexpected = model.load_state_dict(state, strict=False)
    except RuntimeError as err:  # shape mismatches raise even with strict=False
        sys.exit(f"error: {weights} does not fit {arch} ({str(err).splitlines()[-1].strip()}). Is --arch right?")
    if missing or unexpected:
        sys.exit(
            f"error: {weights} is not a torchvision {arch} state dict "
            f"(missing {len(missing)} keys, e.g. {missing[:3]}; unexpected {len(unexpected)}, e.g. {unexpected[:3]}). "
            "Is --arch right (raft-small.pth needs --arch raft_small)?"
        )
    return model


def example_pair(height: int, width: int, seed: int):
    """Two smooth, 8-bit-valued test frames (the second a shifted copy of the first), NCHW float."""
    g = torch.Generator().manual_seed(seed)
    base = torch.rand(1, 3, height // 8 + 2, width // 8 + 2, generator=g)
    big = F.interpolate(base, size=(height + 16, width + 16), mode="bilinear", align_corners=False)
    big = torch.round(big * 255.0)
    return big[:, :, 8 : 8 + height, 8 : 8 + width].contiguous(), big[:, :, 5 : 5 + height, 10 : 10 + width].contiguous()


def save_npy(path: str, t: torch.Tensor) -> None:
    import numpy as np
    np.save(path, t.detach().cpu().numpy().astype("float32"))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--arch", choices=["raft_small", "raft_large"], default="raft_large")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--weights", help="torchvision-format state dict file, or torchvision:ENUM_NAME (e.g. torchvision:C_T_SKHT_V2)")
    src.add_argument("--random", action="store_true", help="random initialisation (tests only)")
    p.add_argument("--seed", type=int, default=0, help="seed of --random and of --save-example")
    p.add_argument("--iters", type=int, default=12, help="refinement iterations unrolled into the graph (upstream afb used 30)")
    p.add_argument("--height", type=int, default=272, help="trace/fixed input height, multiple of 8, >= 128 (default 272: 16:9 at 480 wide)")
    p.add_argument("--width", type=int, default=480, help="trace/fixed input width, multiple of 8, >= 128")
    p.add_argument("--fixed-size", action="store_true", help="bake --height/--width into the graph (default: dynamic H and W)")
    p.add_argument("--keep-instance-norm", action="store_true", help="export InstanceNorm layers as they are (see instance_norm_eval)")
    p.add_argument("--opset", type=int, default=17, help="ONNX opset, >= 16 for native GridSample")
    p.add_argument("--save-example", metavar="DIR", help="also write image1.npy, image2.npy and PyTorch's flow.npy for the export size")
    p.add_argument("-o", "--output", required=True, help="output .onnx path (written atomically)")
    a = p.parse_args()
    # RAFT works at 1/8 resolution and pools its correlation volume 3 more times: below 128 px the
    # coarsest level is 1 px wide and torchvision's grid_sample normalisation divides by zero (NaN).
    if a.height % 8 or a.width % 8 or a.height < 128 or a.width < 128:
        sys.exit(f"error: --height/--width must be multiples of 8 and >= 128 (RAFT's 1/64 correlation pyramid), got {a.width}x{a.height}")
    if a.opset < 16:
        sys.exit(f"error: --opset must be >= 16 (GridSample), got {a.opset}")
    if a.iters < 1:
        sys.exit(f"error: --iters must be >= 1, got {a.iters}")
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    raft = build_model(a.arch, a.weights or "", a.random, a.seed).eval()
    patched = 0 if a.keep_instance_norm else patch_instance_norms(raft)
    patch_corr_scale(raft)
    model = RaftForOnnx(raft, a.iters).eval()
    im1, im2 = example_pair(a.height, a.width, a.seed)
    tmp = a.output + ".tmp-export"
    dynamic = {n: {2: "height", 3: "width"} for n in ("image1", "image2", "flow")} if not a.fixed_size else None
    with torch.no_grad():
        torch.onnx.export(
            model, (im1, im2), tmp, opset_version=a.opset, input_names=["image1", "image2"], output_names=["flow"],
            dynamic_axes=dynamic, do_constant_folding=True,
        )
        os.replace(tmp, a.output)
        if a.save_example:
            os.makedirs(a.save_example, exist_ok=True)
            save_npy(os.path.join(a.save_example, "image1.npy"), im1)
            save_npy(os.path.join(a.save_example, "image2.npy"), im2)
            save_npy(os.path.join(a.save_example, "flow.npy"), model(im1, im2))
    print(f"wrote {a.output}: {a.arch}, {a.iters} iterations, {f'fixed {a.width}x{a.height}' if a.fixed_size else 'dynamic size'}, "
          f"opset {a.opset}, {patched} InstanceNorm layers written out")


if __name__ == "__main__":
    main()
