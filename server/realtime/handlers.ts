import type { FastifyBaseLogger } from 'fastify';
import { Compile } from 'typebox/compile';
import { ReceiptEvent, SendEvent, TypingEvent } from '../../shared/schemas/realtime.ts';
import type { AccessDenialAuditor } from '../audit/access-denials.ts';
import type { MessagesService } from '../messages/service.ts';
import { channelRoom, officerRoom, type RealtimeSocket } from './types.ts';
import { onAcked, onEvent } from './typed-handler.ts';

const checkSend = Compile(SendEvent);
const checkReceipt = Compile(ReceiptEvent);
const checkTyping = Compile(TypingEvent);
/** Clients send `typing` at most every 3 s; the server relays at most one per second per socket and channel. */
export const TYPING_RELAY_MS = 1_000;

/** Refused attempts (a foreign channel) are audited as over HTTP; never throws. */
async function auditDenial(accessDenials: AccessDenialAuditor, socket: RealtimeSocket, err: unknown, route: string, targetId: string, log: FastifyBaseLogger): Promise<void> {
  try {
    await accessDenials.fromError(socket.data.actor, err, { route, targetId });
  } catch (auditErr) {
    log.error({ err: auditErr }, 'could not audit a refused access attempt');
  }
}

/** send / receipt / typing: validate, then the same services as HTTP; never throws. */
export interface HandlerDeps {
  messages: Pick<MessagesService, 'sendMessage' | 'recordReceipts'>;
  accessDenials: AccessDenialAuditor;
}

export function registerHandlers(socket: RealtimeSocket, deps: HandlerDeps, log: FastifyBaseLogger): void {
  const { messages, accessDenials } = deps;
  const { actor } = socket.data;

  onAcked(socket, 'send', checkSend, ({ channelId, ...body }) => messages.sendMessage(socket.data.actor, channelId, body), {
    log,
    refused: (err, p) => auditDenial(accessDenials, socket, err, 'socket send', p.channelId, log),
  });

  onAcked(socket, 'receipt', checkReceipt, (p) => messages.recordReceipts(socket.data.actor, p.channelId, p.kind, p.messageIds), {
    log,
    refused: (err, p) => auditDenial(accessDenials, socket, err, 'socket receipt', p.channelId, log),
  });

  // PROTOCOL.md §9.3 Typing: relayed at most once per TYPING_RELAY_MS per socket and channel, never stored.
  const typedAt = new Map<string, number>();
  onEvent(socket, 'typing', checkTyping, (p) => {
    const room = channelRoom(p.channelId);
    // Rooms mirror current membership, so this is the membership check.
    if (!socket.rooms.has(room)) return;
    const now = performance.now();
    if (now - (typedAt.get(p.channelId) ?? -Infinity) < TYPING_RELAY_MS) return;
    typedAt.set(p.channelId, now);
    if (typedAt.size > 256) typedAt.clear();
    socket.to(room).except(officerRoom(actor.officerId)).emit('typing', { channelId: p.channelId, officerId: actor.officerId, typing: p.typing ?? true });
  });
}
