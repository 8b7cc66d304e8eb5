import type { FastifyRateLimitOptions, FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import LocalStore from '@fastify/rate-limit/store/LocalStore.js';
import RedisStore from '@fastify/rate-limit/store/RedisStore.js';
import type { SharedRedis } from '../redis.ts';

type Result = { current: number; ttl: number };
type Callback = (error: Error | null, result?: Result) => void;

/**
 * Rate-limit counters shared by the nodes through Redis, with this node's in-memory counters kept
 * alongside (docs/CLUSTER.md "Redis"). Every request counts in both; the answer is the higher count,
 * so the limit holds across nodes while Redis is up, and while it is down (or slow) each node keeps
 * enforcing the limit on its own share: the fallback never lets a request through unlimited.
 */
class SharedStore implements FastifyRateLimitStore {
  constructor(
    private readonly redis: SharedRedis,
    private readonly local: FastifyRateLimitStore,
    private readonly shared: FastifyRateLimitStore,
    private readonly onError: (err: Error) => void,
  ) {}

  incr(key: string, callback: Callback, timeWindow: number, max: number): void {
    this.local.incr(key, (localErr, mine) => {
      if (localErr || !mine) return callback(localErr ?? new Error('rate limit: no local count'));
      if (!this.redis.ready()) return callback(null, mine);
      this.shared.incr(key, (err, all) => {
        if (err || !all) {
          if (err) this.onError(err);
          return callback(null, mine);
        }
        callback(null, all.current >= mine.current ? all : mine);
      }, timeWindow, max);
    }, timeWindow, max);
  }

  child(routeOptions: Parameters<FastifyRateLimitStore['child']>[0]): FastifyRateLimitStore {
    return new SharedStore(this.redis, this.local.child(routeOptions), this.shared.child(routeOptions), this.onError);
  }
}

/** The `store` option of @fastify/rate-limit for a node with Redis. */
export function sharedRateLimitStore(redis: SharedRedis, onError: (err: Error) => void): FastifyRateLimitStoreCtor {
  return class extends SharedStore {
    constructor(options: FastifyRateLimitOptions) {
      // The plugin passes its resolved global parameters, which carry these too (its types omit them).
      const params = options as FastifyRateLimitOptions & { continueExceeding?: boolean; exponentialBackoff?: boolean; cache?: number };
      const continueExceeding = params.continueExceeding ?? false;
      const exponentialBackoff = params.exponentialBackoff ?? false;
      super(redis, new LocalStore(continueExceeding, exponentialBackoff, params.cache), new RedisStore(continueExceeding, exponentialBackoff, redis.cmd, `${redis.prefix}rate:`), onError);
    }
  };
}
