#!/usr/bin/env node
// Entry point of the `afb` command: runs the compiled CLI (built by `npm install` / `npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/pipeline/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  console.error('afb: the compiled CLI is missing (dist/). Run `npm install` or `npm run build` in the afb folder.');
  process.exit(1);
}
const { runCli } = await import(main.href);
process.exitCode = await runCli(process.argv);
// Nothing runs after the CLI: should a stray handle keep the event loop alive, leave anyway (an
// unref'd timer only fires while something else keeps the process up).
setTimeout(() => process.exit(), 5000).unref();
