// The file piscina loads in every afb worker thread. It imports the real worker module (an ES
// module named in workerData) asynchronously and hands piscina its default export.
//
// Why a CommonJS entry: piscina require()s its worker file before it tries import(), and since
// Node 20.19 require() of an ES module without top-level await loads it synchronously. A thread
// terminated in the last step of that load (pool stopped, process exiting) does not throw: Node
// aborts the whole process ("Assertion failed: facade->InstantiateModule(...)", exit 134).
// Through import() a termination is an ordinary one.
import { workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';

/** Key of workerData naming the worker module this entry imports (an absolute path). */
const MODULE_KEY = 'afbWorkerModule';

const target: unknown = (workerData as Record<string, unknown> | null)?.[MODULE_KEY];
if (typeof target !== 'string') throw new TypeError(`esm-entry: workerData.${MODULE_KEY} must be the worker module's path (got ${String(target)})`);

// piscina awaits the default export when it is not a function: the handler, once imported.
const handler: Promise<unknown> = import(pathToFileURL(target).href).then((m: { default?: unknown }) => m.default);
export = handler;
