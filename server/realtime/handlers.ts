import type { FastifyBaseLogger } from 'fastify';
import { Type } from 'typebox';
import { Compile } from 'typebox/compile';
import { RECEIPT_KINDS, SendMessageBody } from '../../shared/schemas/channels.ts';
import { Id } from '../../shared/schemas/common.ts';
import type { AccessDenialAuditor } from '../audit/access-denials.ts';
import type { MessagesService } from '../messages/service.ts';
import { mapError } from '../http/error-handler.ts';
import { channelRoom, officerRoom, type RealtimeSocket } from './types.ts';

const SendEvent = Compile(Type.Object({ channelId: Id, ...SendMessageBody.properties }, { additionalProperties: false }));
const ReceiptEvent = Compile(
  Type.Object(
    { channelId: Id, kind: Type.Enum(RECEIPT_KINDS), messageIds: Type.Array(Id, { minItems: 1, maxItems: 500, uniqueItems: true }) },
    { additionalProperties: false },
  ),
);
const TypingEvent = Compile(Type.Object({ channelId: Id, typing: Type.Boolean() }, { additionalProperties: false }));

type ErrorBody = { code: string; message: string };
type AckFn = (res: { ok: true; data: unknown } | { ok: false; error: ErrorBody }) => void;

/** socket.io gives whatever the client sent: only a function is an ack. */
function ackOf(ack: unknown): AckFn {
  return typeof ack === 'function' ? (ack as AckFn) : () => undefined;
}

function invalid(what: string): { ok: false; error: ErrorBody } {
  return { ok: false, error: { code: 'validation_failed', message: `Malformed ${what} payload` } };
}

/** The same mapping as HTTP (server/http/error-handler.ts): a full disk is `insufficient_storage`, a busy database `unavailable`. */
export function errorBody(err: unknown, log: FastifyBaseLogger): ErrorBody {
  const mapped = mapError(err instanceof Error ? err : new Error(String(err)));
  if (mapped.status >= 500 && mapped.status !== 503 && mapped.status !== 507) log.error({ err }, 'realtime handler failed');
  return { code: mapped.code, message: mapped.message };
}

/** Refused attempts (a foreign channel) are audited as over HTTP; never throws. */
function auditDenial(accessDenials: AccessDenialAuditor, socket: RealtimeSocket, err: unknown, route: string, targetId: string, log: FastifyBaseLogger): void {
  try {
    accessDenials.fromError(socket.data.actor, err, { route, targetId });
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

  socket.on('send', async (payload: unknown, rawAck: unknown) => {
    const ack = ackOf(rawAck);
    if (!SendEvent.Check(payload)) return ack(invalid('send'));
    const { channelId, ...body } = payload;
    try {
      ack({ ok: true, data: await messages.sendMessage(socket.data.actor, channelId, body) });
    } catch (err) {
      auditDenial(accessDenials, socket, err, 'socket send', channelId, log);
      ack({ ok: false, error: errorBody(err, log) });
    }
  });

  socket.on('receipt', async (payload: unknown, rawAck: unknown) => {
    const ack = ackOf(rawAck);
    if (!ReceiptEvent.Check(payload)) return ack(invalid('receipt'));
    try {
      ack({ ok: true, data: await messages.recordReceipts(socket.data.actor, payload.channelId, payload.kind, payload.messageIds) });
    } catch (err) {
      auditDenial(accessDenials, socket, err, 'socket receipt', payload.channelId, log);
      ack({ ok: false, error: errorBody(err, log) });
    }
  });

  socket.on('typing', (payload: unknown) => {
    if (!TypingEvent.Check(payload)) return;
    const room = channelRoom(payload.channelId);
    // Rooms mirror current membership, so this is the membership check.
    if (!socket.rooms.has(room)) return;
    socket.to(room).except(officerRoom(actor.officerId)).emit('typing', { channelId: payload.channelId, officerId: actor.officerId, typing: payload.typing });
  });
}
