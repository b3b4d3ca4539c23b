// The Redis connection end to end: a password and TLS (rediss://, a private CA made with openssl)
// against a real redis-server that serves TLS only; wrong settings fail with typed errors that
// never show the password.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, removeTempDir } from './helpers/media.js';
import { runAfb } from './helpers/cli.js';
import { startTestRedis, type TestRedis } from '../bench/lib/redis-server.js';

const PASSWORD = 's3cret-Pa55';
let dir = '';
let redis: TestRedis;
let ca = '';

/** A CA and a server certificate for 127.0.0.1 signed by it (openssl, a few ms each). */
async function makeCertificates(d: string): Promise<{ ca: string; cert: string; key: string }> {
  const f = (n: string) => join(d, n);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=afb test CA');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=127.0.0.1');
  await writeFile(f('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  ssl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('server.pem'), '-days', '2', '-extfile', f('san.ext'));
  return { ca: f('ca.pem'), cert: f('server.pem'), key: f('server.key') };
}

beforeAll(async () => {
  dir = await makeTempDir('queue-tls-');
  await mkdir(join(dir, 'redis'));
  const certs = await makeCertificates(dir);
  ca = certs.ca;
  redis = await startTestRedis(join(dir, 'redis'), { password: PASSWORD, tls: certs });
}, 120_000);

afterAll(async () => {
  await redis?.stop();
  await removeTempDir(dir);
});

describe('Redis connection', () => {
  it('rediss:// with a password and --redis-tls-ca reaches the queue', async () => {
    expect(redis.url.startsWith(`rediss://:${PASSWORD}@127.0.0.1:`)).toBe(true);
    const r = await runAfb(['--json', 'queue', 'status', '--redis', redis.url, '--redis-tls-ca', ca]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ queue: 'afb', counts: { waiting: 0, active: 0, completed: 0, failed: 0 } });
    // No URL at all (neither --redis nor $AFB_REDIS_URL): InvalidOptionError before connecting.
    const none = await runAfb(['queue', 'status', '--redis-tls-ca', ca]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/InvalidOptionError: Expected a Redis URL \(or \$AFB_REDIS_URL\) for --redis/);
  });

  it('an unknown CA, a wrong password or TLS options with redis:// fail with typed errors, the password never shown', async () => {
    const noCa = await runAfb(['queue', 'status', '--redis', redis.url]);
    expect(noCa.code).toBe(1);
    expect(noCa.stderr).toMatch(/QueueConnectionError: Cannot reach Redis at rediss:\/\/:\*\*\*@127\.0\.0\.1:\d+: .*(certificate|self-signed)/i);
    const wrong = await runAfb(['queue', 'status', '--redis', redis.url.replace(PASSWORD, 'nope'), '--redis-tls-ca', ca]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/QueueConnectionError: .*(WRONGPASS|invalid username-password)/i);
    const plain = await runAfb(['queue', 'status', '--redis', redis.url.replace('rediss:', 'redis:'), '--redis-tls-ca', ca]);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toMatch(/InvalidOptionError: Expected a rediss:\/\/ URL when TLS options are given/);
    for (const r of [noCa, wrong, plain]) expect(r.stderr).not.toContain(PASSWORD);
  });
});
