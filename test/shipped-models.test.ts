// Every shipped network (models/*.onnx) against the contract the runtime relies on and against its
// sidecar JSON: input/output names, shapes, dtypes, the dynamic H/W, opset and op counts, and one
// real run whose output has the shape and range the sidecar states.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { DECOMPOSER_INPUTS, DECOMPOSER_OUTPUT, FRAMES_PER_BLUR, MODEL_MULTIPLE } from '../pipeline/runtime/decomposer.js';
import { LATENT_SIZE, PREDICTOR_CLASSES, PREDICTOR_INPUTS, PREDICTOR_OUTPUT, PREDICTOR_SIZE } from '../pipeline/runtime/predictor.js';
import { CLASS_TO_GUIDANCE } from '../pipeline/math/predictor-maths.js';
import { DEFAULT_MODEL_FILES, DEFAULT_MOTION_MODEL_FILES, DEFAULT_PREDICTOR_FILES } from '../configs/model-options.js';
import { MOTION_DECOMPOSER_INPUTS } from '../pipeline/runtime/motion-decomposer.js';
import { REPO_ROOT } from './helpers/media.js';

type Dim = number | string;
interface TensorSpec {
  readonly name: string; readonly shape: Dim[]; readonly dtype: string; readonly range?: [number, number];
  readonly classes?: Record<string, [number, number]>;
}
interface Sidecar {
  readonly kind: string; readonly opset: number; readonly ops: Record<string, number>;
  readonly inputs: TensorSpec[]; readonly outputs: TensorSpec[];
  readonly num_frames?: number; readonly multiple?: number; readonly size?: number; readonly nz?: number;
}

const MODELS = join(REPO_ROOT, 'models');
const shipped = readdirSync(MODELS).filter((f) => f.endsWith('.onnx')).sort();
const sidecarOf = (file: string): Sidecar => JSON.parse(readFileSync(join(MODELS, file.replace(/\.onnx$/, '.json')), 'utf8')) as Sidecar;

/** The contract the runtime wrappers check and feed, per sidecar kind (symbolic dims: H, W). */
const CONTRACTS: Record<string, { inputs: readonly string[]; output: string; outputShape: Dim[]; probe: { H: number; W: number } }> = {
  'afb-decomposer': { inputs: DECOMPOSER_INPUTS, output: DECOMPOSER_OUTPUT, outputShape: [1, FRAMES_PER_BLUR, 3, 'H', 'W'], probe: { H: 12, W: 20 } },
  'afb-motion-decomposer': { inputs: MOTION_DECOMPOSER_INPUTS, output: DECOMPOSER_OUTPUT, outputShape: [1, FRAMES_PER_BLUR, 3, 'H', 'W'], probe: { H: 12, W: 20 } },
  'afb-predictor': { inputs: PREDICTOR_INPUTS, output: PREDICTOR_OUTPUT, outputShape: [1, PREDICTOR_CLASSES, PREDICTOR_SIZE, PREDICTOR_SIZE], probe: { H: PREDICTOR_SIZE, W: PREDICTOR_SIZE } },
};

/** A sidecar shape with H and W filled in. */
const concrete = (shape: Dim[], probe: { H: number; W: number }): number[] => shape.map((d) => (d === 'H' ? probe.H : d === 'W' ? probe.W : (d as number)));

/** Deterministic input values: guidance in {-1,0,1}, motion in pixels (-20..20), everything else in [0,1). */
function inputTensor(spec: TensorSpec, dims: number[]): ort.Tensor {
  const n = dims.reduce((a, b) => a * b, 1);
  const value = (i: number) => (spec.name === 'guidance' ? (i % 3) - 1 : spec.name === 'motion' ? ((i * 7919) % 41) - 20 : ((i * 7919) % 1000) / 1000);
  const data = Float32Array.from({ length: n }, (_, i) => value(i));
  return new ort.Tensor('float32', data, dims);
}

