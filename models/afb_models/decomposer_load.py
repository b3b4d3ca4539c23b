"""The decomposer to export or evaluate, from a training checkpoint (or randomly initialised), with
its training metadata. Used by export_decomposer.py, tools/eval_decomposer.py and
tools/parity_inputs.py."""
from __future__ import annotations

import torch

from . import common
from .decomposer import TwoStage
from .fold import perturb


def build_net(ckpt: str | None, preset: str, head: str, random_init: bool, perturb_seed: int | None) -> tuple[TwoStage, dict]:
    """The network to export (eval mode) and its training metadata."""
    if ckpt:
        ck = common.load_checkpoint(ckpt, 'cpu')
        net = TwoStage(ck['preset'], ck['head'])
        net.load_state_dict(ck['model'])
        st = ck.get('state', {})
        meta = {'source': common.display_path(ckpt), 'step': st.get('step'), 'train_hours': round(st.get('train_seconds', 0) / 3600, 3),
                'best_val_psnr': st.get('best', st.get('best_psnr')), 'train_args': ck.get('args')}
    elif random_init:
        torch.manual_seed(0 if perturb_seed is None else perturb_seed)
        net = TwoStage(preset, head)
        if perturb_seed is not None:
            perturb(net, perturb_seed)
        meta = {'source': 'random', 'step': 0, 'perturb_seed': perturb_seed}
    else:
        raise SystemExit('give --ckpt PATH or --random')
    return net.eval(), meta
