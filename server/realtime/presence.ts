import type { SharedRedis } from '../redis.ts';
import { CHANNEL_ROOM_PREFIX, channelRoom, officerRoom, type RealtimeServer, type RealtimeSocket } from './types.ts';

/** Each node re-writes its presence entry this often (docs/CLUSTER.md "Redis"). */
export const PRESENCE_HEARTBEAT_MS = 5_000;
/** A node whose heartbeat is older than this is dead: its officers count as gone (and are announced so). */
export const PRESENCE_NODE_TTL_MS = 15_000;

// Keys (KEYS[1] the set of nodes scored by the time their entry expires; per node a hash officerId → 1)
// are one Redis instance's, and expire when no node writes them any more. Every script reads the clock
// of Redis, never a node's.
const NOW = "local t = redis.call('TIME'); local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)";
/** How many live nodes hold officer ARGV[2] (the caller's node ARGV[1] set or unset first by ARGV[3]). */
const SET_SCRIPT = `${NOW}
local ttl = tonumber(ARGV[4])
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ttl * 4)
if ARGV[3] == '1' then redis.call('HSET', KEYS[2], ARGV[2], 1) else redis.call('HDEL', KEYS[2], ARGV[2]) end
redis.call('PEXPIRE', KEYS[2], ttl * 4)
local n = 0
for _, node in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], now, '+inf')) do
  if redis.call('HEXISTS', ARGV[5] .. node, ARGV[2]) == 1 then n = n + 1 end
end
return n`;
/**
 * The heartbeat: replaces this node's hash with its officers (ARGV[4..]), renews its liveness, and
 * reaps dead nodes; returns the officers a reaped node held that no live node holds (now offline).
 */
const HEARTBEAT_SCRIPT = `${NOW}
local ttl = tonumber(ARGV[2])
redis.call('DEL', KEYS[2])
for i = 4, #ARGV do redis.call('HSET', KEYS[2], ARGV[i], 1) end
redis.call('PEXPIRE', KEYS[2], ttl * 4)
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ttl * 4)
local gone = {}
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. now)
if #dead == 0 then return gone end
local live = redis.call('ZRANGEBYSCORE', KEYS[1], now, '+inf')
for _, node in ipairs(dead) do
  for _, officer in ipairs(redis.call('HKEYS', ARGV[3] .. node)) do
    local held = false
    for _, other in ipairs(live) do
      if redis.call('HEXISTS', ARGV[3] .. other, officer) == 1 then held = true; break end
    end
    if not held then table.insert(gone, officer) end
  end
  redis.call('DEL', ARGV[3] .. node)
  redis.call('ZREM', KEYS[1], node)
end
return gone`;
const ONLINE_SCRIPT = `${NOW}
for _, node in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], now, '+inf')) do
  if redis.call('HEXISTS', ARGV[1] .. node, ARGV[2]) == 1 then return 1 end
end
return 0`;

export interface SharedPresenceOptions {
  redis: SharedRedis;
  nodeId: string;
  /** The channels of an officer (for announcing the officers of a dead node offline). */
  channelsOf: (officerId: string) => Promise<string[]>;
  onError: (err: unknown) => void;
}

/**
 * Online/offline to channel co-members, once per transition of the officer's presence: on one node,
 * the first connection and the last disconnection; with Redis (several nodes), the first connection
 * on any node and the last disconnection from all of them (a node that dies without a word stops
 * counting after PRESENCE_NODE_TTL_MS, and a live node announces its officers offline). While Redis
 * is unreachable each node announces what it sees itself, to its own sockets.
 */
export class Presence {
  private readonly online = new Map<string, number>();
  private readonly shared: SharedPresenceOptions | undefined;
  private readonly heartbeat: NodeJS.Timeout | undefined;
  private readonly nodesKey: string = '';
  private readonly nodeKeyPrefix: string = '';

