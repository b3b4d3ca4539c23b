// A private redis-server for tests and benchmarks: Debian's binary (scripts/setup.sh installs it) on a
// free loopback port, listening on 127.0.0.1 only, its files in a temporary folder; stopped by the caller.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A running test Redis. */
export interface TestRedis {
  readonly url: string;
  readonly port: number;
  /** Stop it (SIGTERM; with `persist`, Redis writes its append-only file first). */
  stop(): Promise<void>;
  /** Stop and start again on the same port and folder (a Redis restart mid-run). */
  restart(): Promise<void>;
}

/** A port that was free a moment ago on 127.0.0.1. */
export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** How to start the test Redis. */
export interface TestRedisOptions {
  /** Keep an append-only file in the folder (a restart keeps the data). */
  readonly persist?: boolean;
  /** requirepass. */
  readonly password?: string;
  /** Serve TLS only (no plain port) with these PEM files; clients need no certificate. */
  readonly tls?: { readonly cert: string; readonly key: string; readonly ca: string };
}

function launch(port: number, dir: string, o: TestRedisOptions): Promise<ChildProcess> {
  const persist = o.persist ?? false;
  const listen = o.tls
    ? ['--port', '0', '--tls-port', String(port), '--tls-cert-file', o.tls.cert, '--tls-key-file', o.tls.key, '--tls-ca-cert-file', o.tls.ca, '--tls-auth-clients', 'no']
    : ['--port', String(port)];
  const args = [
    ...listen, ...(o.password ? ['--requirepass', o.password] : []), '--bind', '127.0.0.1', '--protected-mode', 'yes', '--dir', dir,
    // No RDB snapshots; with `persist` an append-only file in `dir` (so a restart keeps the queue).
    '--save', '', '--appendonly', persist ? 'yes' : 'no', '--appendfsync', 'always',
    '--daemonize', 'no', '--loglevel', 'notice', '--logfile', '',
  ];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 15_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (/ready to accept connections/i.test(out)) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('error', (e) => { clearTimeout(timer); reject(e); });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`redis-server exited with ${code}: ${out}`)); });
  });
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const closed = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await closed;
  clearTimeout(timer);
}

/** Start redis-server on a free 127.0.0.1 port with its files in `dir`. */
export async function startTestRedis(dir: string, options: TestRedisOptions = {}): Promise<TestRedis> {
  const port = await freeLoopbackPort();
  let child = await launch(port, dir, options);
  // Redis prints its readiness line before it exits on errors, and stdout must keep draining.
  child.stdout!.resume();
  return {
    url: `${options.tls ? 'rediss' : 'redis'}://${options.password ? `:${options.password}@` : ''}127.0.0.1:${port}`,
    port,
    stop: () => terminate(child),
    async restart() {
      await terminate(child);
      child = await launch(port, dir, options);
      child.stdout!.resume();
    },
  };
}
