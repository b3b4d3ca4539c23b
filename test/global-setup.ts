// vitest globalSetup: compile to dist/ once, before any suite runs, when dist/ is missing or older
// than a source file. Suites that start worker threads or the CLI run that compiled code, and no
// suite builds (parallel suites never race on dist/). `npm test` builds first, so this is a no-op there.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SOURCES = ['pipeline', 'workers', 'configs', 'bench', 'bin', 'web'];
const OUTPUTS = ['dist/pipeline/cli/main.js', 'dist/workers/decompose-worker.js', 'dist/workers/synth-worker.js', 'dist/web/editor/main.js'];

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (entry.name.endsWith('.ts') || entry.name.endsWith('.js')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function builtMtime(): number {
  try {
    return Math.min(...OUTPUTS.map((p) => statSync(join(ROOT, p)).mtimeMs));
  } catch {
    return 0;
  }
}

/** Build dist/ when stale; a failed build stops the run with tsc's output. */
export default function setup(): void {
  const newest = Math.max(...SOURCES.map((d) => newestMtime(join(ROOT, d))));
  if (newest <= builtMtime()) return;
  for (const project of ['tsconfig.build.json', 'tsconfig.web.json']) {
    const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', project], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`npm run build failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  }
}
