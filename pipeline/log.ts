// Logging and progress: progress bars with ETA on a TTY, plain lines otherwise, all on stderr
// so that stdout stays free for --json summaries.
import type { LogLevel } from '../configs/global-options.js';

const ORDER: Record<LogLevel, number> = { silent: 0, error: 1, warn: 2, info: 3, debug: 4 };

/** Minimal leveled logger writing to a stream (stderr by default). */
export class Logger {
  readonly level: LogLevel;
  private readonly stream: NodeJS.WritableStream & { isTTY?: boolean };
  constructor(level: LogLevel = 'info', stream: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr) {
    this.level = level;
    this.stream = stream;
  }
  get isTTY(): boolean {
    return Boolean(this.stream.isTTY);
  }
  enabled(level: LogLevel): boolean {
    return ORDER[level] <= ORDER[this.level] && level !== 'silent';
  }
  error(msg: string): void { this.write('error', msg); }
  warn(msg: string): void { this.write('warn', `warning: ${msg}`); }
  info(msg: string): void { this.write('info', msg); }
  debug(msg: string): void { this.write('debug', msg); }
  /** Raw write (used by progress bars). */
  raw(text: string): void { this.stream.write(text); }
  private write(level: LogLevel, msg: string): void {
    if (this.enabled(level)) this.stream.write(`${msg}\n`);
  }
}

/** Format seconds as h:mm:ss or m:ss. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** Progress of a long job: a redrawn bar with rate and ETA on a TTY, a line every few seconds otherwise. */
export class Progress {
  private done = 0;
  private readonly start = Date.now();
  private lastPrint = 0;
  constructor(
    private readonly log: Logger,
    private readonly label: string,
    private total: number | undefined,
    private readonly unit = 'frames',
    private readonly intervalMs = log.isTTY ? 200 : 5000,
  ) {}
  setTotal(total: number | undefined): void { this.total = total; }
  tick(n = 1): void {
    this.done += n;
    // The total is an estimate for some inputs (variable frame rate, no frame count in the
    // container): never report more than 100%.
    if (this.total !== undefined && this.done > this.total) this.total = this.done;
    const now = Date.now();
    if (now - this.lastPrint >= this.intervalMs) {
      this.lastPrint = now;
      this.print(false);
    }
  }
  get count(): number { return this.done; }
  get elapsedSeconds(): number { return (Date.now() - this.start) / 1000; }
  get rate(): number { return this.done / Math.max(1e-3, this.elapsedSeconds); }
  finish(): void { this.print(true); }
  /** The progress line (without the bar) — exposed for tests. */
  line(): string {
    const rate = this.rate;
    const parts = [`${this.label}: ${this.done}${this.total !== undefined ? `/${this.total}` : ''} ${this.unit}`, `${rate.toFixed(2)} ${this.unit}/s`];
    if (this.total !== undefined && this.total > 0) {
      parts.push(`${((100 * this.done) / this.total).toFixed(1)}%`);
      parts.push(`ETA ${formatDuration((this.total - this.done) / Math.max(rate, 1e-9))}`);
    }
    parts.push(`elapsed ${formatDuration(this.elapsedSeconds)}`);
    return parts.join('  ');
  }
  private print(final: boolean): void {
    if (!this.log.enabled('info')) return;
    if (this.log.isTTY) {
      const width = 24;
      const frac = this.total ? Math.min(1, this.done / this.total) : 0;
      const bar = this.total ? `[${'#'.repeat(Math.round(frac * width)).padEnd(width, '.')}] ` : '';
      this.log.raw(`\r\x1b[K${bar}${this.line()}${final ? '\n' : ''}`);
    } else {
      this.log.info(this.line());
    }
  }
}
