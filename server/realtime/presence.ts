import { CHANNEL_ROOM_PREFIX, officerRoom, type RealtimeServer, type RealtimeSocket } from './types.ts';

/** Online/offline to channel co-members, on an officer's first connection and last disconnection. */
export class Presence {
  private readonly online = new Map<string, number>();

  constructor(private readonly io: RealtimeServer) {}

  connected(socket: RealtimeSocket): void {
    const id = socket.data.actor.officerId;
    const n = (this.online.get(id) ?? 0) + 1;
    this.online.set(id, n);
    if (n === 1) this.announce(socket, true);
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
    this.announce(socket, false);
  }

  isOnline(officerId: string): boolean {
    return this.online.has(officerId);
  }

  private announce(socket: RealtimeSocket, online: boolean): void {
    const officerId = socket.data.actor.officerId;
    const rooms = [...socket.rooms].filter((r) => r.startsWith(CHANNEL_ROOM_PREFIX));
    if (rooms.length > 0) this.io.to(rooms).except(officerRoom(officerId)).emit('presence', { officerId, online });
  }
}
