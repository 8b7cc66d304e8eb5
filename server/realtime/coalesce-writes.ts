/**
 * One TCP write per flush instead of one per frame. engine.io buffers the packets emitted while a
 * WebSocket write is in flight and flushes them together, but ws writes each frame with its own
 * `writev` syscall; after a group commit a member receives one frame per message of the batch.
 * Corking the connection's TCP socket around the flush hands the kernel the whole batch at once
 * (measured in `npm run bench` send: about half the writev calls and their CPU). Frames, their order
 * and their bytes are unchanged.
 */

interface Corkable {
  cork(): void;
  uncork(): void;
}

/** The parts of engine.io's WebSocket transport this relies on (engine.io 6, ws 8). */
interface EngineTransport {
  name: string;
  send(packets: unknown[]): void;
  socket?: { _socket?: Corkable };
}

export interface EngineSocket {
  transport: EngineTransport;
  on(event: 'upgrade', fn: (transport: EngineTransport) => void): unknown;
}

const wrapped = new WeakSet<EngineTransport>();

function coalesce(transport: EngineTransport): void {
  if (transport.name !== 'websocket' || wrapped.has(transport)) return;
  const tcp = transport.socket?._socket;
  if (!tcp || typeof tcp.cork !== 'function') return;
  wrapped.add(transport);
  const send = transport.send.bind(transport);
  transport.send = (packets) => {
    if (packets.length < 2) return send(packets);
    tcp.cork();
    try {
      send(packets);
    } finally {
      tcp.uncork();
    }
  };
}

/** Applies to the connection's transport now and after an upgrade from long-polling. */
export function coalesceWrites(socket: EngineSocket): void {
  coalesce(socket.transport);
  socket.on('upgrade', coalesce);
}
