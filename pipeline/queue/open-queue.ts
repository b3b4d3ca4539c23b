// Open the BullMQ queue named by the options after checking that Redis answers.
import { Queue } from 'bullmq';
import type { RedisOptions } from 'ioredis';
import { loadRedisOptions, pingRedis, type RedisSettings } from './connection.js';

/** A queue plus the connection options it was opened with (workers and flows reuse them). */
export interface OpenedQueue {
  readonly queue: Queue;
  readonly connection: RedisOptions;
}

/** Validate the settings, read TLS files, ping Redis (typed error), then open the queue. */
export async function openQueue(settings: RedisSettings & { readonly queueName: string }): Promise<OpenedQueue> {
  const connection = await loadRedisOptions(settings);
  await pingRedis(connection, settings.redis);
  const queue = new Queue(settings.queueName, { connection });
  queue.on('error', () => undefined); // connection errors surface through the awaited calls
  return { queue, connection };
}
