// Which shipped model each method runs when no --model is given, resolved from the package
// (not the working folder), and what `--method auto` picks.
import { describe, expect, it } from 'vitest';
import { join, resolve } from 'node:path';
import { packageRoot, resolveAutoMethod, resolveMethodModel, resolveModelPath } from '../pipeline/video/defaults.js';
import { REPO_ROOT } from './helpers/media.js';

const shipped = (file: string) => join(REPO_ROOT, 'models', file);

describe('default model resolution', () => {
  it('the package root is the repository (the folder holding package.json and models/)', () => {
    expect(packageRoot()).toBe(resolve(REPO_ROOT));
  });
  it('guidance -> afb-cpu.onnx, learned -> afb-motion.onnx, physics -> no model, predictor -> afb-predictor.onnx', () => {
    expect(resolveMethodModel('guidance', undefined)).toBe(shipped('afb-cpu.onnx'));
    expect(resolveMethodModel('learned', undefined)).toBe(shipped('afb-motion.onnx'));
    expect(resolveMethodModel('physics', undefined)).toBeUndefined();
    expect(resolveModelPath(undefined, 'predictor')).toBe(shipped('afb-predictor.onnx'));
    expect(resolveModelPath(undefined)).toBe(shipped('afb-cpu.onnx'));
  });
  it('an explicit --model wins, unresolved and unchecked here', () => {
    expect(resolveMethodModel('guidance', 'my/net.onnx')).toBe('my/net.onnx');
    expect(resolveMethodModel('learned', 'my/net.onnx')).toBe('my/net.onnx');
  });
  it('--method auto: learned when the motion is known, else guidance; an explicit model decides by its inputs', async () => {
    expect(await resolveAutoMethod('auto', undefined, true)).toBe('learned');
    expect(await resolveAutoMethod('auto', undefined, false)).toBe('guidance');
    expect(await resolveAutoMethod('auto', shipped('afb-cpu.onnx'), true)).toBe('guidance');
    expect(await resolveAutoMethod('auto', shipped('afb-motion.onnx'), false)).toBe('learned');
    expect(await resolveAutoMethod('physics', shipped('afb-motion.onnx'), false)).toBe('physics');
  });
});
