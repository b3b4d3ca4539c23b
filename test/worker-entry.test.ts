import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { Piscina } from 'piscina';
import { workerEntryFile, workerModuleOptions } from '../pipeline/frame/worker-entry.js';
import { DecomposePool } from '../pipeline/frame/pool.js';
import { ModelError } from '../pipeline/errors.js';

const probe = fileURLToPath(new URL('./fixtures/load-probe-worker.mjs', import.meta.url));

async function runOnce(options: ConstructorParameters<typeof Piscina>[0]): Promise<unknown> {
  const pool = new Piscina({ ...options, minThreads: 1, maxThreads: 1 });
  try {
    return await pool.run({});
  } finally {
    await pool.destroy();
  }
}

describe('worker entry', () => {
  it('piscina loads afb worker modules through import(), never a synchronous require()', async () => {
    expect(existsSync(workerEntryFile())).toBe(true);
    expect(workerEntryFile()).toMatch(/esm-entry\.cjs$/);
    // Control: handed the module directly, piscina require()s it (Node's require(esm)), which aborts
    // the process if the thread is terminated at the wrong moment.
    const direct = (await runOnce({ filename: probe })) as { loadedByRequire: boolean };
    const viaEntry = (await runOnce(workerModuleOptions(probe, { other: 1 }))) as { loadedByRequire: boolean };
    expect(viaEntry.loadedByRequire).toBe(false);
    expect(direct.loadedByRequire).toBe(process.features.require_module === true);
  });

  it('keeps the caller\'s workerData and passes a load failure on with its message', async () => {
    const options = workerModuleOptions(probe, { failToLoad: 'bad model' });
    expect(options.workerData).toEqual({ failToLoad: 'bad model', afbWorkerModule: probe });
    await expect(runOnce(options)).rejects.toThrow(/fixture refused to load: bad model/);
    // The decomposition pool names that failure in a typed error.
    const failed = await DecomposePool.create({
      modelPath: fileURLToPath(new URL('./fixtures/decomposer-linear.onnx', import.meta.url)), provider: 'cpu', workers: 2, threads: 1,
      workerFile: probe, workerData: { failToLoad: 'bad model' },
    }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ModelError);
    expect((failed as Error).message).toMatch(/could not start \(.*fixture refused to load: bad model/);
  });
});
