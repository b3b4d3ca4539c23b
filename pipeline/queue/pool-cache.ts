// A worker process keeps one decomposition pool per (model, provider) for all its jobs: starting
// the ONNX sessions costs far more than a frame. Closed when the worker exits.
import type { Provider } from '../runtime/session.js';
import type { Logger } from '../log.js';
import { DecomposePool } from '../frame/pool.js';

/** Lazily created pools, shared by the jobs of one worker process. */
export class PoolCache {
  private readonly pools = new Map<string, Promise<DecomposePool>>();
  constructor(private readonly settings: { readonly workers: number; readonly threads: number; readonly log: Logger }) {}

  /** The pool for a method's networks and a provider (created on first use). */
  get(models: { readonly modelPath?: string; readonly motionModelPath?: string }, provider: Provider): Promise<DecomposePool> {
    const key = `${provider}\0${models.modelPath ?? ''}\0${models.motionModelPath ?? ''}`;
    let pool = this.pools.get(key);
    if (!pool) {
      const name = models.modelPath ?? models.motionModelPath ?? 'the physics alone';
      if (this.pools.size > 0) this.settings.log.warn(`jobs use several models: another pool of ${this.settings.workers} workers for ${name}`);
      const { workers, threads, log } = this.settings;
      pool = DecomposePool.create({ ...models, provider, workers, threads, warn: (m) => log.warn(m) });
      pool.catch(() => this.pools.delete(key)); // a bad model fails its job; the next job tries again
      this.pools.set(key, pool);
    }
    return pool;
  }

  /** Stop every pool (running frames finish first: see DecomposePool.cancel). */
  async closeAll(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map(async (p) => (await p.catch(() => undefined))?.cancel()));
  }
}
