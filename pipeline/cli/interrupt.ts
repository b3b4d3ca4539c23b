// What SIGINT, SIGTERM and SIGHUP do to a CLI run, and what happens when the npx/npm process that
// started afb goes away (npm forwards SIGTERM only to the `sh -c` it runs afb in, so afb would be
// orphaned and keep writing).
//
// First signal, command that can cancel (video, decompose, synth): the job's AbortSignal fires
// with a CancelledError carrying 128 + the signal number (130 SIGINT, 143 SIGTERM, 129 SIGHUP);
// the command stops its processes, removes its temporary files, lets running onnxruntime calls
// return, and exits with that code.
// Second signal, or the first for a command that cannot cancel: exit at once. ffmpeg children are
// killed, temporary files and the folders this run created are removed synchronously, and the
// signal is raised again with its default action, so the process ends by that signal (a shell
// reports 128 + n). No C++ teardown runs: worker threads are never terminated inside an
// onnxruntime call (which aborts the process with 'terminate called after throwing an instance of
// Napi::Error'), as process.exit() would do.
import { constants } from 'node:os';
import { CancelledError } from '../errors.js';
import { killRunningSync } from '../io/ffmpeg-process.js';
import { removeTrackedSync } from '../io/temp-files.js';
import type { Logger } from '../log.js';

/** Signals that stop a run. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
type StopSignal = (typeof STOP_SIGNALS)[number];

/** How often afb checks that the npm/npx process that started it still exists (ms). */
const PARENT_POLL_MS = 500;

/** The exit status a signal stands for: 128 + its number (130 for SIGINT, 143 for SIGTERM). */
export function signalExitCode(sig: NodeJS.Signals): number {
  return 128 + (constants.signals[sig] ?? 15);
}

/** True when npm (npx, npm exec, npm run) started this process through a shell it does not signal through. */
export function startedByNpm(env: NodeJS.ProcessEnv = process.env): boolean {
  return env['npm_command'] !== undefined || env['npm_lifecycle_event'] !== undefined;
}

/** A run's interrupt handling. */
export interface InterruptScope {
  /** The job's cancel signal; calling this marks the command as able to cancel (first signal = cancel, not exit). */
  cancellable(): AbortSignal;
  /** The CancelledError the run was interrupted with (undefined when it was not). */
  interruption(): CancelledError | undefined;
  /** Remove the handlers (the run is over). */
  dispose(): void;
}

/** End the process now: kill children, remove temporaries synchronously, die by `sig`'s default action. */
export function hardExit(sig: StopSignal): never {
  killRunningSync();
  removeTrackedSync();
  for (const s of STOP_SIGNALS) process.removeAllListeners(s);
  process.kill(process.pid, sig);
  // The default action of sig ends the process when this thread next runs; should it somehow not, SIGKILL it.
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
}

/** Install the handlers for one CLI run (see the file comment). */
export function installInterruptHandling(log: Logger): InterruptScope {
  const controller = new AbortController();
  let cancellable = false;
  let count = 0;
  const onSignal = (sig: StopSignal, why = sig as string): void => {
    count++;
    if (count > 1 || !cancellable) {
      log.error(`${why}${count > 1 ? ' again' : ''}: exiting now (temporary files removed)`);
      hardExit(sig);
    }
    log.error(`${why}: stopping (processes stopped, temporary files removed, running frames finish; repeat to exit at once)`);
    controller.abort(new CancelledError(`Interrupted by ${why}`, signalExitCode(sig)));
  };
  const handlers = STOP_SIGNALS.map((s) => [s, () => onSignal(s)] as const);
  for (const [s, h] of handlers) process.on(s, h);
  // Under npx/npm, SIGTERM to npm kills only the `sh -c` between them: notice the parent going away
  // (adopted by another process, or by init: the `sh -c` may already be gone when afb starts).
  const parent = process.ppid;
  const launcherGone = () => process.ppid !== parent || process.ppid === 1;
  let poll: NodeJS.Timeout | undefined;
  if (startedByNpm()) {
    poll = setInterval(() => {
      if (!launcherGone()) return;
      clearInterval(poll);
      onSignal('SIGTERM', 'the npm/npx process that started afb exited');
    }, PARENT_POLL_MS);
    poll.unref();
    if (launcherGone()) setImmediate(() => onSignal('SIGTERM', 'the npm/npx process that started afb exited'));
  }
  return {
    cancellable() {
      cancellable = true;
      return controller.signal;
    },
    interruption() {
      return controller.signal.reason instanceof CancelledError ? controller.signal.reason : undefined;
    },
    dispose() {
      if (poll) clearInterval(poll);
      for (const [s, h] of handlers) process.off(s, h);
    },
  };
}
