import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { REALTIME_PATH, type Ack } from '../../shared/realtime.ts';
import type { DomainEvents } from '../events.ts';
import { clientIp, PerIpCounter } from '../http/connection-limits.ts';
import { securityHeaders } from '../http/security-headers.ts';
import { socketAuthenticator } from './auth.ts';
import { registerHandlers } from './handlers.ts';
import { ExpirySchedule } from './expiry.ts';
import { coalesceWrites, type EngineSocket } from './coalesce-writes.ts';
import { Presence } from './presence.ts';
import { CHANNEL_ROOM_PREFIX, channelRoom, officerRoom, type RealtimeServer, type RealtimeSocket, type SocketData } from './types.ts';

/** How long a dropped connection can resume with the packets it missed (then it syncs). */
const RECOVERY_WINDOW_MS = 2 * 60_000;
/** Cluster mode: how often every socket's session is re-checked (backs up the liaison_session notification). */
const SESSION_RECHECK_MS = 5_000;
/** Longest a handshake waits for the node's feed reader to start and for the membership read. */
const ROOMS_TIMEOUT_MS = 10_000;

/** socket.io on the app's HTTP server (see docs/MESSAGING.md, "Realtime"). */
export function attachRealtime(app: FastifyInstance): RealtimeServer {
  const { ctx } = app;
  const log = app.log.child({ component: 'realtime' });
  const m = ctx.config.messaging;
  const { limits, trustProxy } = ctx.config;
  const sessions = new PerIpCounter(limits.maxConnectionsPerIp);
  const slots = new WeakMap<IncomingMessage, () => void>();
  const handshakeLimit = app.createRateLimit();
  // Several nodes on PostgreSQL (docs/CLUSTER.md): delivery from the feed, no connection-state recovery.
  const cluster = ctx.store.cluster;
  // With Redis (cluster mode, REDIS_URL): ephemeral emits (presence, typing) reach every node's sockets
  // through socket.io's Redis adapter. Feed items and desk notices never do (io.local below): each node
  // emits them to its own sockets from the feed, and a broadcast copy would duplicate or reorder them.
  const { redis } = app;
  const io: RealtimeServer = new Server(app.server, {
    path: REALTIME_PATH,
    serveClient: false,
    maxHttpBufferSize: m.socketMaxPayloadBytes,
    // A handshake that never authenticates is dropped after this (socket.io's default is 45 s).
    connectTimeout: limits.socketConnectTimeoutMs,
    // engine.io handshakes never reach Fastify's hooks: the same per-IP rate limit, plus a cap on
    // concurrent sessions per IP (a long-polling session outlives its TCP connections).
    allowRequest: (req, callback) => {
      const ip = clientIp(req, trustProxy);
      // The limiter reads only ip and routeOptions.config from a Fastify request.
      const shim = { ip, routeOptions: { config: {} } } as unknown as FastifyRequest;
      handshakeLimit(shim).then(
        (r) => {
          if (!r.isAllowed && r.isExceeded) return callback('rate_limited: too many requests; slow down', false);
          const release = sessions.take(ip);
          if (!release) return callback('too_many_connections: too many connections from this address', false);
          slots.set(req, release);
          callback(null, true);
        },
        () => callback('unavailable: retry shortly', false),
      );
    },
    // Off with several nodes: a reconnect may land on another node, and a revoked or removed officer
    // must never be replayed missed packets; the SDK syncs from its cursor on every connect instead.
    ...(cluster ? {} : { connectionStateRecovery: { maxDisconnectionDuration: RECOVERY_WINDOW_MS, skipMiddlewares: false } }),
    ...(ctx.config.corsOrigins.length > 0 ? { cors: { origin: ctx.config.corsOrigins } } : {}),
    ...(redis ? { adapter: createAdapter(redis.cmd, redis.sub, { key: `${redis.prefix}socket.io` }) } : {}),
  });
  let presenceErrorAt = 0;
  const presence = new Presence(io, redis && {
    redis,
    nodeId: ctx.config.nodeId,
    channelsOf: (officerId) => ctx.store.read((r) => r.access.channelsOf(officerId)),
    // At most one line a minute while Redis fails (every connection would otherwise log).
    onError: (err) => {
      if (Date.now() - presenceErrorAt < 60_000) return;
      presenceErrorAt = Date.now();
      log.warn({ errName: err instanceof Error ? err.name : typeof err }, 'redis: presence update failed; announcing this node\'s view');
    },
  });
  io.engine.on('connection', (raw: EngineSocket & { request: IncomingMessage; once(event: 'close', fn: () => void): void }) => {
    coalesceWrites(raw);
    const release = slots.get(raw.request);
    slots.delete(raw.request);
    if (release) raw.once('close', release);
  });
  // A handshake allowed above that failed later (bad transport, upgrade error) gives its slot back.
  io.engine.on('connection_error', (e: { req: IncomingMessage }) => {
    slots.get(e.req)?.();
    slots.delete(e.req);
  });
  // socket.io answers its own HTTP requests (Fastify and helmet never see them): same headers here.
  const headers = securityHeaders(ctx.config);
  app.server.prependListener('request', (req, res) => {
    if (req.url?.startsWith(`${REALTIME_PATH}/`)) headers(req, res);
  });

  const end = (socket: RealtimeSocket, reason: string): void => {
    socket.emit('session_ended', { reason });
    socket.disconnect(true);
  };
  // One timer for every socket's token expiry (not a Timeout per socket).
  const expiry = new ExpirySchedule((socket) => end(socket, 'token_expired'));

  const socketsOf = (officerId: string): RealtimeSocket[] => {
    const ids = io.sockets.adapter.rooms.get(officerRoom(officerId));
    return ids ? [...ids].flatMap((id) => io.sockets.sockets.get(id) ?? []) : [];
  };

  /** Drops resumable sessions so a revoked or removed officer cannot replay missed room packets. */
  const forgetSessions = (match: (data: SocketData) => boolean): void => {
    // The in-memory adapter keeps recoverable sessions in a private map; nothing public removes them.
    const sessions = (io.sockets.adapter as unknown as { sessions?: Map<string, { data?: SocketData }> }).sessions;
    if (!(sessions instanceof Map)) return;
    for (const [pid, s] of sessions) if (s.data?.actor && match(s.data)) sessions.delete(pid);
  };

  /** Bumped by every membership change announced (after its commit); see syncRooms. */
  let membershipChanges = 0;

  /**
   * Rooms = current memberships, also after recovery (membership may have changed meanwhile). Read
   * on committed state; a membership change announced while the read was under way may have been
   * missed by it (and its join/leave found no socket in the room yet), so the read is repeated until
   * none came between. The officer's own room is joined at once, so nothing addressed to them is lost.
   */
  const syncRooms = async (socket: RealtimeSocket): Promise<void> => {
    const officerId = socket.data.actor.officerId;
    void socket.join(officerRoom(officerId));
    let ids: string[];
    let seen: number;
    do {
      seen = membershipChanges;
      ids = await ctx.store.read((r) => r.access.channelsOf(officerId));
    } while (seen !== membershipChanges);
    // Runs in the handshake middleware, before socket.io counts the socket as connected.
    if (socket.conn.readyState !== 'open') return;
    const current = new Set(ids.map(channelRoom));
    for (const room of socket.rooms) if (room.startsWith(CHANNEL_ROOM_PREFIX) && !current.has(room)) void socket.leave(room);
    void socket.join([...current]);
  };

  io.use(socketAuthenticator(app));
  /** Settles once this node's feed reader knows its start position (PostgreSQL); at once on SQLite. */
  let positioned: Promise<void> = Promise.resolve();
  // The rooms are joined before the handshake completes, so a client that syncs from its cursor on
  // `connect` misses nothing between the two: whatever commits after its sync began reaches the socket
  // live. On PostgreSQL the node's feed reader must also know where it starts (a node just started),
  // else items committed before that position but after the sync's snapshot would reach it by neither
  // path. A node that cannot do either in time refuses with `unavailable` (clients retry).
  io.use((socket, next) => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('the feed reader has not started')), ROOMS_TIMEOUT_MS);
    });
    Promise.race([positioned.then(() => syncRooms(socket)), late]).then(
      () => {
        clearTimeout(timer);
        next();
      },
      (err: unknown) => {
        clearTimeout(timer);
        log.warn({ err }, 'could not join the channel rooms; refusing the connection');
        next(Object.assign(new Error('The server cannot deliver live messages yet; retry shortly'), { data: { code: 'unavailable' } }));
      },
    );
  });
  io.on('connection', (socket) => {
    socket.use(([, ...args], next) => {
      const { bucket } = socket.data;
      if (bucket.take()) return next();
      const ack = args[args.length - 1];
      if (typeof ack === 'function') (ack as Ack<never>)({ ok: false, error: { code: 'rate_limited', message: 'Too many events; slow down' }, status: 429 });
      if (bucket.refusedInRow >= m.socketBurst * 2) end(socket, 'rate_limited');
    });
    registerHandlers(socket, ctx, log);
    const expiresAt = expiry.add(socket, socket.data.exp);
    // Presence is announced to the channel rooms, joined by the middleware above.
    let present = false;
    if (!socket.disconnected) {
      present = true;
      presence.connected(socket);
    }
    // 'disconnecting' always precedes 'disconnect' (socket.io's _onclose), rooms still listed.
    socket.on('disconnecting', () => {
      if (present) presence.disconnecting(socket);
      expiry.delete(socket, expiresAt);
    });
  });

  const onFeed = ({ recipientId, ...item }: DomainEvents['feed.appended'][0]): void => {
    io.local.to(recipientId ? officerRoom(recipientId) : channelRoom(item.channelId)).emit('feed', item);
  };
  const onMembers = ({ channelId, added, removed }: DomainEvents['channel.members_changed'][0]): void => {
    membershipChanges++;
    const room = channelRoom(channelId);
    for (const id of added) for (const s of socketsOf(id)) void s.join(room);
    for (const id of removed) for (const s of socketsOf(id)) void s.leave(room);
    if (removed.length > 0) forgetSessions((d) => removed.includes(d.actor.officerId));
  };
  const onRevoked = ({ officerId, sessionIds, reason }: DomainEvents['sessions.revoked'][0]): void => {
    forgetSessions((d) => d.actor.officerId === officerId && sessionIds.includes(d.actor.sessionId));
    for (const s of socketsOf(officerId)) if (sessionIds.includes(s.data.actor.sessionId)) end(s, reason);
  };
  const emitDesk = ({ officerIds, notice }: DomainEvents['desk.notice'][0]): void => {
    if (officerIds.length > 0) io.local.to(officerIds.map(officerRoom)).emit('desk', notice);
  };
  // Several nodes: the notice goes round through the database to every node (this one included), so
  // a desk member connected anywhere gets it; if the database cannot take it, this node's sockets still do.
  const onDesk = (e: DomainEvents['desk.notice'][0]): void => {
    if (!cluster) return emitDesk(e);
    cluster.broadcastDesk(e).catch((err: unknown) => {
      log.warn({ err }, 'desk notice not broadcast to the other nodes; delivered on this node only');
      emitDesk(e);
    });
  };
  const onSuspended = ({ officerId }: DomainEvents['officer.suspended'][0]): void => {
    forgetSessions((d) => d.actor.officerId === officerId);
    for (const s of socketsOf(officerId)) end(s, 'suspended');
  };
  // On SQLite the in-process publish delivers; on PostgreSQL the feed reader is the single emission
  // path (this node's own commits are read back from the feed too), so every socket's live stream is
  // strictly increasing in feed position whichever node committed.
  if (!cluster) ctx.events.on('feed.appended', onFeed);
  const following = cluster?.follow({
    feed: (items) => {
      for (const { item, officerIds } of items) {
        const { recipientId: _recipient, ...wire } = item;
        if (officerIds.length > 0) io.local.to(officerIds.map(officerRoom)).emit('feed', wire);
      }
    },
    sessions: (notice) => onRevoked(notice),
    desk: emitDesk,
  });
  if (following) positioned = following.positioned;
  // A revocation whose notification was missed (listener reconnecting) is still found: every socket's
  // session is re-checked against the database periodically.
  const recheck = cluster ? setInterval(() => void recheckSessions(), SESSION_RECHECK_MS).unref() : undefined;
  let rechecking = false;
  const recheckSessions = async (): Promise<void> => {
    if (rechecking) return;
    rechecking = true;
    try {
      for (const s of [...io.sockets.sockets.values()]) {
        const { actor } = s.data;
        if (!actor || s.disconnected) continue;
        const row = await ctx.store.read((r) => r.sessions.authRow(actor.sessionId, actor.officerId));
        if (!row || row.revokedAt !== null) end(s, 'session_revoked');
        else if (row.status !== 'active' || row.agencyStatus !== 'active') end(s, 'account_inactive');
      }
    } catch (err) {
      log.warn({ err }, 'session re-check failed; retrying on the next round');
    } finally {
      rechecking = false;
    }
  };
  ctx.events.on('channel.members_changed', onMembers);
  ctx.events.on('sessions.revoked', onRevoked);
  ctx.events.on('officer.suspended', onSuspended);
  ctx.events.on('desk.notice', onDesk);

  // preClose, not onClose: socket.io must let go of its connections before Fastify closes the server.
  app.addHook('preClose', async () => {
    ctx.events.off('feed.appended', onFeed);
    clearInterval(recheck);
    await following?.stop();
    ctx.events.off('channel.members_changed', onMembers);
    ctx.events.off('sessions.revoked', onRevoked);
    ctx.events.off('officer.suspended', onSuspended);
    ctx.events.off('desk.notice', onDesk);
    expiry.clear();
    await io.close();
    await presence.close();
  });
  return io;
}
