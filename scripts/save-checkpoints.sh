#!/usr/bin/env bash
# Copies the training runs' latest checkpoints and logs into models/checkpoints/ so that they can be
# committed and the next sitting (scripts/train-cpu.sh) resumes instead of restarting.
set -euo pipefail
cd "$(dirname "$0")/.."
for run in cpu-res cpu-eps3 pred-cpu pred-ce pred-v2 pred-v5; do
  [ -f "runs/$run/ckpt.pt" ] || continue
  mkdir -p "models/checkpoints/$run"
  for f in ckpt.pt log.jsonl; do  # best.pt stays in runs/ (the latest checkpoint is what resumes)
    [ -f "runs/$run/$f" ] && cp "runs/$run/$f" "models/checkpoints/$run/$f"
  done
  echo "saved runs/$run -> models/checkpoints/$run ($(du -sh "models/checkpoints/$run" | cut -f1))"
done
