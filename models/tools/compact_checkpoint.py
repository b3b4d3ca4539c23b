#!/usr/bin/env python3
"""Write a training checkpoint in the compact form kept in models/checkpoints/ (float16 weights,
bfloat16 optimiser moments; afb_models/compact.py) and print both sizes. Used by
scripts/save-checkpoints.sh; the training scripts load either form.

  /usr/bin/python3 models/tools/compact_checkpoint.py runs/cpu-eps3/ckpt.pt models/checkpoints/cpu-eps3/ckpt.pt
"""
from __future__ import annotations

import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from afb_models import common  # noqa: E402
from afb_models.compact import compact_checkpoint  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('src', help='checkpoint written by a training script (full or compact)')
    p.add_argument('dst', help='compact checkpoint to write (atomically; may equal src)')
    a = p.parse_args()
    before = os.path.getsize(a.src)
    try:
        ck = torch.load(a.src, map_location='cpu', weights_only=False)
    except TypeError:  # torch < 1.13 has no weights_only
        ck = torch.load(a.src, map_location='cpu')
    os.makedirs(os.path.dirname(os.path.abspath(a.dst)), exist_ok=True)
    common.save_atomic(compact_checkpoint(ck), a.dst)
    print(f'{a.src} ({before / 1e6:.2f} MB) -> {a.dst} ({os.path.getsize(a.dst) / 1e6:.2f} MB)')


if __name__ == '__main__':
    main()
