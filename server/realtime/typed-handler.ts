import type { FastifyBaseLogger } from 'fastify';
import type { AckResult, ClientToServerEvents } from '../../shared/realtime.ts';
import { mapError } from '../http/error-handler.ts';
import type { RealtimeSocket } from './types.ts';

/** Client events answered through an ack (`send`, `receipt`), with their payload and result types. */
export type AckedEvent = {
  [E in keyof ClientToServerEvents]: Parameters<ClientToServerEvents[E]> extends [unknown, (res: AckResult<never>) => void] ? E : never;
}[keyof ClientToServerEvents];
export type PayloadOf<E extends keyof ClientToServerEvents> = Parameters<ClientToServerEvents[E]>[0];
export type ResultOf<E extends AckedEvent> = Parameters<ClientToServerEvents[E]>[1] extends (res: AckResult<infer T>) => void ? T : never;

/** A compiled TypeBox schema (typebox/compile): the payload check that makes the declared type true. */
export interface PayloadCheck<T> {
  Check(value: unknown): value is T;
}

/** socket.io hands a listener whatever the client sent; only these shapes are trusted after checking. */
type UntypedListener = (payload: unknown, ack: unknown) => void;
type UntypedOn = (event: string, listener: UntypedListener) => void;

const noAck = (): void => undefined;

/** The same mapping as HTTP (server/http/error-handler.ts), with the status HTTP would have sent. */
export function errorAck(err: unknown, log: FastifyBaseLogger): AckResult<never> {
  const mapped = mapError(err instanceof Error ? err : new Error(String(err)));
  // A full disk is `insufficient_storage` (507), a busy database `unavailable` (503): expected, not logged as failures.
  if (mapped.status >= 500 && mapped.status !== 503 && mapped.status !== 507) log.error({ err }, 'realtime handler failed');
  return { ok: false, error: { code: mapped.code, message: mapped.message }, status: mapped.status };
}

/**
 * Registers a handler for an acked client event: validates the payload against `check`, runs the
 * handler and answers `{ ok, data }`, or `{ ok: false, error, status }` as HTTP would; never throws.
 * `refused` sees every error first (to audit refused access, as the HTTP error handler does).
 */
export function onAcked<E extends AckedEvent>(
  socket: RealtimeSocket,
  event: E,
  check: PayloadCheck<PayloadOf<E>>,
  handler: (payload: PayloadOf<E>) => ResultOf<E> | Promise<ResultOf<E>>,
  opts: { log: FastifyBaseLogger; refused?: (err: unknown, payload: PayloadOf<E>) => void | Promise<void> },
): void {
  const run = async (payload: unknown, rawAck: unknown): Promise<void> => {
    const ack = typeof rawAck === 'function' ? (rawAck as (res: AckResult<ResultOf<E>>) => void) : noAck;
    if (!check.Check(payload)) return ack({ ok: false, error: { code: 'validation_failed', message: `Malformed ${event} payload` }, status: 400 });
    try {
      ack({ ok: true, data: await handler(payload) });
    } catch (err) {
      await opts.refused?.(err, payload);
      ack(errorAck(err, opts.log));
    }
  };
  const listener: UntypedListener = (payload, rawAck) => {
    run(payload, rawAck).catch((err: unknown) => opts.log.error({ err, event }, 'socket handler failed after answering'));
  };
  // The typed `on` would claim the payload is already a PayloadOf<E>; it is checked above instead.
  (socket.on as unknown as UntypedOn).call(socket, event, listener);
}

/** Registers a handler for an unacknowledged client event (`typing`): invalid payloads are dropped. */
export function onEvent<E extends Exclude<keyof ClientToServerEvents, AckedEvent>>(
  socket: RealtimeSocket,
  event: E,
  check: PayloadCheck<PayloadOf<E>>,
  handler: (payload: PayloadOf<E>) => void,
): void {
  const listener: UntypedListener = (payload) => {
    if (check.Check(payload)) handler(payload);
  };
  (socket.on as unknown as UntypedOn).call(socket, event, listener);
}
