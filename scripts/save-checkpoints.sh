#!/usr/bin/env bash
# Copies the live training runs' latest checkpoints (in the compact form: float16 weights, bfloat16
# optimiser moments; models/afb_models/compact.py) and their logs into models/checkpoints/ so that
# they can be committed and the next sitting (scripts/train-cpu.sh) resumes instead of restarting.
# The live runs are the ones scripts/train-cpu.sh resumes: motion-light (motion-aware decomposer),
# cpu-eps3 (guidance decomposer), pred-v5 (predictor).
set -euo pipefail
cd "$(dirname "$0")/.."
for run in motion-light cpu-eps3 pred-v5; do
  [ -f "runs/$run/ckpt.pt" ] || continue
  mkdir -p "models/checkpoints/$run"
  /usr/bin/python3 models/tools/compact_checkpoint.py "runs/$run/ckpt.pt" "models/checkpoints/$run/ckpt.pt"
  cp "runs/$run/log.jsonl" "models/checkpoints/$run/log.jsonl"  # best.pt stays in runs/ (the latest checkpoint resumes)
  echo "saved runs/$run -> models/checkpoints/$run ($(du -sh "models/checkpoints/$run" | cut -f1))"
done
