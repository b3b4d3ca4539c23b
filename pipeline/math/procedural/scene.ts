// Turn a video plan plus decoded textures into renderable layers, and exact flow into guidance.
// Pure: no I/O.
import { quantizeFlow4 } from '../guidance.js';
import type { FlowField, GuidanceMap } from '../types.js';
import { rasterizeMask } from './mask.js';
import type { SceneLayer, Texture } from './render.js';
import type { VideoPlan } from './scene-plan.js';

/** Attach a mask (alpha, row-major) to an RGB texture, giving the RGBA texture of a sprite. */
export function withAlpha(rgb: Texture, alpha: Float32Array): Texture {
  const n = rgb.width * rgb.height;
  if (rgb.channels !== 3) throw new RangeError('Expected an RGB texture');
  if (alpha.length !== n) throw new RangeError(`Mask holds ${alpha.length} values, expected ${n}`);
  const data = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) {
    data[4 * i] = rgb.data[3 * i]!;
    data[4 * i + 1] = rgb.data[3 * i + 1]!;
    data[4 * i + 2] = rgb.data[3 * i + 2]!;
    data[4 * i + 3] = alpha[i]!;
  }
  return { width: rgb.width, height: rgb.height, channels: 4, data };
}

/** Layers of a planned video from its decoded linear RGB textures (background first, then sprites in plan order). */
export function buildLayers(plan: VideoPlan, background: Texture, sprites: readonly Texture[]): SceneLayer[] {
  if (sprites.length !== plan.sprites.length) throw new RangeError(`Expected ${plan.sprites.length} sprite textures but received ${sprites.length}`);
  const layers: SceneLayer[] = [{ texture: background, motion: plan.background.motion }];
  plan.sprites.forEach((sp, k) => {
    const tex = sprites[k]!;
    layers.push({ texture: withAlpha(tex, rasterizeMask(sp.mask, tex.width, tex.height)), motion: sp.motion });
  });
  return layers;
}

/** Mean of each 2x2 block of a flow field (odd edges average what exists): half-resolution flow. */
export function halveFlow(flow: FlowField): FlowField {
  const w = Math.ceil(flow.width / 2);
  const h = Math.ceil(flow.height / 2);
  const out = new Float32Array(w * h * 2);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let su = 0, sv = 0, k = 0;
      for (let dy = 0; dy < 2; dy++) {
        for (let dx = 0; dx < 2; dx++) {
          const yy = 2 * y + dy, xx = 2 * x + dx;
          if (yy >= flow.height || xx >= flow.width) continue;
          const p = yy * flow.width + xx;
          su += flow.data[2 * p]!;
          sv += flow.data[2 * p + 1]!;
          k++;
        }
      }
      out[2 * (y * w + x)] = su / k;
      out[2 * (y * w + x) + 1] = sv / k;
    }
  }
  return { width: w, height: h, data: out };
}

/** Guidance of an exposure: the aggregate flow quantised to 4 directions, at full or half resolution. */
export function guidanceFromFlow(flow: FlowField, res: 'full' | 'half', threshold: number): GuidanceMap {
  return quantizeFlow4(res === 'half' ? halveFlow(flow) : flow, threshold);
}
