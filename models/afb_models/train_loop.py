"""The training-loop driver shared by afb's trainers: time budget and step plan, cosine learning
rate, stop conditions (steps, budget, --stop-after, SIGTERM/SIGINT), log lines, validation and
checkpoint cadence. A trainer supplies one optimisation step, a validation and a save function.

State (saved in every checkpoint under 'state'): step, train_seconds, planned_steps, best (the best
validation score so far), hours. `add_loop_args` adds the flags the driver reads.
"""
from __future__ import annotations

import argparse
import os
import time
from typing import Callable

import torch

from . import common


def add_loop_args(p: argparse.ArgumentParser, *, lr: float, val_every: float = 900, ckpt_every: float = 300,
                  calib_steps: int = 30, cosine: bool = True) -> None:
    """The flags of the driver (schedule, budget, cadence); `cosine=False` for a trainer that passes
    its own schedule to run_loop (then --final-lr-ratio and --warmup do not exist)."""
    p.add_argument('--lr', type=float, default=lr)
    if cosine:
        p.add_argument('--final-lr-ratio', type=float, default=0.01, help='cosine ends at lr * this')
        p.add_argument('--warmup', type=int, default=100, help='linear warm-up steps')
    p.add_argument('--steps', type=int, default=None, help='planned optimiser steps (cosine length)')
    p.add_argument('--hours', type=float, default=None,
                   help='training-time budget (summed over resumes); without --steps the cosine length is '
                        'calibrated from the measured speed after --calib-steps steps')
    p.add_argument('--calib-steps', type=int, default=calib_steps)
    p.add_argument('--stop-after', type=int, default=None,
                   help='end this sitting after N more steps (schedule unchanged; for tests and time slicing)')
    p.add_argument('--val-every', type=float, default=val_every, help='seconds between validations')
    p.add_argument('--ckpt-every', type=float, default=ckpt_every, help='seconds between checkpoints')
    p.add_argument('--log-every', type=int, default=10, help='steps between log lines')


def check_loop_args(p: argparse.ArgumentParser, a: argparse.Namespace, min_steps: int = 1) -> None:
    """A plan is needed; `min_steps=0` lets --steps 0 only save the (e.g. --init) weights."""
    if a.steps is None and a.hours is None:
        p.error('give --steps and/or --hours')
    if (a.steps is not None and a.steps < min_steps) or (a.hours is not None and a.hours <= 0):
        p.error(f'--steps must be >= {min_steps} and --hours positive')


def open_run(a: argparse.Namespace) -> tuple[torch.device, str, str, common.JsonlLog]:
    """Set torch's threads (--threads), resolve --device, create the run folder --out; returns the
    device, the paths of ckpt.pt and best.pt, and the run's log.jsonl (appended to)."""
    torch.set_num_threads(a.threads)
    device = common.resolve_device(a.device)
    os.makedirs(a.out, exist_ok=True)
    return device, os.path.join(a.out, 'ckpt.pt'), os.path.join(a.out, 'best.pt'), common.JsonlLog(os.path.join(a.out, 'log.jsonl'))


def load_resume(ckpt_path: str) -> dict:
    """The checkpoint --resume continues from (full or compact); SystemExit when it does not exist."""
    if not os.path.isfile(ckpt_path):
        raise SystemExit(f'--resume given but {ckpt_path} does not exist')
    return common.load_checkpoint(ckpt_path, 'cpu')


def new_state(a: argparse.Namespace) -> dict:
    return {'step': 0, 'train_seconds': 0.0, 'planned_steps': a.steps, 'best': None, 'hours': a.hours}


def resume_state(saved: dict, a: argparse.Namespace) -> dict:
    """The saved state, re-planned when --steps or --hours changed."""
    state = dict(saved)
    if a.steps is not None:
        state['planned_steps'] = a.steps
    elif a.hours != state.get('hours') or state.get('planned_steps') is None:
        # budget changed: re-plan from the mean speed so far (steps left = time left / s per step)
        per_step = state['train_seconds'] / max(1, state['step'])
        left = max(0.0, a.hours * 3600 - state['train_seconds'])
        state['planned_steps'] = state['step'] + int(left / per_step) if state['step'] >= 10 else None
    state['hours'] = a.hours
    return state


