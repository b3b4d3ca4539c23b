// The queue's pure parts: Redis URL -> connection options, job ids, forwarded options, temporary
// names, progress throttling, recorded errors and the status summary (no Redis needed).
import { describe, expect, it } from 'vitest';
import type { Job } from 'bullmq';
import { parseRedisUrl, redactRedisUrl } from '../configs/queue-options.js';
import { VIDEO_OPTIONS } from '../configs/video-options.js';
import { CorruptInputError, InvalidOptionError } from '../pipeline/errors.js';
import { buildRedisOptions } from '../pipeline/queue/connection.js';
import { absolutizePaths, reviveOptions } from '../pipeline/queue/forward-options.js';
import { jobIdFor } from '../pipeline/queue/job-key.js';
import { recordError } from '../pipeline/queue/queue-errors.js';
import { isTempNameFor } from '../pipeline/io/temp-files.js';
import { checkAllowedPaths, isInside, jobPaths, PathNotAllowedError } from '../pipeline/queue/allowed-paths.js';
import { formatQueueStatus, summarizeJobs } from '../pipeline/queue/status.js';
import { progressReporter } from '../pipeline/queue/worker-runtime.js';
import type { JobProgress } from '../pipeline/queue/job-types.js';

describe('Redis connection options', () => {
  it('takes host, port, user, password (URL-decoded) and database from the URL', () => {
    const o = buildRedisOptions({ redis: 'redis://afb:p%40ss%3Aw@10.1.2.3:6380/4' });
    expect(o).toMatchObject({ host: '10.1.2.3', port: 6380, username: 'afb', password: 'p@ss:w', db: 4, maxRetriesPerRequest: null });
    expect(o.tls).toBeUndefined();
    expect(buildRedisOptions({ redis: 'redis://[::1]' })).toMatchObject({ host: '::1', port: 6379, db: 0 });
  });

  it('rediss:// turns TLS on with the CA, client certificate and server name passed through', () => {
    const o = buildRedisOptions({ redis: 'rediss://:secret@redis.lan:6380', redisTlsCa: 'ca.pem', redisTlsCert: 'c.pem', redisTlsKey: 'k.pem', redisTlsServername: 'queue.internal' },
      { ca: 'CA-PEM', cert: 'CERT-PEM', key: 'KEY-PEM' });
    expect(o).toMatchObject({ host: 'redis.lan', port: 6380, password: 'secret', tls: { ca: 'CA-PEM', cert: 'CERT-PEM', key: 'KEY-PEM', servername: 'queue.internal' } });
    expect(buildRedisOptions({ redis: 'rediss://redis.lan' }).tls).toEqual({ servername: 'redis.lan' });
    expect(buildRedisOptions({ redis: 'rediss://10.0.0.5:6380' }).tls).toEqual({}); // no SNI for an IP (RFC 6066)
  });

  it('refuses TLS files with a plain redis:// URL, half a client pair, other schemes; never echoes the password', () => {
    expect(() => buildRedisOptions({ redis: 'redis://:pw@h', redisTlsCa: 'ca.pem' })).toThrow(/rediss:\/\/ URL when TLS options are given for --redis but received "redis:\/\/:\*\*\*@h"/);
    expect(() => buildRedisOptions({ redis: 'rediss://h', redisTlsCert: 'c.pem' })).toThrow(InvalidOptionError);
    expect(() => parseRedisUrl('http://:hunter2@h:6379', '--redis')).toThrow(/redis:\/\/ or rediss:\/\/ URL for --redis but received "http:\/\/:\*\*\*@h:6379"/);
    expect(() => buildRedisOptions({ redis: '' })).toThrow(/AFB_REDIS_URL/);
    expect(() => buildRedisOptions({ redis: 'redis://h/x' })).toThrow(/database number/);
    expect(redactRedisUrl('rediss://user:pw@h:1/0')).toBe('rediss://user:***@h:1/0');
    expect(redactRedisUrl('redis://h:1')).toBe('redis://h:1');
  });
});

