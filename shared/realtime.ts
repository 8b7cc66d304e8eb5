import type { FeedItem, SendMessageBody, SendResult } from './schemas/channels.ts';

/** Acknowledgement of a client→server event: the result, or the same error body as HTTP. */
export type Ack<T> = (res: { ok: true; data: T } | { ok: false; error: { code: string; message: string } }) => void;

/** Server → client events (socket.io). */
export interface ServerToClientEvents {
  /** Every durable item (message, membership, key_envelope, receipt, invitation, channel), in feed order. */
  feed: (item: FeedItem) => void;
  typing: (e: { channelId: string; officerId: string; typing: boolean }) => void;
  presence: (e: { officerId: string; online: boolean }) => void;
  /** Sent just before the server disconnects the socket (token expired or revoked, suspended). */
  session_ended: (e: { reason: string }) => void;
}

/** Client → server events (socket.io). Each validates its payload and answers through the ack. */
export interface ClientToServerEvents {
  send: (e: { channelId: string } & SendMessageBody, ack: Ack<SendResult>) => void;
  receipt: (e: { channelId: string; kind: 'delivered' | 'read' | 'acknowledged'; messageIds: string[] }, ack: Ack<{ stored: number }>) => void;
  typing: (e: { channelId: string; typing: boolean }) => void;
}

export const REALTIME_PATH = '/socket.io';
