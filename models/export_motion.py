#!/usr/bin/env python3
"""Export the motion-aware decomposer (afb_models/motion_net.py) to ONNX (opset 17, dynamic H/W
multiples of 4) with its sidecar JSON, and optionally parity tensors computed by PyTorch.

Graph: inputs  blurry  (1,3,H,W)   float32 sRGB in [0,1]
               motion  (1,2,H,W)   float32 motion over the exposure (e * F), pixels, channels (x, y)
               physics (1,7,3,H,W) float32 the physical decomposition, sRGB in [0,1]
       output  frames  (1,7,3,H,W) float32 in [0,1]

  /usr/bin/python3 models/export_motion.py --ckpt runs/motion-light/best.pt --out models/afb-motion.onnx
  /usr/bin/python3 models/export_motion.py --random --preset light --out /tmp/untrained-motion.onnx
"""
from __future__ import annotations

import os

os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

import argparse
import sys

import numpy as np
import torch

from afb_models import common
from afb_models.motion_net import NUM_FRAMES, PRESETS, ExportWrapper, MotionRefiner, count_params
from afb_models.onnx_export import OPSET, export_onnx, op_histogram, sidecar_path, write_json_atomic
from afb_models.physics import PhysicsOptions


def build_net(ckpt: str | None, preset: str, random_seed: int | None) -> tuple[MotionRefiner, dict, dict]:
    """The network (eval mode), its training metadata and the physics settings it was trained with."""
    if ckpt:
        ck = common.load_checkpoint(ckpt, 'cpu')
        net = MotionRefiner(ck['preset'])
        net.load_state_dict({k: v.float() for k, v in ck['model'].items()})
        st = ck.get('state', {})
        meta = {'source': common.display_path(ckpt), 'step': st.get('step'), 'train_hours': round(st.get('train_seconds', 0) / 3600, 3),
                'best_val_psnr': st.get('best'), 'train_args': ck.get('args')}
        return net.eval(), meta, ck.get('physics', PhysicsOptions().__dict__)
    if random_seed is None:
        raise SystemExit('give --ckpt PATH or --random')
    torch.manual_seed(random_seed)
    net = MotionRefiner(preset)
    if random_seed:  # parity tests: a non-zero last layer, so the residual is not identically 0
        torch.nn.init.normal_(net.out.weight, std=0.05)
        torch.nn.init.normal_(net.out.bias, std=0.02)
    return net.eval(), {'source': 'random', 'seed': random_seed, 'step': 0}, PhysicsOptions().__dict__


def export_motion(net: MotionRefiner, out: str, meta: dict, physics: dict) -> dict:
    h, w = 32, 48
    args = (torch.rand(1, 3, h, w), torch.randn(1, 2, h, w) * 8, torch.rand(1, NUM_FRAMES, 3, h, w))
    export_onnx(ExportWrapper(net), args, out, ['blurry', 'motion', 'physics'], ['frames'],
                {'blurry': {2: 'height', 3: 'width'}, 'motion': {2: 'height', 3: 'width'},
                 'physics': {3: 'height', 4: 'width'}, 'frames': {3: 'height', 4: 'width'}})
    side = {
        'kind': 'afb-motion-decomposer', 'format_version': 1, 'preset': net.preset, 'params': count_params(net),
        'opset': OPSET, 'multiple': 4, 'num_frames': NUM_FRAMES, 'physics': physics,
        'inputs': [
            {'name': 'blurry', 'shape': [1, 3, 'H', 'W'], 'dtype': 'float32', 'range': [0, 1], 'note': 'sRGB-encoded values / 255, NCHW'},
            {'name': 'motion', 'shape': [1, 2, 'H', 'W'], 'dtype': 'float32',
             'note': 'motion over the exposure D = e * F in pixels, channels (x, y), +x right, +y down, forward in time'},
            {'name': 'physics', 'shape': [1, NUM_FRAMES, 3, 'H', 'W'], 'dtype': 'float32', 'range': [0, 1],
             'note': 'the physical decomposition (Richardson-Lucy + rendering along the motion) with the settings in "physics"'}],
        'outputs': [{'name': 'frames', 'shape': [1, NUM_FRAMES, 3, 'H', 'W'], 'dtype': 'float32', 'range': [0, 1],
                     'note': 'static pixels (|F| < static_threshold) are replaced by the blurry pixel by the runtime'}],
        'ops': op_histogram(out), 'training': meta,
    }
    write_json_atomic(side, sidecar_path(out))
    return side


def write_parity(net: MotionRefiner, folder: str, h: int, w: int, seed: int = 7) -> None:
    """Inputs and the PyTorch output as .npy files for the onnxruntime parity test."""
    os.makedirs(folder, exist_ok=True)
    g = torch.Generator().manual_seed(seed)
    blurry = torch.rand(1, 3, h, w, generator=g)
    motion = torch.randn(1, 2, h, w, generator=g) * 10
    physics = torch.rand(1, NUM_FRAMES, 3, h, w, generator=g)
    with torch.no_grad():
        frames = ExportWrapper(net)(blurry, motion, physics)
    for name, t in (('blurry', blurry), ('motion', motion), ('physics', physics), ('frames', frames)):
        np.save(os.path.join(folder, f'{name}.npy'), t.numpy().astype(np.float32))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--ckpt', help='training checkpoint (runs/NAME/best.pt or ckpt.pt)')
    p.add_argument('--random', type=int, default=None, metavar='SEED',
                   help='export an untrained network (SEED 0: the zero-initialised residual; other seeds: a random residual, for parity tests)')
    p.add_argument('--preset', choices=sorted(PRESETS), default='light', help='with --random')
    p.add_argument('--out', required=True, help='output .onnx path (sidecar .json written beside it)')
    p.add_argument('--parity-dir', help='also write parity inputs/outputs (.npy) computed by PyTorch here')
    p.add_argument('--parity-size', default='36x44', help='HxW of the parity input (multiples of 4)')
    a = p.parse_args(argv)
    torch.set_num_threads(2)
    net, meta, physics = build_net(a.ckpt, a.preset, a.random)
    side = export_motion(net, a.out, meta, physics)
    print(f"exported {a.out} (preset {side['preset']}, {side['params'] / 1e6:.3f} M params, ops {side['ops']})")
    if a.parity_dir:
        h, w = (int(v) for v in a.parity_size.lower().split('x'))
        write_parity(net, a.parity_dir, h, w)
        print(f'parity tensors in {a.parity_dir}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
