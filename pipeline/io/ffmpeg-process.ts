// The ONE module of afb that starts ffmpeg/ffprobe processes.
//
// Why a plain `child_process.spawn` and not fluent-ffmpeg: fluent-ffmpeg was archived by its
// maintainer in May 2025 (no further fixes), and on this project's machines its output pipe
// decoded 15-25% slower than a plain spawn (201 vs 265 frames/s at 960x540, see
// docs/io.md). Arguments are built by the pure functions in ffmpeg-args.ts; this module only
// runs them, with a cancel signal, a timeout, a hard-kill fallback and a stderr tail.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { cancelledBy, FfmpegError } from '../errors.js';
import { resolveBinary, type FfmpegTool } from './ffmpeg-binaries.js';

/** How to run one ffmpeg/ffprobe process. */
export interface FfmpegRunOptions {
  /** Aborting kills the process; `done` then rejects with CancelledError. */
  readonly signal?: AbortSignal;
  /** Kill the process after this many ms; `done` then rejects with FfmpegError. */
  readonly timeoutMs?: number;
  /** After SIGTERM, wait this long before SIGKILL (default 2000 ms). */
  readonly killGraceMs?: number;
  /** Pipe stdin (to feed raw frames) or ignore it (default). */
  readonly stdin?: 'pipe' | 'ignore';
  /** Pipe stdout (raw frames, JSON) or ignore it (default 'pipe'). */
  readonly stdout?: 'pipe' | 'ignore';
  /** Bytes of stderr kept for error reports (default 8192). */
  readonly stderrTailBytes?: number;
  /** Environment used to resolve the binary (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
}

/** A finished process: its stderr tail (stdout is consumed by the caller). */
export interface FfmpegResult {
  readonly command: readonly string[];
  readonly stderrTail: string;
}

/** A running ffmpeg/ffprobe process. */
export interface FfmpegProcess {
  /** The full command line (binary first), for error messages. */
  readonly command: readonly string[];
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  /** Resolves when the process exits with 0; rejects with FfmpegError or CancelledError. */
  readonly done: Promise<FfmpegResult>;
  /** The last bytes of stderr seen so far. */
  stderrTail(): string;
  /** Stop the process (SIGTERM, then SIGKILL after the grace period) and wait until it has exited. */
  kill(): Promise<void>;
}

/** Processes started here and not yet exited: a hard exit kills them (killRunningSync). */
const running = new Set<ChildProcess>();

/**
 * SIGKILL every ffmpeg/ffprobe process this module started that is still running: the last
 * thing a hard exit does, so that no encoder outlives afb or keeps writing a temporary file.
 */
export function killRunningSync(): void {
  for (const child of running) child.kill('SIGKILL');
}

/** Keeps the last `limit` characters of a text stream. */
class TailBuffer {
  private text = '';
  constructor(private readonly limit: number) {}
  push(chunk: string): void {
    this.text += chunk;
    if (this.text.length > 2 * this.limit) this.text = this.text.slice(-this.limit);
  }
  get value(): string {
    return this.text.length > this.limit ? this.text.slice(-this.limit) : this.text;
  }
}

/**
 * Start ffmpeg or ffprobe with `args` (built by ffmpeg-args.ts).
 * @throws FfmpegNotFoundError when the binary cannot be resolved (before anything starts).
 */
export function startFfmpeg(tool: FfmpegTool, args: readonly string[], options: FfmpegRunOptions = {}): FfmpegProcess {
  const binary = resolveBinary(tool, options.env ?? process.env);
  const command = [binary.path, ...args];
  const tail = new TailBuffer(options.stderrTailBytes ?? 8192);
  const grace = options.killGraceMs ?? 2000;
  if (options.signal?.aborted) {
    const done = Promise.reject(cancelledBy(options.signal));
    done.catch(() => undefined);
    return { command, stdin: null, stdout: null, done, stderrTail: () => '', kill: async () => undefined };
  }
  const child: ChildProcess = spawn(binary.path, args, {
    stdio: [options.stdin ?? 'ignore', options.stdout ?? 'pipe', 'pipe'],
    windowsHide: true,
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  child.once('error', () => running.delete(child));
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => tail.push(chunk));
  // EPIPE on stdin when ffmpeg exits early is reported through `done` (with the stderr tail).
  child.stdin?.on('error', () => undefined);

  let stopReason: 'abort' | 'timeout' | 'kill' | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
    child.once('close', (code, signal) => resolve({ code, signal }));
  });

  const stop = (reason: 'abort' | 'timeout' | 'kill'): void => {
    stopReason ??= reason;
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.stdin?.destroy();
    // Let a blocked writer finish: nobody may be reading stdout any more.
    child.stdout?.resume();
    child.kill('SIGTERM');
    killTimer ??= setTimeout(() => child.kill('SIGKILL'), grace);
  };
  const onAbort = (): void => stop('abort');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const timeoutTimer = options.timeoutMs === undefined ? undefined : setTimeout(() => stop('timeout'), options.timeoutMs);

  const done = exited.then(({ code, signal, error }) => {
    if (killTimer) clearTimeout(killTimer);
    if (timeoutTimer) clearTimeout(timeoutTimer);
    options.signal?.removeEventListener('abort', onAbort);
    const fields = { command, exitCode: code, signal, stderrTail: tail.value };
    if (stopReason === 'abort') throw cancelledBy(options.signal, `Cancelled: ${tool} was stopped`);
    if (error) throw new FfmpegError(`Cannot start ${tool} (${error.message})`, { ...fields, cause: error });
    if (stopReason === 'timeout') throw new FfmpegError(`${tool} timed out after ${options.timeoutMs} ms and was killed`, fields);
    if (stopReason === 'kill') throw new FfmpegError(`${tool} was stopped`, fields);
    if (code !== 0) {
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      throw new FfmpegError(`${tool} ${how}`, fields);
    }
    return { command, stderrTail: tail.value };
  });
  // Callers that only kill() must not leave an unhandled rejection behind.
  done.catch(() => undefined);

  return {
    command,
    stdin: child.stdin,
    stdout: child.stdout,
    done,
    stderrTail: () => tail.value,
    async kill() {
      stop('kill');
      await exited;
    },
  };
}

/**
 * Run a process to completion and collect its stdout (used for ffprobe JSON).
 * @throws FfmpegError on a non-zero exit, CancelledError when aborted.
 */
export async function runFfmpeg(tool: FfmpegTool, args: readonly string[], options: FfmpegRunOptions = {}): Promise<{ stdout: Buffer; stderrTail: string }> {
  const proc = startFfmpeg(tool, args, { ...options, stdout: 'pipe' });
  const chunks: Buffer[] = [];
  proc.stdout?.on('data', (c: Buffer) => chunks.push(c));
  const result = await proc.done;
  return { stdout: Buffer.concat(chunks), stderrTail: result.stderrTail };
}
