import type { ErrorCode } from './errors.ts';
import type { FeedItem, SendResult } from './schemas/channels.ts';
import type { ReceiptEvent, SendEvent, TypingEvent } from './schemas/realtime.ts';

// Types only (and REALTIME_PATH): the SDK imports this module at runtime; the TypeBox schemas of the
// client→server payloads are in shared/schemas/realtime.ts, for the server's handlers.
export type { ReceiptEvent, SendEvent, TypingEvent };

// ---- server → client payloads ----

export interface TypingNotice {
  channelId: string;
  officerId: string;
  typing: boolean;
}

export interface PresenceNotice {
  officerId: string;
  online: boolean;
}

/**
 * Desk intake (docs/DESKS.md "Desk intake"): a request arrived at a desk or was claimed. Content-free and not
 * durable (like presence): sent to the sockets of the desk's members and supervisors; `inbox()` has the rest.
 */
export interface DeskNotice {
  deskId: string;
  kind: 'request' | 'claimed';
  /** The server's id of the stored request. */
  requestId: string;
  /** The claimer, for `claimed`. */
  officerId?: string;
  at: number;
}

export interface SessionEnded {
  /** 'logout', 'token_expired', 'suspended', 'rate_limited', or the revocation's reason. */
  reason: string;
}

/** The error body of HTTP (`{ error: { code, message } }`). */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
}

/**
 * Acknowledgement of a client→server event: the result, or the same error body as HTTP plus the
 * status HTTP would have answered with.
 */
export type AckResult<T> = { ok: true; data: T } | { ok: false; error: ErrorBody; status: number };
export type Ack<T> = (res: AckResult<T>) => void;

/** Server → client events (socket.io). */
export interface ServerToClientEvents {
  /** Every durable item (message, membership, key_envelope, receipt, invitation, channel), in feed order. */
  feed: (item: FeedItem) => void;
  typing: (e: TypingNotice) => void;
  presence: (e: PresenceNotice) => void;
  desk: (e: DeskNotice) => void;
  /** Sent just before the server disconnects the socket (token expired or revoked, suspended). */
  session_ended: (e: SessionEnded) => void;
}

/** Client → server events (socket.io). Each validates its payload and answers through the ack. */
export interface ClientToServerEvents {
  send: (e: SendEvent, ack: Ack<SendResult>) => void;
  receipt: (e: ReceiptEvent, ack: Ack<{ stored: number }>) => void;
  typing: (e: TypingEvent) => void;
}

/** The `connect_error` a rejected handshake gives the client: `err.message` plus `err.data.code`. */
export type ConnectErrorData = { code: ErrorCode };

export const REALTIME_PATH = '/socket.io';