def run_loop(a: argparse.Namespace, state: dict, *, step: Callable[[float], dict], validate: Callable[[], float | None],
             save: Callable[[], None], save_best: Callable[[], None], log: common.JsonlLog, samples_per_step: int,
             schedule: Callable[[int, int | None], float] | None = None) -> str:
    """Train until a stop condition; returns the reason. `step(lr)` runs one optimisation step and
    returns scalar metrics for the log (it must include 'loss'); `validate()` returns a score where
    higher is better (or None); the best score so far is kept in state['best'] and saved by save_best.
    `schedule(step, planned)` gives the learning rate (default: the cosine of add_loop_args' flags)."""
    stop = common.StopFlag()

    def run_val() -> None:
        score = validate()
        if score is not None and (state.get('best') is None or score > state['best']):
            state['best'] = score
            save_best()

    if state['step'] == 0:
        run_val()
    last_ckpt = last_val = last_log = time.time()
    seen_log, calib_t0, calib_s0 = 0, None, state['step']
    budget = a.hours * 3600 if a.hours else float('inf')
    start_step = state['step']
    reason = ''
    while True:
        planned = state['planned_steps']
        if a.stop_after is not None and state['step'] - start_step >= a.stop_after:
            reason = f'--stop-after {a.stop_after}'
            break
        if planned is not None and state['step'] >= planned:
            reason = f'reached {planned} steps'
            break
        if state['train_seconds'] >= budget:
            reason = f'reached the {a.hours} h budget'
            break
        if stop.stop:
            reason = stop.signame
            break
        t0 = time.time()
        if schedule is not None:
            lr = schedule(state['step'], planned)
        else:
            warmup = a.warmup if planned is None else min(a.warmup, planned // 10)
            lr = common.cosine_lr(state['step'], planned or 10**9, a.lr, a.final_lr_ratio, warmup)
        metrics = step(lr)
        if not all(v == v and abs(v) != float('inf') for v in metrics.values()):
            raise SystemExit(f"non-finite metrics {metrics} at step {state['step']}")
        state['step'] += 1
        state['train_seconds'] += time.time() - t0
        seen_log += samples_per_step
        if planned is None and calib_t0 is None and state['step'] - calib_s0 >= 5:
            calib_t0, calib_s0 = state['train_seconds'], state['step']  # skip warm-up iterations
        if planned is None and calib_t0 is not None and state['step'] - calib_s0 >= a.calib_steps:
            per_step = (state['train_seconds'] - calib_t0) / (state['step'] - calib_s0)
            state['planned_steps'] = state['step'] + int((budget - state['train_seconds']) / per_step)
            print(f"calibrated: {per_step:.3f} s/step -> cosine over {state['planned_steps']} steps", flush=True)
            log.write(type='plan', step=state['step'], seconds_per_step=per_step, planned_steps=state['planned_steps'])
        now = time.time()
        if state['step'] % a.log_every == 0:
            sps = seen_log / max(1e-9, now - last_log)
            log.write(type='train', step=state['step'], lr=lr, samples_per_s=round(sps, 3), **metrics)
            shown = ' '.join(f'{k} {v:.5f}' for k, v in metrics.items())
            print(f"step {state['step']}/{state['planned_steps'] or '?'} {shown} lr {lr:.2e} "
                  f"{sps:.2f} samples/s ({state['train_seconds'] / 3600:.2f} h)", flush=True)
            seen_log, last_log = 0, now
        if now - last_val >= a.val_every:
            run_val()
            last_val = last_log = time.time()  # keep validation time out of samples/s
            seen_log = 0
        if now - last_ckpt >= a.ckpt_every:
            save()
            last_ckpt = time.time()
    save()
    if not stop.stop:  # after a signal, exit promptly: a supervisor may follow up with SIGKILL
        run_val()
        save()
    log.write(type='stop', step=state['step'], reason=reason)
    print(f"stopped at step {state['step']} ({reason})", flush=True)
    return reason


def run_to_end(a: argparse.Namespace, state: dict, *, log: common.JsonlLog, ckpt_path: str, **loop) -> str:
    """run_loop (its keyword arguments in `loop`), then close the log, also after an error, and say
    where the checkpoint is."""
    try:
        reason = run_loop(a, state, log=log, **loop)
    finally:
        log.close()
    print(f'checkpoint {ckpt_path} ({reason})', flush=True)
    return reason
