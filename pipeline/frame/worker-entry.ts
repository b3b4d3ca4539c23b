// How afb's piscina pools name their worker module: through the CommonJS entry
// workers/esm-entry.cts, which imports it asynchronously (see there for the process abort that a
// synchronous require() of an ES module risks when its thread is terminated).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The compiled entry: next to this module's compiled form, or under dist/ when running from source. */
export function workerEntryFile(): string {
  const here = fileURLToPath(new URL('../../workers/esm-entry.cjs', import.meta.url));
  if (existsSync(here)) return here;
  return fileURLToPath(new URL('../../dist/workers/esm-entry.cjs', import.meta.url));
}

/** piscina's `filename` and `workerData` for a pool whose workers run `workerFile`'s default export. */
export function workerModuleOptions(workerFile: string, workerData: Record<string, unknown> = {}): { filename: string; workerData: Record<string, unknown> } {
  // The key is the one esm-entry.cts reads (that CommonJS file cannot import this ES module).
  return { filename: workerEntryFile(), workerData: { ...workerData, afbWorkerModule: workerFile } };
}
