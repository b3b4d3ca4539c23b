// Typed errors shared by every part of afb: each carries the fields a caller needs to react.

/** Base class of every error afb raises on purpose; `exitCode` is what the CLI exits with. */
export class AfbError extends Error {
  readonly exitCode: number;
  constructor(message: string, options: { cause?: unknown; exitCode?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AfbError';
    this.exitCode = options.exitCode ?? 1;
  }
}

/**
 * A user-supplied value (flag, config key, file content) is invalid. Exit code 2.
 * `kind` is 'type' for a value of the wrong kind, 'range' for one out of range.
 */
export class InvalidOptionError extends AfbError {
  readonly option: string;
  /** What would have been accepted, in words ("an integer >= 1"). */
  readonly expected: string;
  readonly value: unknown;
  readonly kind: 'type' | 'range';
  constructor(option: string, expected: string, value: unknown, kind: 'type' | 'range' = 'type') {
    super(`Expected ${expected} for ${option} but received ${formatValue(value)}`, { exitCode: 2 });
    this.name = 'InvalidOptionError';
    this.option = option;
    this.expected = expected;
    this.value = value;
    this.kind = kind;
  }
}

/** Base of the errors about one file or folder: `path` names it and the message ends with it. */
export abstract class PathError extends AfbError {
  readonly path: string;
  constructor(path: string, reason: string, options: { cause?: unknown } = {}) {
    super(`${reason}: ${path}`, options);
    this.path = path;
  }
}

/** An input file or folder is missing, unreadable or not what it should be. */
export class InputError extends PathError {
  override name = 'InputError';
}

/**
 * Bytes or text that break a file format afb reads (.npy, .flo, labelme JSON, pickle, config).
 * Thrown by the pure decoders, which know no path; the file readers wrap it in an InputError
 * naming the file.
 */
export class FormatError extends AfbError {
  readonly format: string;
  /** Byte offset where the problem was found, when the format is binary and it is known. */
  readonly offset: number | undefined;
  constructor(format: string, detail: string, options: { offset?: number; cause?: unknown } = {}) {
    super(detail, { cause: options.cause });
    this.name = 'FormatError';
    this.format = format;
    this.offset = options.offset;
  }
}

/** An output cannot be written (unwritable folder, disk full...). */
export class OutputError extends PathError {
  override name = 'OutputError';
}

/** An ffmpeg/ffprobe process failed: carries the command, exit code, signal and stderr tail. */
export class FfmpegError extends AfbError {
  readonly command: string[];
  readonly exitCode: number;
  readonly processExitCode: number | null;
  readonly signal: string | null;
  readonly stderrTail: string;
  constructor(
    message: string,
    fields: { command: string[]; exitCode: number | null; signal: string | null; stderrTail: string; cause?: unknown },
  ) {
    const tail = fields.stderrTail.trim();
    super(tail ? `${message}\n--- ffmpeg stderr (tail) ---\n${tail}` : message, { cause: fields.cause });
    this.name = 'FfmpegError';
    this.command = fields.command;
    this.exitCode = 1;
    this.processExitCode = fields.exitCode;
    this.signal = fields.signal;
    this.stderrTail = fields.stderrTail;
  }
}

/** A video or frame stream is corrupt or truncated; names the frame index where it broke. */
export class CorruptInputError extends InputError {
  readonly frameIndex: number;
  constructor(path: string, frameIndex: number, reason: string, options: { cause?: unknown } = {}) {
    super(path, `${reason} (at frame ${frameIndex})`, options);
    this.name = 'CorruptInputError';
    this.frameIndex = frameIndex;
  }
}

/** Running a model failed or the model does not fit the expected contract. */
export class ModelError extends AfbError {
  readonly modelPath: string;
  readonly inputShapes: Record<string, readonly number[]>;
  constructor(modelPath: string, reason: string, fields: { inputShapes?: Record<string, readonly number[]>; cause?: unknown } = {}) {
    super(`${reason} (model: ${modelPath})`, { cause: fields.cause });
    this.name = 'ModelError';
    this.modelPath = modelPath;
    this.inputShapes = fields.inputShapes ?? {};
  }
}

/** The job was cancelled (SIGINT/SIGTERM or an AbortSignal). Exit code 128 + the signal number: 130 (SIGINT, the default), 143 (SIGTERM). */
export class CancelledError extends AfbError {
  constructor(reason = 'Cancelled', exitCode = 130) {
    super(reason, { exitCode });
    this.name = 'CancelledError';
  }
}

/** The error a cancelled operation throws: the signal's own CancelledError (it carries the exit code of the signal that stopped the run), else a new one. */
export function cancelledBy(signal: AbortSignal | undefined, reason = 'Cancelled'): CancelledError {
  return signal?.reason instanceof CancelledError ? signal.reason : new CancelledError(reason);
}

/** Short printable form of a bad value for error messages. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'undefined';
  try {
    const s = JSON.stringify(value);
    return s === undefined ? String(value) : s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return String(value);
  }
}
