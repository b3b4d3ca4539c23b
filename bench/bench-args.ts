// Small helpers shared by the benchmarks: integer flags and medians.

/** Integer value of `--name N` on the command line (>= 1), or `fallback` when absent. */
export function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`--${name} must be an integer >= 1, received ${process.argv[i + 1]}`);
  return v;
}

/** Median of a non-empty list (upper median for even lengths). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