describe('job ids', () => {
  const base = { kind: 'video', inputHash: 'ab'.repeat(32), output: '/out/a.mp4', options: { crf: 18, tile: 'auto', fps: { num: 25, den: 1 } } };
  it('depend on content, output and options, not on key order', () => {
    const id = jobIdFor(base);
    expect(id).toMatch(/^afb-[0-9a-f]{40}$/);
    expect(jobIdFor({ ...base, options: { fps: { den: 1, num: 25 }, tile: 'auto', crf: 18 } })).toBe(id);
    expect(jobIdFor({ ...base, inputHash: 'cd'.repeat(32) })).not.toBe(id);
    expect(jobIdFor({ ...base, output: '/out/b.mp4' })).not.toBe(id);
    expect(jobIdFor({ ...base, options: { ...base.options, crf: 19 } })).not.toBe(id);
  });
});

describe('forwarded options', () => {
  it('a worker resolves the given raw values with the same records as afb video', () => {
    const o = reviveOptions(VIDEO_OPTIONS, { fps: '30000/1001', crf: '20', slowmo: true, tile: 'off' });
    expect(o.fps).toEqual({ num: 30000, den: 1001 });
    expect(o.crf).toBe(20);
    expect(o.slowmo).toBe(true);
    expect(o.tile).toBe(0);
    expect(o.guidance).toBe('video'); // a default
    expect(o.ensemble).toBe(1); // a default
    expect(reviveOptions(VIDEO_OPTIONS, { ensemble: '4' }).ensemble).toBe(4);
    expect(() => reviveOptions(VIDEO_OPTIONS, { ensemble: '3' })).toThrow(/--ensemble/);
    expect(() => reviveOptions(VIDEO_OPTIONS, { crf: '99' })).toThrow(/--crf/);
    expect(() => reviveOptions(VIDEO_OPTIONS, { warpDrive: '9' })).toThrow(/update afb on this worker\) for job options but received "warpDrive"/);
  });

  it('relative values naming existing files become absolute; words stay words', () => {
    const exists = (p: string) => ['/w/m.onnx', '/w/g/guide.npy'].includes(p);
    expect(absolutizePaths({ model: 'm.onnx', guidance: 'g/guide.npy', flow: 'builtin', codec: 'h264', predictor: 'missing.onnx', flowModel: '/abs/r.onnx', crf: '18' }, '/w', exists))
      .toEqual({ model: '/w/m.onnx', guidance: '/w/g/guide.npy', flow: 'builtin', codec: 'h264', predictor: 'missing.onnx', flowModel: '/abs/r.onnx', crf: '18' });
  });
});

describe('stale temporary outputs', () => {
  it('matches only afb temporary names of that output', () => {
    expect(isTempNameFor('.afb-tmp-0a1b2c3d-clip.mp4', 'clip.mp4')).toBe(true);
    expect(isTempNameFor('.afb-tmp-p4242-0a1b2c3d-clip.mp4', 'clip.mp4')).toBe(true); // names carry the writer's pid
    expect(isTempNameFor('.afb-tmp-0a1b2c3d-clip.mp4', 'lip.mp4')).toBe(false);
    expect(isTempNameFor('.afb-tmp-0a1b2c3d-clip.mp4.bak', 'clip.mp4')).toBe(false);
    expect(isTempNameFor('clip.mp4', 'clip.mp4')).toBe(false);
    expect(isTempNameFor('.afb-tmp-xyz-clip.mp4', 'clip.mp4')).toBe(false);
  });
});

describe('--allow-paths', () => {
  it('accepts paths inside the folders only, after normalising', () => {
    expect(isInside('/media/in/a.mp4', '/media')).toBe(true);
    expect(isInside('/media', '/media/')).toBe(true);
    expect(isInside('/media-other/a.mp4', '/media')).toBe(false);
    expect(isInside('/media/../etc/passwd', '/media')).toBe(false);
    expect(jobPaths({ input: '/m/a.mp4', output: '/o/a.mp4', photos: [{ path: '/p/1.png' }], crf: 3 })).toEqual(['/m/a.mp4', '/o/a.mp4', '/p/1.png']);
    expect(() => checkAllowedPaths(['/m/a.mp4', '/o/a.mp4'], ['/m', '/o'])).not.toThrow();
    expect(() => checkAllowedPaths(['/m/a.mp4'], undefined)).not.toThrow();
    const error = (() => { try { checkAllowedPaths(['/m/a.mp4', '/etc/x'], ['/m']); } catch (e) { return e; } return undefined; })();
    expect(error).toBeInstanceOf(PathNotAllowedError);
    expect(error).toMatchObject({ path: '/etc/x', allowed: ['/m'], message: 'Path outside --allow-paths (/m): /etc/x' });
  });
});

