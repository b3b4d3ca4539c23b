// Reading a motion file (`afb decompose --motion`, `afb edit --motion`): Middlebury .flo or .npy
// float (H, W, 2), pixels per frame interval, (x, y), forward in time. A file of another size than
// the image is resized with its vectors scaled (e.g. a quarter-resolution flow).
import { InputError } from '../errors.js';
import { resizeFlowPlanes } from '../math/flow/image-ops.js';
import type { MotionField } from '../math/motion/motion-field.js';
import { readFlowFile } from './flo.js';

/** Read and check a motion file for a width x height image; InputError naming the file when it is unusable. */
export async function readMotionFile(path: string, width: number, height: number): Promise<MotionField> {
  if (!/\.(flo|npy)$/i.test(path)) throw new InputError(path, 'Motion files must be .flo or .npy (H, W, 2)');
  const flow = await readFlowFile(path);
  for (let i = 0; i < flow.data.length; i++) {
    if (!Number.isFinite(flow.data[i])) throw new InputError(path, `Motion file holds a non-finite value (${flow.data[i]}) at pixel ${Math.floor(i / 2)}`);
  }
  if (flow.width === width && flow.height === height) return flow;
  const aspect = (flow.width / flow.height) / (width / height);
  if (Math.abs(aspect - 1) > 0.02) {
    throw new InputError(path, `Motion file is ${flow.width}x${flow.height}, which does not have the image's ${width}x${height} aspect ratio`);
  }
  const u = new Float32Array(flow.width * flow.height);
  const v = new Float32Array(u.length);
  for (let p = 0; p < u.length; p++) { u[p] = flow.data[2 * p]!; v[p] = flow.data[2 * p + 1]!; }
  return { width, height, data: resizeFlowPlanes(u, v, flow.width, flow.height, width, height, true).uv };
}
