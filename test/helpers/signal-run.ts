// One interrupted `afb video` run for the signal suites: started directly (node bin/afb.js) or
// the README's way (npx afb), in its own process group; signalled at start-up (a fixed delay) or
// mid-run (once the temporary output exists); then what a user would look at: the exit status as
// a shell reports it, what is left on disk, and whether any afb or ffmpeg process outlives it.
import { execFileSync, spawn } from 'node:child_process';
import { constants } from 'node:os';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from './media.js';

/** How to interrupt a run. */
export interface SignalPlan {
  readonly viaNpx: boolean;
  readonly signal: 'SIGINT' | 'SIGTERM';
  /** Send the signal a second time, 50 ms after the first. */
  readonly twice: boolean;
  /** 'group': every process of the run's group, as a terminal's Ctrl-C does; 'leader': the process started (node, or npm for npx). */
  readonly target: 'group' | 'leader';
  /**
   * ms after afb's own process appeared (started directly, that is the start; through npx, once npm
   * has spawned it), or 'mid-run': as soon as the temporary output exists.
   */
  readonly when: number | 'mid-run';
}

/** What became of the run. */
export interface SignalOutcome {
  /** As a shell reports it: the exit code, or 128 + the signal number when killed by a signal. */
  readonly status: number;
  /** Whether the output was already complete (renamed into place) when the signal was sent: the run was not interrupted. */
  readonly finishedFirst: boolean;
  /** Whether the signal arrived while the temporary output existed (mid-run). */
  readonly sawTemporary: boolean;
  /** Entries left in the run's folder besides the input (temporary files, a partial output). */
  readonly leftovers: string[];
  /** ms from the (first) signal until no process of the run was left. */
  readonly goneAfterMs: number;
  readonly stderr: string;
}

/** Processes whose command line mentions `needle` (afb itself, its ffmpeg children), but not ps. */
function processesWith(needle: string): { pid: number; args: string }[] {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return out.split('\n').map((l) => l.trim()).filter((l) => l.includes(needle) && !l.includes('ps -eo'))
    .map((l) => ({ pid: Number(l.split(/\s+/)[0]), args: l }));
}

/** afb's own node process (not the `npm exec afb ...` or `sh -c 'afb' ...` that start it). */
const AFB_PROCESS = /^\d+\s+\S*node\S*\s+\S*afb(\.js)?\s+video\s/;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Run `afb video input -o <dir>/<outName> --workers 1 --method guidance` and interrupt it as planned. Processes that
 * outlive `limitMs` after the signal are killed (by pid) and reported through goneAfterMs = Infinity.
 */
export async function runAndSignal(dir: string, input: string, outName: string, plan: SignalPlan, limitMs = 20_000): Promise<SignalOutcome> {
  const out = join(dir, outName);
  // The shipped guidance network (smaller than the motion-aware default): the same worker pool and
  // onnxruntime sessions, sooner mid-run.
  const afbArgs = ['video', input, '-o', out, '--workers', '1', '--method', 'guidance'];
  const [cmd, args] = plan.viaNpx ? ['npx', ['afb', ...afbArgs]] : [process.execPath, [join(REPO_ROOT, 'bin/afb.js'), ...afbArgs]];
  const child = spawn(cmd, args, { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  let ended = false;
  void closed.then(() => (ended = true));
  const t0 = Date.now();
  let sawTemporary = false;
  if (plan.when === 'mid-run') {
    while (!ended && Date.now() - t0 < 120_000) {
      if ((await readdir(dir)).some((n) => n.startsWith('.afb-tmp-') && n.endsWith(outName))) {
        sawTemporary = true;
        break;
      }
      await sleep(20);
    }
  } else {
    // Through npx the delay counts from afb's own start: before npm spawns afb a signal is npm's
    // alone, and npm may hold it while it links the package into its cache (its installer catches
    // SIGINT/SIGTERM there, lets the command run and re-raises the signal when it exits: the run
    // completes and npm still exits 130; see docs/reliability.md).
    if (plan.viaNpx) {
      while (!ended && Date.now() - t0 < 120_000 && !processesWith(outName).some((p) => AFB_PROCESS.test(p.args))) await sleep(20);
    }
    await sleep(plan.when);
  }
  const send = () => {
    try {
      if (plan.target === 'group') process.kill(-child.pid!, plan.signal);
      else child.kill(plan.signal);
    } catch {
      // the run already ended
    }
  };
  const finishedFirst = ended || (await readdir(dir)).includes(outName);
  const signalledAt = Date.now();
  send();
  if (plan.twice) await sleep(50).then(send);
  const end = await closed;
  let goneAfterMs = Infinity;
  while (Date.now() - signalledAt < limitMs) {
    if (processesWith(outName).length === 0) {
      goneAfterMs = Date.now() - signalledAt;
      break;
    }
    await sleep(100);
  }
  for (const p of processesWith(outName)) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  const leftovers = (await readdir(dir)).filter((n) => n !== input.split('/').pop());
  const status = end.code ?? 128 + (constants.signals[end.signal!] ?? 0);
  return { status, finishedFirst, sawTemporary, leftovers, goneAfterMs, stderr };
}