describe('shipped models', () => {
  it('are the three the CLI resolves by default, each with a model card and a sidecar', () => {
    expect(shipped).toEqual([DEFAULT_MODEL_FILES[0], DEFAULT_MOTION_MODEL_FILES[0], DEFAULT_PREDICTOR_FILES[0]].sort());
    for (const file of shipped) {
      expect(existsSync(join(MODELS, file.replace(/\.onnx$/, '.md'))), `${file} card`).toBe(true);
      expect(Object.keys(CONTRACTS)).toContain(sidecarOf(file).kind);
    }
  });

  for (const file of shipped) {
    it(`${file}: names, shapes and dtypes match the runtime contract and the sidecar; one run has the stated output`, async () => {
      const side = sidecarOf(file);
      const contract = CONTRACTS[side.kind]!;
      const session = await ort.InferenceSession.create(join(MODELS, file));
      try {
        expect(session.inputNames).toEqual([...contract.inputs]);
        expect(side.inputs.map((i) => i.name)).toEqual([...contract.inputs]);
        expect(session.outputNames).toEqual([contract.output]);
        expect(side.outputs.map((o) => o.name)).toEqual([contract.output]);
        // Inputs: dtype float32; a numeric dim of the file equals the sidecar's; H and W are dynamic in the file.
        for (const spec of side.inputs) {
          const meta = session.inputMetadata.find((m) => m.name === spec.name)!;
          if (!meta.isTensor) throw new Error(`${spec.name} is not a tensor`);
          expect(meta.type).toBe('float32');
          expect(spec.dtype).toBe('float32');
          expect(meta.shape).toHaveLength(spec.shape.length);
          spec.shape.forEach((d, k) => (typeof d === 'number' ? expect(meta.shape[k]).toBe(d) : expect(typeof meta.shape[k]).toBe('string')));
        }
        expect(side.outputs[0]!.shape).toEqual(contract.outputShape);
        expect(side.outputs[0]!.dtype).toBe('float32');

        const feeds: Record<string, ort.Tensor> = {};
        for (const spec of side.inputs) feeds[spec.name] = inputTensor(spec, concrete(spec.shape, contract.probe));
        const out = (await session.run(feeds))[contract.output] as ort.Tensor;
        expect(out.type).toBe('float32');
        expect([...out.dims]).toEqual(concrete(contract.outputShape, contract.probe));
        const values = out.data as Float32Array;
        expect(values.every(Number.isFinite)).toBe(true);
        const range = side.outputs[0]!.range;
        if (range) expect(values.every((v) => v >= range[0] && v <= range[1])).toBe(true);
      } finally {
        await session.release();
      }
    });
  }

  it('sidecar constants agree with the runtime: 7 frames, multiple of 4, predictor size, latent size and class table', () => {
    for (const file of shipped) {
      const side = sidecarOf(file);
      if (side.kind === 'afb-decomposer' || side.kind === 'afb-motion-decomposer') {
        expect(side.num_frames).toBe(FRAMES_PER_BLUR);
        expect(side.multiple).toBe(MODEL_MULTIPLE);
      } else {
        expect(side.size).toBe(PREDICTOR_SIZE);
        expect(side.nz).toBe(LATENT_SIZE);
        expect(side.inputs.find((i) => i.name === 'z')!.shape).toEqual([1, LATENT_SIZE]);
        const classes = side.outputs[0]!.classes!;
        expect(Object.keys(classes)).toHaveLength(PREDICTOR_CLASSES);
        for (const [k, g] of Object.entries(classes)) expect(g).toEqual([...CLASS_TO_GUIDANCE[Number(k)]!]);
      }
    }
  });

  it('opset and op counts of every file are the ones its sidecar records (read with the onnx Python package)', () => {
    const script = [
      'import collections, json, sys, onnx',
      'out = {}',
      'for path in sys.argv[1:]:',
      '    m = onnx.load(path)',
      "    out[path] = {'opset': max(o.version for o in m.opset_import if o.domain in ('', 'ai.onnx')),",
      "                 'ops': dict(collections.Counter(n.op_type for n in m.graph.node))}",
      'print(json.dumps(out))',
    ].join('\n');
    const paths = shipped.map((f) => join(MODELS, f));
    const r = spawnSync('/usr/bin/python3', ['-c', script, ...paths], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const read = JSON.parse(r.stdout) as Record<string, { opset: number; ops: Record<string, number> }>;
    for (const file of shipped) {
      const side = sidecarOf(file);
      expect(read[join(MODELS, file)]).toEqual({ opset: side.opset, ops: side.ops });
    }
  });
});
