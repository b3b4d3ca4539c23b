// The checks every bad-input case makes: the CLI's exit code, a message naming the bad value or
// file, nothing new (and nothing gone) in the output location, and every input byte-identical
// afterwards (sha256 before and after). Also the checks for awkward inputs afb must accept.
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { expect } from 'vitest';
import { runAfb, type CliResult } from './cli.js';

/** Every path under `dir` (relative, sorted; folders end in '/'); [] when it does not exist. */
export async function listTree(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    const entries = await readdir(d, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const p = join(d, e.name);
      out.push(relative(dir, p) + (e.isDirectory() ? '/' : ''));
      if (e.isDirectory()) await walk(p);
    }
  };
  await walk(dir);
  return out.sort();
}

/** sha256 of every file of an input (a file, or a folder's files by relative path). */
export async function hashInput(path: string): Promise<Record<string, string>> {
  const st = await stat(path);
  const files = st.isDirectory() ? (await listTree(path)).filter((p) => !p.endsWith('/')).map((p) => join(path, p)) : [path];
  const out: Record<string, string> = {};
  for (const f of files) out[f] = createHash('sha256').update(await readFile(f)).digest('hex');
  return out;
}

/** One refused command. */
export interface RefusalCase {
  readonly cwd: string;
  readonly args: readonly string[];
  /** Files or folders the command reads (relative to cwd or absolute): byte-identical afterwards. */
  readonly inputs: readonly string[];
  readonly code: number;
  /** What stderr must say; the pattern names the bad value or file. */
  readonly message: RegExp;
  /** Folders where nothing may appear or disappear (default: cwd). */
  readonly locations?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly prefix?: readonly string[];
}

async function snapshot(c: { cwd: string; inputs: readonly string[]; locations?: readonly string[] }) {
  const abs = (p: string) => resolve(c.cwd, p);
  const hashes: Record<string, string> = {};
  for (const i of c.inputs) Object.assign(hashes, await hashInput(abs(i)));
  const trees: Record<string, string[]> = {};
  for (const l of c.locations ?? [c.cwd]) trees[abs(l)] = await listTree(abs(l));
  return { hashes, trees };
}

/** The process ended by itself (no signal), never with onnxruntime's abort. */
function expectNoAbort(r: CliResult): void {
  expect(r.signal, r.stderr).toBeNull();
  expect(r.code, r.stderr).not.toBe(134);
  expect(r.stderr).not.toMatch(/terminate called|Napi::Error|unexpected error/);
}

/** Run a refused command and make every check (see the file comment). */
export async function expectRefused(c: RefusalCase): Promise<CliResult> {
  const before = await snapshot(c);
  const r = await runAfb(c.args, { cwd: c.cwd, ...(c.env ? { env: c.env } : {}), ...(c.prefix ? { prefix: c.prefix } : {}) });
  expectNoAbort(r);
  expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: c.code, stderr: expect.stringMatching(c.message) });
  const after = await snapshot(c);
  expect(after.trees, 'nothing new (or gone) in the output location').toEqual(before.trees);
  expect(after.hashes, 'every input byte-identical').toEqual(before.hashes);
  return r;
}

/** An awkward input afb must convert: exit 0, exactly `outputs` new in cwd, no temporary file, inputs unchanged. */
export async function expectAccepted(c: { cwd: string; args: readonly string[]; inputs: readonly string[]; outputs: readonly string[]; warning?: RegExp }): Promise<CliResult> {
  const before = await snapshot(c);
  const r = await runAfb(c.args, { cwd: c.cwd });
  expectNoAbort(r);
  expect(r.code, r.stderr).toBe(0);
  if (c.warning) expect(r.stderr).toMatch(c.warning);
  const after = await snapshot(c);
  const topLevel = (p: string) => !p.replace(/\/$/, '').includes('/');
  const added = after.trees[resolve(c.cwd)]!.filter((p) => !before.trees[resolve(c.cwd)]!.includes(p) && topLevel(p));
  expect(added.sort()).toEqual([...c.outputs].sort());
  expect(after.trees[resolve(c.cwd)]!.filter((p) => p.includes('.afb-tmp-') || p.includes('.afb-old-'))).toEqual([]);
  expect(after.hashes).toEqual(before.hashes);
  return r;
}