  constructor(
    private readonly io: RealtimeServer,
    shared?: SharedPresenceOptions,
  ) {
    this.shared = shared;
    if (!shared) return;
    this.nodesKey = `${shared.redis.prefix}presence:nodes`;
    this.nodeKeyPrefix = `${shared.redis.prefix}presence:node:`;
    this.heartbeat = setInterval(() => void this.beat(), PRESENCE_HEARTBEAT_MS).unref();
    // After an outage this node's entry is rewritten at once (transitions during it were not recorded).
    shared.redis.cmd.on('ready', () => void this.beat());
  }

  connected(socket: RealtimeSocket): void {
    const id = socket.data.actor.officerId;
    const n = (this.online.get(id) ?? 0) + 1;
    this.online.set(id, n);
    if (n === 1) this.transition(id, true, channelRoomsOf(socket));
  }

  /** Call on 'disconnecting', while the socket still lists its rooms. */
  disconnecting(socket: RealtimeSocket): void {
    const id = socket.data.actor.officerId;
    const n = (this.online.get(id) ?? 1) - 1;
    if (n > 0) {
      this.online.set(id, n);
      return;
    }
    this.online.delete(id);
    this.transition(id, false, channelRoomsOf(socket));
  }

  /** Connected to any live node (Redis), or to this one while Redis is unreachable. */
  async isOnline(officerId: string): Promise<boolean> {
    const s = this.shared;
    if (!s || !s.redis.ready()) return this.online.has(officerId);
    try {
      return (await s.redis.cmd.eval(ONLINE_SCRIPT, 1, this.nodesKey, this.nodeKeyPrefix, officerId)) === 1;
    } catch {
      return this.online.has(officerId);
    }
  }

  /** Stops the heartbeat and withdraws this node's entry (its sockets are gone by then). */
  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    const s = this.shared;
    if (!s || !s.redis.ready()) return;
    await s.redis.cmd.multi().del(this.nodeKey()).zrem(this.nodesKey, s.nodeId).exec().catch(() => undefined);
  }

  private nodeKey(): string {
    return `${this.nodeKeyPrefix}${this.shared!.nodeId}`;
  }

  private transition(officerId: string, online: boolean, rooms: string[]): void {
    const s = this.shared;
    if (!s || !s.redis.ready()) return this.announce(officerId, online, rooms);
    const args = [s.nodeId, officerId, online ? '1' : '0', String(PRESENCE_NODE_TTL_MS), this.nodeKeyPrefix];
    s.redis.cmd.eval(SET_SCRIPT, 2, this.nodesKey, this.nodeKey(), ...args).then(
      (nodes) => {
        // Online: this node is the only one holding the officer; offline: no node holds them.
        if (nodes === (online ? 1 : 0)) this.announce(officerId, online, rooms);
      },
      (err: unknown) => {
        s.onError(err);
        this.announce(officerId, online, rooms);
      },
    );
  }

  private async beat(): Promise<void> {
    const s = this.shared;
    if (!s || !s.redis.ready()) return;
    try {
      const args = [s.nodeId, String(PRESENCE_NODE_TTL_MS), this.nodeKeyPrefix, ...this.online.keys()];
      const gone = (await s.redis.cmd.eval(HEARTBEAT_SCRIPT, 2, this.nodesKey, this.nodeKey(), ...args)) as string[];
      for (const officerId of gone) {
        if (this.online.has(officerId)) continue;
        const channels = await s.channelsOf(officerId);
        this.announce(officerId, false, channels.map(channelRoom));
      }
    } catch (err) {
      s.onError(err);
    }
  }

  private announce(officerId: string, online: boolean, rooms: string[]): void {
    // Through the adapter: co-members on every node hear it.
    if (rooms.length > 0) this.io.to(rooms).except(officerRoom(officerId)).emit('presence', { officerId, online });
  }
}

function channelRoomsOf(socket: RealtimeSocket): string[] {
  return [...socket.rooms].filter((r) => r.startsWith(CHANNEL_ROOM_PREFIX));
}
