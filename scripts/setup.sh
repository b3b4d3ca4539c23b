#!/usr/bin/env bash
# Installs everything afb's development and test suite needs on a fresh Debian/Ubuntu machine:
# ffmpeg (Debian build, faster than the bundled static one), PyTorch + ONNX for /usr/bin/python3
# (training/export code and the Python-side tests), chromium (the editor's browser tests drive it
# with playwright-core; no browser is ever downloaded), labelme (the tests check that labelme
# reads the editor's exports), redis-server and openssl (the job-queue tests start their own Redis
# on a loopback port, with TLS from a test CA; the package's own service is not needed), then the
# npm dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v openssl >/dev/null 2>&1 || need+=(openssl) # the queue's TLS test makes its own CA
/usr/bin/python3 -c 'import torch, torchvision, onnx, yaml, numpy' >/dev/null 2>&1 \
  || need+=(python3-torch python3-torchvision python3-onnx python3-yaml python3-numpy)
[ -x /usr/bin/chromium ] || need+=(chromium)
/usr/bin/python3 -c 'import labelme.label_file' >/dev/null 2>&1 || need+=(labelme)
if ((${#need[@]})); then
  SUDO=''
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  echo "setup: installing Debian packages: ${need[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${need[@]}"
fi
npm ci
