/**
 * Compile-time tests of the socket.io event maps (socket.io's `test-d` style): never run, checked by
 * `tsc --noEmit` (tsconfig includes test/, and `npm test` typechecks first). Each `@ts-expect-error`
 * fails the build if the line it marks starts to compile.
 */
import type { Socket as ClientSocket } from 'socket.io-client';
import { Compile } from 'typebox/compile';
import type { ErrorCode } from '../../shared/errors.ts';
import type { AckResult, ClientToServerEvents, ServerToClientEvents } from '../../shared/realtime.ts';
import { ReceiptEvent, SendEvent } from '../../shared/schemas/realtime.ts';
import type { FeedItem, SendResult } from '../../shared/schemas/channels.ts';
import { onAcked, onEvent, type AckedEvent, type ResultOf } from '../../server/realtime/typed-handler.ts';
import type { RealtimeServer, RealtimeSocket } from '../../server/realtime/types.ts';

const checkReceipt = Compile(ReceiptEvent);
const checkSend = Compile(SendEvent);

type Client = ClientSocket<ServerToClientEvents, ClientToServerEvents>;
declare const log: Parameters<typeof onAcked>[4]['log'];
declare const sendBody: Omit<SendEvent, 'channelId'>;

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const assert = <T extends true>(): T => true as T;

export function serverEmits(io: RealtimeServer, socket: RealtimeSocket, item: FeedItem): void {
  io.to('channel:x').emit('feed', item);
  socket.emit('presence', { officerId: 'o', online: true });
  socket.emit('session_ended', { reason: 'logout' });
  io.to(['officer:a', 'officer:b']).emit('desk', { deskId: 'd', kind: 'request', requestId: 'r', at: 0 });
  // @ts-expect-error a desk notice is a request or a claim, nothing else
  io.to('officer:a').emit('desk', { deskId: 'd', kind: 'message', requestId: 'r', at: 0 });
  // @ts-expect-error no such server→client event
  io.emit('feeds', item);
  // @ts-expect-error presence needs `online`
  socket.emit('presence', { officerId: 'o' });
  // @ts-expect-error a feed item is not a typing notice
  socket.emit('typing', item);
}

export function clientEmitsAndListens(c: Client): void {
  c.emit('send', { channelId: 'c', ...sendBody }, (res) => {
    if (res.ok) assert<Equal<typeof res.data, SendResult>>();
    else assert<Equal<typeof res.error.code, ErrorCode>>();
  });
  c.emit('receipt', { channelId: 'c', kind: 'read', messageIds: ['m'] }, (res: AckResult<{ stored: number }>) => void res);
  c.emit('typing', { channelId: 'c', typing: true });
  // @ts-expect-error no such client→server event
  c.emit('sned', { channelId: 'c', ...sendBody }, () => undefined);
  // @ts-expect-error an unknown receipt kind
  c.emit('receipt', { channelId: 'c', kind: 'seen', messageIds: ['m'] }, () => undefined);
  // @ts-expect-error typing carries a boolean
  c.emit('typing', { channelId: 'c', typing: 'yes' });
  c.on('feed', (item) => {
    // The feed item narrows on kind.
    if (item.kind === 'message') assert<Equal<typeof item.data.seq, number>>();
  });
  // @ts-expect-error the server sends no such event
  c.on('feeds', () => undefined);
}

export function typedHandlers(socket: RealtimeSocket): void {
  assert<Equal<AckedEvent, 'send' | 'receipt'>>();
  assert<Equal<ResultOf<'receipt'>, { stored: number }>>();
  onAcked(socket, 'receipt', checkReceipt, (p) => ({ stored: p.messageIds.length }), { log });
  // @ts-expect-error the result must match the ack's type
  onAcked(socket, 'receipt', checkReceipt, () => ({ stored: 'many' }), { log });
  // @ts-expect-error the schema must check the event's payload
  onAcked(socket, 'send', checkReceipt, () => ({}) as SendResult, { log });
  // @ts-expect-error typing is not acknowledged
  onAcked(socket, 'typing', checkReceipt, () => undefined, { log });
  // @ts-expect-error send is acknowledged: use onAcked
  onEvent(socket, 'send', checkSend, () => undefined);
}