describe('progress reports', () => {
  it('at most one per interval, and always the last', () => {
    const sent: number[] = [];
    let now = 0;
    const report = progressReporter((p) => sent.push(p.done), { unit: 'frames', startedAt: 0, worker: 'w' }, 1000, () => now);
    for (const [t, done] of [[0, 7], [400, 14], [999, 21], [1000, 28], [1500, 35], [1600, 42]] as const) {
      now = t;
      report(done, 42);
    }
    expect(sent).toEqual([7, 28, 42]);
  });
});

describe('recorded errors', () => {
  it('keep the typed error name, message and fields', () => {
    const r = recordError(new CorruptInputError('/in/a.mp4', 12, 'Video is corrupt or truncated'));
    expect(r).toEqual({ name: 'CorruptInputError', message: 'Video is corrupt or truncated (at frame 12): /in/a.mp4', fields: { exitCode: 1, path: '/in/a.mp4', frameIndex: 12 } });
    expect(recordError('plain')).toEqual({ name: 'Error', message: 'plain', fields: {} });
  });
});

describe('queue status', () => {
  const job = (o: Partial<Job>): Job => ({ id: 'j', name: 'video', data: {}, attemptsMade: 0, ...o }) as Job;
  it('sums throughput over the jobs that did work, lists running and failed jobs', () => {
    const progress: JobProgress = { done: 70, total: 140, unit: 'frames', startedAt: 10_000, worker: 'h:1' };
    const s = summarizeJobs('q', { waiting: 1, active: 1, delayed: 0, completed: 3, failed: 1, waitingChildren: 0 },
      [job({ id: 'a', data: { output: '/o/a.mp4' }, progress })],
      [job({ id: 'f', data: { input: '/i/f.mp4' }, attemptsMade: 3, failedReason: 'CorruptInputError: bad', progress: { ...progress, error: { name: 'CorruptInputError', message: 'bad', fields: {} } } })],
      [
        job({ processedOn: 1000, finishedOn: 3000, returnvalue: { output: 'x', skipped: false, done: 140, unit: 'frames', seconds: 2, worker: 'h:1' } }),
        job({ processedOn: 2000, finishedOn: 6000, returnvalue: { output: 'y', skipped: false, done: 210, unit: 'frames', seconds: 4, worker: 'h:2' } }),
        job({ processedOn: 7000, finishedOn: 7001, returnvalue: { output: 'z', skipped: true, done: 0, unit: 'frames', seconds: 0, worker: 'h:2' } }),
      ], 17_000);
    expect(s.throughput).toEqual({ jobs: 3, skipped: 1, done: 350, spanSeconds: 5, perSecond: 70, meanJobSeconds: 3 });
    expect(s.active).toEqual([{ id: 'a', kind: 'video', output: '/o/a.mp4', worker: 'h:1', done: 70, total: 140, unit: 'frames', rate: 10, attempt: 1 }]);
    expect(s.failed).toEqual([{ id: 'f', kind: 'video', input: '/i/f.mp4', attempts: 3, reason: 'CorruptInputError: bad', error: { name: 'CorruptInputError', message: 'bad', fields: {} } }]);
    const text = formatQueueStatus(s);
    expect(text).toMatch(/1 waiting, 1 active, 0 delayed \(retry backoff\), 3 done, 1 failed/);
    expect(text).toMatch(/active a video -> \/o\/a.mp4: 70\/140 frames \(50%\), 10.00 frames\/s on h:1/);
    expect(text).toMatch(/failed f video \/i\/f.mp4 after 3 attempt\(s\): CorruptInputError: bad/);
  });
});
