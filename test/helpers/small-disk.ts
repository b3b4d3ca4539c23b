// Places where writing fails, for the disk-full and unwritable-output cases. A full disk is a real
// small tmpfs when this machine lets the tests mount one (root with CAP_SYS_ADMIN); otherwise
// (e.g. an unprivileged CI runner) it is a test double at the file-write layer: the shell's file
// size limit (RLIMIT_FSIZE), under which every write past the limit fails (EFBIG for afb,
// SIGXFSZ for ffmpeg), as writes fail on a full disk. Each case says which one it used.
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A folder where writes fail beyond `kib` KiB, and how to run afb there. */
export interface SmallDisk {
  readonly dir: string;
  readonly mode: 'tmpfs' | 'file-size-limit';
  /** Put before `node bin/afb.js` (the file-size-limit double); empty for a tmpfs. */
  readonly prefix: readonly string[];
  release(): Promise<void>;
}

/** Try to mount a tmpfs at `dir` with mount options `opts`; true when it worked. */
function tryMount(dir: string, opts: string): boolean {
  return spawnSync('mount', ['-t', 'tmpfs', '-o', opts, 'tmpfs', dir], { stdio: 'ignore' }).status === 0;
}

function unmount(dir: string): void {
  spawnSync('umount', [dir], { stdio: 'ignore' });
}

/** The file-write double: run afb in a shell whose file size limit is `kib` KiB (ulimit -f counts 512-byte blocks). */
export function fileSizeLimitPrefix(kib: number): string[] {
  return ['sh', '-c', `ulimit -f ${kib * 2} && exec "$@"`, 'sh'];
}

/** A folder on a full-after-`kib`-KiB disk: a tmpfs if one can be mounted, else the file-size-limit double. */
export async function makeSmallDisk(dir: string, kib: number): Promise<SmallDisk> {
  await mkdir(dir, { recursive: true });
  if (tryMount(dir, `size=${kib}k`)) {
    return { dir, mode: 'tmpfs', prefix: [], release: async () => unmount(dir) };
  }
  return { dir, mode: 'file-size-limit', prefix: fileSizeLimitPrefix(kib), release: async () => undefined };
}

/** An unwritable folder: a read-only tmpfs if one can be mounted, else mode 0555 (which binds a non-root user). */
export async function makeReadOnlyDir(dir: string): Promise<{ mode: 'read-only tmpfs' | 'chmod 0555'; release(): Promise<void> }> {
  await mkdir(dir, { recursive: true });
  if (tryMount(dir, 'ro,size=64k')) return { mode: 'read-only tmpfs', release: async () => unmount(dir) };
  await chmod(dir, 0o555);
  const probe = join(dir, '.probe');
  const writable = await writeFile(probe, '').then(() => true, () => false);
  if (writable) {
    await rm(probe, { force: true });
    await chmod(dir, 0o755);
    throw new Error(`cannot make an unwritable folder here (root without mount rights): ${dir}`);
  }
  return { mode: 'chmod 0555', release: async () => chmod(dir, 0o755) };
}
