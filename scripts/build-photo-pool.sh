#!/usr/bin/env bash
# Builds the photo pool for procedural training scenes from Debian packages (no internet beyond apt):
#   apt-get download <packages> -> dpkg -x into a temp dir -> copy the photos LISTED in
#   scripts/photo-pool.txt to <out>/{train,valid}/<name>.jpg (auto-oriented, downscaled to at most
#   1600 px on the long side, sRGB JPEG q95 4:4:4) and each package's copyright file to
#   <out>/COPYRIGHTS/<package>.copyright. The train/valid split is the fixed column in the list.
# Rows with a 5th column t=SECONDS are frames of real video clips, extracted with ffmpeg; they are
# added only with --with-clip-frames (the default pool is the 68 photographs).
# Re-runnable: photos that already exist are kept (use --force to rebuild them).
# Usage: scripts/build-photo-pool.sh [--out data/photos] [--debs DIR (reuse downloaded .debs)] [--force] [--with-clip-frames]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/data/photos"
debs=''
force=0
clips=0
while (($#)); do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --debs) debs="$2"; shift 2 ;;
    --force) force=1; shift ;;
    --with-clip-frames) clips=1; shift ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "build-photo-pool: unknown argument $1" >&2; exit 2 ;;
  esac
done
list="$root/scripts/photo-pool.txt"
[ -f "$list" ] || { echo "build-photo-pool: missing $list" >&2; exit 1; }
command -v node >/dev/null || { echo "build-photo-pool: node is required (sharp resizes the photos)" >&2; exit 1; }

tmp="$(mktemp -d "${TMPDIR:-/tmp}/afb-photo-pool.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
# the rows to build: photos (4 columns), plus clip frames (5 columns) with --with-clip-frames
rows="$tmp/rows.txt"
grep -v '^\s*#' "$list" | awk -v clips="$clips" 'NF == 4 || (NF == 5 && clips == 1)' > "$rows"
if ((clips)); then command -v ffmpeg >/dev/null || { echo "build-photo-pool: --with-clip-frames needs ffmpeg" >&2; exit 1; }; fi
mapfile -t pkgs < <(awk '{print $2}' "$rows" | sort -u)
if [ -z "$debs" ]; then
  debs="$tmp/debs"
  mkdir -p "$debs"
  # apt-get download needs no root; it fetches the .deb of the candidate version into the cwd.
  (cd "$debs" && apt-get download "${pkgs[@]}")
fi
for p in "${pkgs[@]}"; do
  deb="$(ls "$debs"/"${p}"_*.deb 2>/dev/null | head -1 || true)"
  [ -n "$deb" ] || { echo "build-photo-pool: no .deb for $p in $debs" >&2; exit 1; }
  mkdir -p "$tmp/x/$p"
  dpkg -x "$deb" "$tmp/x/$p"
done

# clip frames: decode from the start (accurate, and robust to the damaged first GOPs some clips have)
while read -r split pkg path name when; do
  [ -n "${when:-}" ] || continue
  mkdir -p "$tmp/frames"
  ffmpeg -nostdin -v error -y -i "$tmp/x/$pkg/$path" -ss "${when#t=}" -frames:v 1 "$tmp/frames/$name.png"
done < "$rows"

mkdir -p "$out/train" "$out/valid" "$out/COPYRIGHTS"
for p in "${pkgs[@]}"; do
  cp "$tmp/x/$p/usr/share/doc/$p/copyright" "$out/COPYRIGHTS/$p.copyright"
done
cp "$list" "$out/photo-pool.txt"

# Copy + downscale with sharp (a project dependency); node resolves it from the repository root.
cd "$root"
AFB_POOL_LIST="$rows" AFB_POOL_FRAMES="$tmp/frames" AFB_POOL_SRC="$tmp/x" AFB_POOL_OUT="$out" AFB_POOL_FORCE="$force" node --input-type=module -e '
import sharp from "sharp";
import { readFileSync, existsSync, renameSync } from "node:fs";
const { AFB_POOL_LIST: list, AFB_POOL_SRC: src, AFB_POOL_OUT: out, AFB_POOL_FORCE: force, AFB_POOL_FRAMES: frames } = process.env;
const rows = readFileSync(list, "utf8").split("\n").filter((l) => l.trim() && !l.trim().startsWith("#")).map((l) => l.trim().split(/\s+/));
let made = 0, kept = 0;
for (const [split, pkg, path, name, when] of rows) {
  if (split !== "train" && split !== "valid") throw new Error(`bad split ${split} for ${name}`);
  const dst = `${out}/${split}/${name}.jpg`;
  if (existsSync(dst) && force !== "1") { kept++; continue; }
  const tmp = `${out}/${split}/.afb-tmp-${name}.jpg`;
  // rotate(): apply EXIF orientation (phone photos); 1600 px keeps detail for 960x540 scenes while
  // capping decode cost; q95 4:4:4 keeps chroma detail (no visible re-encoding loss).
  const input = when ? `${frames}/${name}.png` : `${src}/${pkg}/${path}`;
  await sharp(input).rotate().removeAlpha().toColourspace("srgb")
    .resize({ width: 1600, height: 1600, fit: "inside", withoutEnlargement: true })
    .jpeg({ quality: 95, chromaSubsampling: "4:4:4" }).toFile(tmp);
  renameSync(tmp, dst);
  made++;
}
console.log(`build-photo-pool: ${made} photos written, ${kept} already present, ${rows.length} listed`);
'
echo "build-photo-pool: train $(ls "$out/train" | wc -l), valid $(ls "$out/valid" | wc -l) photos in $out"
