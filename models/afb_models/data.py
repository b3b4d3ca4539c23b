"""Dataset in the reference layout, preloaded into RAM as uint8, with consistent augmentations.

Layout (per root):  <root>/<video>/blur/{i:08d}.png
                    <root>/<video>/sharp/{i:08d}_{j:03d}.png    j = 0..6 in time order
                    <root>/<video>/trend+/{i:08d}_trend.npy     int8 (H,W,2) or half-res, channels (x, y)
Roots named `b-aist++` use `trend+_avg`. The video list is `<root>/videos.yaml` (a YAML list of
folder names) when present, else every sub-folder with a `blur/` folder.

A sample is `frames` uint8 (8,3,H,W) -- index 0 the blurry frame, 1..7 the sharp frames -- and
`guidance` int8 (2,H,W). Guidance is in image axes (+x right, +y down), the direction content moves
from sharp frame 0 to frame 6; augmentations transform it like a flow field.
"""
from __future__ import annotations

import os
import random

import numpy as np
import torch
from PIL import Image

NUM_FRAMES = 7


def _read_png(path: str) -> np.ndarray:
    with Image.open(path) as im:
        return np.asarray(im.convert('RGB'))


def list_videos(root: str) -> list[str]:
    """Video folder names of a root: from `<root>/videos.yaml` if present, else all sub-folders with blur/."""
    yml = os.path.join(root, 'videos.yaml')
    if os.path.isfile(yml):
        import yaml
        with open(yml, encoding='utf-8') as f:
            names = yaml.safe_load(f)
        if not isinstance(names, list):
            raise ValueError(f'{yml} must hold a YAML list of folder names, got {type(names).__name__}')
        return [str(n) for n in names]
    if not os.path.isdir(root):
        raise FileNotFoundError(f'Dataset root {root!r} does not exist')
    return sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d, 'blur')))


def guidance_folder(root: str) -> str:
    """`trend+_avg` for B-Aist++ roots, `trend+` otherwise (reference convention)."""
    return 'trend+_avg' if os.path.basename(os.path.normpath(root)).lower() == 'b-aist++' else 'trend+'


def load_guidance(path: str, h: int, w: int) -> np.ndarray:
    """Read an int8 (h',w',2) guidance .npy and return (2,h,w) int8, nearest-upsampled if reduced resolution."""
    g = np.load(path)
    if g.ndim != 3 or g.shape[2] != 2:
        raise ValueError(f'{path}: expected guidance of shape (H, W, 2), got {g.shape}')
    gh, gw = g.shape[:2]
    if (gh, gw) != (h, w):
        # nearest neighbour: source index floor(dst * src / dst_size)
        yi = (np.arange(h) * gh) // h
        xi = (np.arange(w) * gw) // w
        g = g[yi][:, xi]
    return np.ascontiguousarray(np.clip(np.rint(g), -1, 1).astype(np.int8).transpose(2, 0, 1))


def sample_paths(roots: list[str]) -> list[tuple[str, str, str, str]]:
    """All (root, video, index, guidance folder) entries of the given roots, in a stable order."""
    out = []
    for root in roots:
        gf = guidance_folder(root)
        for v in list_videos(root):
            bdir = os.path.join(root, v, 'blur')
            if not os.path.isdir(bdir):
                raise FileNotFoundError(f'Video folder {os.path.join(root, v)!r} has no blur/ folder')
            for name in sorted(os.listdir(bdir)):
                if name.endswith('.png'):
                    out.append((root, v, name[:-4], gf))
    return out


