import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/realtime.ts';
import type { Actor } from '../auth/actor.ts';
import type { TokenBucket } from './rate-limit.ts';

export interface SocketData {
  actor: Actor;
  /** Access-token expiry, seconds since the epoch (JWT `exp`). */
  exp: number;
  bucket: TokenBucket;
}

type NoEvents = Record<string, never>;
export type RealtimeServer = Server<ClientToServerEvents, ServerToClientEvents, NoEvents, SocketData>;
export type RealtimeSocket = Socket<ClientToServerEvents, ServerToClientEvents, NoEvents, SocketData>;

export const officerRoom = (officerId: string): string => `officer:${officerId}`;
export const channelRoom = (channelId: string): string => `channel:${channelId}`;
export const CHANNEL_ROOM_PREFIX = 'channel:';
