/**
 * The connection to Redis that the nodes of a cluster share ephemeral state through (docs/CLUSTER.md,
 * "Redis"): socket.io's Redis adapter (presence, typing), presence counts with node heartbeats, and the
 * HTTP rate-limit counters. Nothing durable lives there: a Redis outage degrades presence and typing
 * to one node and rate limits to per-node counters, and never stops a message.
 */
import type { FastifyBaseLogger } from 'fastify';
import { Redis, type RedisOptions } from 'ioredis';

/** A command that waits longer than this for Redis fails (the caller falls back to this node's view). */
const COMMAND_TIMEOUT_MS = 500;

export interface SharedRedis {
  /** Commands and publishes: fails at once while Redis is unreachable (no offline queue). */
  readonly cmd: Redis;
  /** The adapter's subscriptions: queued until Redis is reachable, resubscribed after a reconnect. */
  readonly sub: Redis;
  /** Every key and pub/sub channel starts with this (REDIS_PREFIX). */
  readonly prefix: string;
  /** True while the command connection is up. */
  ready(): boolean;
  close(): Promise<void>;
}

/** A rejected promise from these methods is answered here (socket.io's adapter never awaits them). */
function swallowRejections(client: Redis, methods: readonly string[]): void {
  const target = client as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const name of methods) {
    const original = target[name]!.bind(client);
    target[name] = (...args: unknown[]) => original(...args).catch(() => 0);
  }
}

/** Opens both connections without waiting for them: a node starts (degraded) while Redis is down. */
export function openRedis(config: { url: string; prefix: string }, log: FastifyBaseLogger): SharedRedis {
  const common: RedisOptions = {
    // Reconnect for ever, at most every 2 s.
    retryStrategy: (times) => Math.min(times * 100, 2_000),
    connectionName: 'liaison',
  };
  const cmd = new Redis(config.url, { ...common, enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: COMMAND_TIMEOUT_MS });
  const sub = new Redis(config.url, { ...common, maxRetriesPerRequest: null });
  // The adapter publishes and (un)subscribes without handling the promise: an outage must not become
  // an unhandled rejection (which would end the process).
  swallowRejections(cmd, ['publish']);
  swallowRejections(sub, ['subscribe', 'psubscribe', 'unsubscribe', 'punsubscribe']);
  // Logged on changes of state only, not on every reconnect attempt. The URL may hold a password: never logged.
  let up = false;
  cmd.on('ready', () => {
    up = true;
    log.info('redis: connected');
  });
  const down = (err?: Error): void => {
    if (!up) return;
    up = false;
    log.warn({ errName: err?.name, errCode: (err as { code?: string } | undefined)?.code }, 'redis: connection lost; presence and typing stay on this node and rate limits are per node until it returns');
  };
  cmd.on('error', down);
  cmd.on('close', () => down());
  sub.on('error', () => {});
  return {
    cmd,
    sub,
    prefix: config.prefix,
    ready: () => cmd.status === 'ready',
    async close() {
      cmd.disconnect();
      sub.disconnect();
    },
  };
}
