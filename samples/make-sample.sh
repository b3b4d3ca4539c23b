#!/bin/sh
# Rebuilds samples/rocket-pan.mp4 with afb's own procedural generator (afb synth --procedural):
# a camera pan with motion blur rendered from public-domain NASA photographs (scikit-image's
# rocket.jpg and astronaut.png, "no known copyright restrictions"), averaged in linear light.
# Needs the photo pool (scripts/build-photo-pool.sh) and ffmpeg. Run from the repository root.
set -eu
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/photos"
cp data/photos/train/ski-rocket.jpg data/photos/train/ski-astronaut.jpg "$work/photos/"
# 48 contiguous exposures of one scene at 480x272 (multiples of 4), seed fixed for reproducibility.
node bin/afb.js synth --procedural --photos "$work/photos" --count 48 --frames-per-video 48 --size 480x272 \
  --seed 7 --max-sprites 2 --camera-shift 10 --sprite-shift 14 --camera-rotation 0.5 -o "$work/synth"
# 24 fps, 2 s; crf 20 keeps the blur texture; +faststart so players start at once.
ffmpeg -loglevel error -y -framerate 24 -i "$work/synth/proc-train-00000/blur/%08d.png" \
  -c:v libx264 -preset slow -crf 20 -pix_fmt yuv420p -movflags +faststart samples/rocket-pan.mp4
echo "wrote samples/rocket-pan.mp4"
