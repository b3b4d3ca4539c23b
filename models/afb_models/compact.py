"""Compact storage of the committed training checkpoints (models/checkpoints/<run>/ckpt.pt).

Model weights are stored as float16 (a tensor with values beyond float16's range stays float32) and
the optimisers' moments as bfloat16 (float16 would flush Adam's tiny second moments to zero, which
turns the next updates into huge steps). load_checkpoint() expands them back to float32, so a
compact checkpoint resumes like a full one, up to that rounding. Integer tensors, Adam's step
counters, RNG states and plain values are kept as they are.
"""
from __future__ import annotations

import torch

MARK = 'compact'
FP16_MAX = 65504.0


def _is_optimizer_state(value) -> bool:
    return isinstance(value, dict) and set(value) == {'state', 'param_groups'}


def _weights_to_half(t):
    if not (torch.is_tensor(t) and t.dtype == torch.float32):
        return t
    return t.half() if t.numel() == 0 or float(t.abs().max()) <= FP16_MAX else t


def _map_optimizer(opt: dict, fn) -> dict:
    state = {i: {name: (v if name == 'step' else fn(v)) for name, v in s.items()} for i, s in opt['state'].items()}
    return {'state': state, 'param_groups': opt['param_groups']}


def _moment_to_bf16(t):
    return t.to(torch.bfloat16) if torch.is_tensor(t) and t.dtype == torch.float32 else t


def _to_float32(t):
    return t.float() if torch.is_tensor(t) and t.dtype in (torch.float16, torch.bfloat16) else t


def compact_checkpoint(ck: dict) -> dict:
    """The same checkpoint with float16 weights and bfloat16 optimiser moments, marked as compact."""
    if MARK in ck:
        return ck
    out = dict(ck)
    out['model'] = type(ck['model'])((k, _weights_to_half(v)) for k, v in ck['model'].items())
    for key, value in ck.items():
        if _is_optimizer_state(value):
            out[key] = _map_optimizer(value, _moment_to_bf16)
    out[MARK] = {'model': 'float16', 'optimizer': 'bfloat16'}
    return out


def expand_checkpoint(ck):
    """A compact checkpoint back in float32 (anything else is returned unchanged)."""
    if not (isinstance(ck, dict) and MARK in ck):
        return ck
    out = {k: v for k, v in ck.items() if k != MARK}
    out['model'] = type(ck['model'])((k, _to_float32(v)) for k, v in ck['model'].items())
    for key, value in ck.items():
        if _is_optimizer_state(value):
            out[key] = _map_optimizer(value, _to_float32)
    return out
