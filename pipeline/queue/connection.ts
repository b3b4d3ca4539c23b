// The Redis connection of the queue commands: URL + TLS files -> ioredis options (pure part
// tested on literal URLs), file reading, and a ping that fails with a typed error.
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { Redis, type RedisOptions } from 'ioredis';
import { parseRedisUrl, redactRedisUrl, REDIS_URL_ENV } from '../../configs/queue-options.js';
import { InputError, InvalidOptionError } from '../errors.js';
import { QueueConnectionError } from './queue-errors.js';

/** Connection settings as resolved from the options (file names, not contents). */
export interface RedisSettings {
  readonly redis: string;
  readonly redisTlsCa?: string | undefined;
  readonly redisTlsCert?: string | undefined;
  readonly redisTlsKey?: string | undefined;
  readonly redisTlsServername?: string | undefined;
}

/** PEM contents read from the TLS files. */
export interface TlsMaterial {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
}

/**
 * ioredis options for a URL: host, port, user, password and database from the URL; TLS (with the
 * given CA, client certificate, key and server name) for rediss://. TLS files with a plain
 * redis:// URL are refused rather than silently sending the password in clear.
 */
export function buildRedisOptions(settings: RedisSettings, tls: TlsMaterial = {}): RedisOptions {
  if (!settings.redis) throw new InvalidOptionError('--redis', `a Redis URL (or $${REDIS_URL_ENV})`, settings.redis);
  const url = new URL(parseRedisUrl(settings.redis, '--redis'));
  const secure = url.protocol === 'rediss:';
  const tlsGiven = settings.redisTlsCa ?? settings.redisTlsCert ?? settings.redisTlsKey ?? settings.redisTlsServername;
  if (!secure && tlsGiven !== undefined) {
    throw new InvalidOptionError('--redis', 'a rediss:// URL when TLS options are given', redactRedisUrl(settings.redis));
  }
  if ((settings.redisTlsCert === undefined) !== (settings.redisTlsKey === undefined)) {
    throw new InvalidOptionError('--redis-tls-cert/--redis-tls-key', 'both or neither', settings.redisTlsCert ?? settings.redisTlsKey);
  }
  const db = url.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) throw new InvalidOptionError('--redis', 'a database number after the host (/0)', redactRedisUrl(settings.redis));
  const host = url.hostname.replace(/^\[|\]$/g, ''); // [::1] -> ::1
  // SNI carries names only (RFC 6066): an IP host is verified against the certificate's IP entries.
  const servername = settings.redisTlsServername ?? (isIP(host) ? undefined : host);
  const tlsOptions: TlsOptions = {
    ...(tls.ca ? { ca: tls.ca } : {}),
    ...(tls.cert ? { cert: tls.cert } : {}),
    ...(tls.key ? { key: tls.key } : {}),
    ...(servername ? { servername } : {}),
  };
  return {
    host,
    port: url.port ? Number(url.port) : 6379,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    db: db === '' ? 0 : Number(db),
    ...(secure ? { tls: tlsOptions } : {}),
    // BullMQ workers block on Redis and must retry forever (a Redis restart is waited out).
    maxRetriesPerRequest: null,
  };
}

async function readPem(path: string | undefined, what: string): Promise<string | undefined> {
  if (path === undefined) return undefined;
  return readFile(path, 'utf8').catch((cause: unknown) => {
    throw new InputError(path, `Cannot read the ${what}`, { cause });
  });
}

/** Read the TLS files and build the connection options (no connection is made). */
export async function loadRedisOptions(settings: RedisSettings): Promise<RedisOptions> {
  buildRedisOptions(settings); // validate before reading files
  const [ca, cert, key] = await Promise.all([
    readPem(settings.redisTlsCa, 'Redis TLS CA file'),
    readPem(settings.redisTlsCert, 'Redis TLS client certificate'),
    readPem(settings.redisTlsKey, 'Redis TLS client key'),
  ]);
  return buildRedisOptions(settings, { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) });
}

/**
 * Check that Redis answers within `timeoutMs` (one short-lived connection that does not retry),
 * so that a wrong URL or password is a QueueConnectionError instead of an endless retry loop.
 */
export async function pingRedis(options: RedisOptions, url: string, timeoutMs = 5000): Promise<void> {
  const client = new Redis({ ...options, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: timeoutMs, enableOfflineQueue: false });
  // connect() rejects with a bare "Connection is closed"; the reason (TLS, refused...) comes as an event.
  let reason: unknown;
  client.on('error', (e: unknown) => (reason ??= e));
  try {
    await client.connect();
    await client.ping();
  } catch (cause) {
    throw new QueueConnectionError(redactRedisUrl(url), reason ?? cause);
  } finally {
    client.disconnect();
  }
}
