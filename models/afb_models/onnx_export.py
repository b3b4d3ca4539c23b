"""ONNX export helpers shared by the exporters: atomic export, sidecar JSON, graph check."""
from __future__ import annotations

import json
import os

import onnx
import torch

OPSET = 17


def _legacy_exporter_kwargs() -> dict:
    """PyTorch >= 2.9 defaults to the dynamo exporter; ask for the TorchScript one (dynamic_axes, same graphs)."""
    import inspect
    return {'dynamo': False} if 'dynamo' in inspect.signature(torch.onnx.export).parameters else {}


def export_onnx(module: torch.nn.Module, args: tuple, path: str, input_names: list[str], output_names: list[str],
                dynamic_axes: dict | None) -> None:
    """torch.onnx.export (opset 17, eval mode, constant folding) to a temporary file, check it, rename over `path`."""
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    tmp = f'{path}.tmp-{os.getpid()}'
    module.eval()
    try:
        with torch.no_grad():
            torch.onnx.export(module, args, tmp, opset_version=OPSET, input_names=input_names,
                              output_names=output_names, dynamic_axes=dynamic_axes, do_constant_folding=True,
                              **_legacy_exporter_kwargs())
        onnx.checker.check_model(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def write_json_atomic(obj: dict, path: str) -> None:
    """Write pretty JSON to a temporary name, then rename."""
    tmp = f'{path}.tmp-{os.getpid()}'
    with open(tmp, 'w', encoding='utf-8') as f:
        json.dump(obj, f, indent=2)
        f.write('\n')
    os.replace(tmp, path)


def sidecar_path(model_path: str) -> str:
    """`x.onnx` -> `x.json`."""
    base = model_path[:-5] if model_path.endswith('.onnx') else model_path
    return base + '.json'


def op_histogram(path: str) -> dict[str, int]:
    """Count of each op type in an ONNX graph (to report e.g. the BatchNormalization nodes left)."""
    m = onnx.load(path)
    out: dict[str, int] = {}
    for n in m.graph.node:
        out[n.op_type] = out.get(n.op_type, 0) + 1
    return out