def load_sample(root: str, video: str, idx: str, gf: str, blurry_only: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """Load one sample -> (frames uint8 (8,3,H,W), or (1,3,H,W) if blurry_only; guidance int8 (2,H,W))."""
    vdir = os.path.join(root, video)
    imgs = [_read_png(os.path.join(vdir, 'blur', idx + '.png'))]
    if not blurry_only:
        imgs += [_read_png(os.path.join(vdir, 'sharp', f'{idx}_{j:03d}.png')) for j in range(NUM_FRAMES)]
    h, w = imgs[0].shape[:2]
    for im, j in zip(imgs, range(-1, NUM_FRAMES)):
        if im.shape[:2] != (h, w):
            raise ValueError(f'{vdir}: sharp frame {idx}_{j:03d} is {im.shape[:2]}, blurry is {(h, w)}')
    frames = torch.from_numpy(np.stack(imgs).transpose(0, 3, 1, 2).copy())
    gpath = os.path.join(vdir, gf, idx + '_trend.npy')
    if not os.path.isfile(gpath):
        alt = os.path.join(vdir, 'trend+_avg' if gf == 'trend+' else 'trend+', idx + '_trend.npy')
        gpath = alt if os.path.isfile(alt) else gpath
    guid = torch.from_numpy(load_guidance(gpath, h, w))
    return frames, guid


class Sample:
    """A preloaded sample: uint8 frames (8,3,H,W) and int8 guidance (2,H,W), held either decoded
    ('raw') or as the PNG file bytes plus guidance ('png': ~3-5x less RAM, decoded on each access)."""

    def __init__(self, frames: torch.Tensor | None, guidance: torch.Tensor, pngs: list[bytes] | None = None) -> None:
        self._frames, self.guidance, self._pngs = frames, guidance, pngs

    @property
    def frames(self) -> torch.Tensor:
        if self._frames is not None:
            return self._frames
        import io
        imgs = [np.asarray(Image.open(io.BytesIO(b)).convert('RGB')) for b in self._pngs]
        return torch.from_numpy(np.stack(imgs).transpose(0, 3, 1, 2).copy())

    @property
    def shape(self) -> tuple[int, int]:
        """(H, W)."""
        return tuple(self.guidance.shape[-2:])

    def nbytes(self) -> int:
        f = self._frames.numel() if self._frames is not None else sum(len(b) for b in self._pngs)
        return f + self.guidance.numel()


def _png_sample(root: str, video: str, idx: str, gf: str) -> Sample:
    f, g = load_sample(root, video, idx, gf)  # decodes once to validate sizes and read the guidance
    vdir = os.path.join(root, video)
    paths = [os.path.join(vdir, 'blur', idx + '.png')]
    paths += [os.path.join(vdir, 'sharp', f'{idx}_{j:03d}.png') for j in range(NUM_FRAMES)]
    pngs = []
    for pth in paths:
        with open(pth, 'rb') as fh:
            pngs.append(fh.read())
    return Sample(None, g, pngs)


def preload(roots: list[str], max_samples: int | None = None, log=print, cache: str = 'auto',
            ram_gb: float = 8.0) -> list[Sample]:
    """Load every sample of the roots into RAM (evenly thinned to max_samples if given).
    cache: 'raw' (decoded uint8, fastest), 'png' (file bytes, decoded per access) or 'auto'
    (raw when the decoded set fits in ram_gb, estimated from the first sample)."""
    paths = sample_paths(roots)
    if not paths:
        raise FileNotFoundError(f'No samples found under {roots}')
    if max_samples is not None and len(paths) > max_samples:
        step = len(paths) / max_samples
        paths = [paths[int(i * step)] for i in range(max_samples)]
    if cache == 'auto':
        f0, g0 = load_sample(*paths[0])
        est = (f0.numel() + g0.numel()) * len(paths)
        cache = 'raw' if est <= ram_gb * 2**30 else 'png'
        if log:
            log(f'decoded set would take ~{est / 2**30:.1f} GiB -> cache {cache} (limit --ram-gb {ram_gb})')
    if cache not in ('raw', 'png'):
        raise ValueError(f"cache must be 'raw', 'png' or 'auto', got {cache!r}")
    out, nbytes = [], 0
    for k, p in enumerate(paths):
        s = Sample(*load_sample(*p)) if cache == 'raw' else _png_sample(*p)
        out.append(s)
        nbytes += s.nbytes()
        if log and (k + 1) % 500 == 0:
            log(f'  loaded {k + 1}/{len(paths)} samples ({nbytes / 2**20:.0f} MiB)')
    if log:
        log(f'loaded {len(out)} samples from {roots} ({nbytes / 2**20:.0f} MiB, cache {cache})')
    return out


# ---- augmentations, on (8,3,h,w) frames (index 0 blurry) and (2,h,w) guidance --------------------

def hflip(frames: torch.Tensor, g: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Left-right flip: mirror the images, negate the x component."""
    g = g.flip(-1)
    return frames.flip(-1), torch.stack([-g[0], g[1]])


def vflip(frames: torch.Tensor, g: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Up-down flip: mirror the images, negate the y component."""
    g = g.flip(-2)
    return frames.flip(-2), torch.stack([g[0], -g[1]])


def rot90(frames: torch.Tensor, g: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Rotate by torch.rot90(k=1, dims=(H, W)); B[i,j] = A[j, W-1-i], so a motion (dx, dy) becomes (dy, -dx)."""
    g = torch.rot90(g, 1, dims=(-2, -1))
    return torch.rot90(frames, 1, dims=(-2, -1)), torch.stack([g[1], -g[0]])


def reverse(frames: torch.Tensor, g: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Play the exposure backwards: reverse the 7 sharp frames, negate the guidance, keep the blurry frame."""
    return torch.cat([frames[:1], frames[1:].flip(0)]), -g


def augment(frames: torch.Tensor, g: torch.Tensor, rng: random.Random) -> tuple[torch.Tensor, torch.Tensor]:
    """Random flips, rot90 (square crops only) and Reverse, each with p = 0.5 (one draw each, in this
    order; rot90 draws only for square crops)."""
    for transform in (hflip, vflip, rot90, reverse):
        if transform is rot90 and frames.shape[-1] != frames.shape[-2]:
            continue
        if rng.random() < 0.5:
            frames, g = transform(frames, g)
    return frames, g


def crop_window(shape: tuple[int, int], c: int, rng: random.Random | None = None) -> tuple[int, int]:
    """Top-left corner (y, x) of a c x c window in an (h, w) frame: random with `rng` (y drawn first),
    else centred."""
    h, w = shape
    if rng is None:
        return (h - c) // 2, (w - c) // 2
    return rng.randint(0, h - c), rng.randint(0, w - c)


def check_crop(samples: list, crop: int) -> None:
    """ValueError when a sample (anything with a (h, w) `shape`) is smaller than the crop."""
    small = [s for s in samples if min(s.shape) < crop]
    if small:
        raise ValueError(f'{len(small)} samples are smaller than the crop {crop} (e.g. {small[0].shape})')


class CropSampler:
    """Draws random training batches of crops (by slicing the preloaded tensors) with augmentation."""

    def __init__(self, samples: list[Sample], crop: int, seed: int = 0, aug: bool = True) -> None:
        check_crop(samples, crop)
        self.samples, self.crop, self.aug, self.rng = samples, crop, aug, random.Random(seed)

    def batch(self, n: int) -> tuple[torch.Tensor, torch.Tensor]:
        """-> frames uint8 (n,8,3,c,c), guidance int8 (n,2,c,c)."""
        fs, gs = [], []
        c = self.crop
        for _ in range(n):
            s = self.samples[self.rng.randrange(len(self.samples))]
            y, x = crop_window(s.shape, c, self.rng)
            f, g = s.frames[..., y:y + c, x:x + c], s.guidance[..., y:y + c, x:x + c]
            if self.aug:
                f, g = augment(f, g, self.rng)
            fs.append(f)
            gs.append(g)
        return torch.stack(fs), torch.stack(gs)


def center_crops(samples: list[Sample], size: int, count: int) -> tuple[torch.Tensor, torch.Tensor]:
    """A fixed validation set: `count` evenly spaced samples, centre-cropped to size x size (clipped to the frame, multiple of 4)."""
    step = max(1, len(samples) / max(1, count))
    picked = [samples[int(i * step)] for i in range(min(count, len(samples)))]
    hmin = min(min(s.shape) for s in picked)
    c = min(size, hmin) // 4 * 4
    fs, gs = [], []
    for s in picked:
        y, x = crop_window(s.shape, c)
        fs.append(s.frames[..., y:y + c, x:x + c])
        gs.append(s.guidance[..., y:y + c, x:x + c])
    return torch.stack(fs), torch.stack(gs)


def to_inputs(frames: torch.Tensor, g: torch.Tensor, device: torch.device) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """uint8 batch -> (blurry (n,3,h,w), sharp (n,7,3,h,w), guidance (n,2,h,w)) float32 on device, images in [0,1]."""
    f = frames.to(device, non_blocking=True).float().div_(255.0)
    return f[:, 0], f[:, 1:], g.to(device, non_blocking=True).float()
