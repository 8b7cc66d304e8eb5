import type { RequestDeclared } from '../../shared/schemas/requests.ts';
import type { HandlingCode, MessageCodes, Payload } from '../../shared/crypto/index.ts';
import type { FeedData, ReadMarker, Receipt } from '../../shared/schemas/channels.ts';
import type { DeskNotice } from '../../shared/realtime.ts';

export type { DeskNotice };

/** A decrypted message as the SDK hands it to the application. */
export interface ReceivedMessage {
  channelId: string;
  messageId: string;
  seq: number;
  senderId: string;
  handling: HandlingCode;
  /** Evaluation and handling conditions (PROTOCOL.md §8.2); `{}` when the message carries none. Absent in caches from before. */
  codes?: MessageCodes;
  payload: Payload;
  /** The time to display and order by: the server's stamp (`createdAt`), PROTOCOL.md §7.1. */
  sentAt: number;
  /** The sender's signed header time (its own clock's claim); never displayed as the message time. */
  headerTime: number;
  /** True when `headerTime` is outside the tolerance of §7.1 (a `message_time_skew` notice was emitted). */
  timeSkew: boolean;
  ackRequired: boolean;
  forwardedFrom: string | null;
  /** A request message: its declared metadata, checked against the payload (PROTOCOL.md §9.2). */
  request?: RequestDeclared;
  /** From `history`: true when I acknowledged this message (on any device; the server keeps it). */
  acknowledgedByMe?: boolean;
  /** A reply (`payload.replyTo`): its quote checked against the original I hold (PROTOCOL.md §9.3 R1). */
  reply?: 'verified' | 'mismatch' | 'unavailable' | 'withdrawn';
  /** True when the payload's `mentions` name me (§9.3 **Mentions**). */
  mentionsMe?: boolean;
  /** Accepted edits, oldest first; the last is the text to show (§9.3 C6). */
  edits?: { messageId: string; text: string; reason?: string; at: number }[];
  /** Withdrawn by its sender: the payload is the redaction, the original content was dropped (§9.3 C6). */
  withdrawn?: { messageId: string; by: string; reason: string; at: number };
  /** An `edit` or `redaction`: applied, or why not (§9.3 C1–C5; anything but target-unavailable is a violation). */
  correction?: { status: 'applied' | 'rejected' | 'target-unavailable'; code?: string };
}

/** A correction was applied to a message I hold: `target` is the message as it stands now. */
export interface CorrectionNotice {
  channelId: string;
  target: ReceivedMessage;
  correction: ReceivedMessage;
}

/** Another member is typing in a channel (ephemeral, PROTOCOL.md §9.3 **Typing**). */
export interface TypingNotice {
  channelId: string;
  officerId: string;
}

export interface MembershipChange {
  channelId: string;
  epoch: number;
  kind: string;
  actorOfficerId: string;
  /** Member ids after the event. */
  members: string[];
}

export interface InvitationNotice {
  id: string;
  channelId: string;
  inviteeId: string;
  createdBy: string;
  status: string;
}

export interface ChannelNotice {
  channelId: string;
  readOnly: string | null;
  rekeyRequired: string[];
  data: FeedData<'channel'>;
}

export type SecurityKind =
  | 'key_changed'
  | 'certificate_superseded'
  | 'keylog_foreign_entry'
  | 'keylog_equivocation'
  | 'keylog_invalid'
  | 'root_invalid'
  | 'root_fork'
  | 'chain_invalid'
  | 'key_envelope_invalid'
  | 'message_rejected'
  | 'message_replayed'
  | 'message_time_skew'
  | 'audit_rollback'
  /** PROTOCOL.md §4.5: another device was added to my account (informational: check it was you). */
  | 'device_added'
  /** This installation's device had been revoked; it continues as a new device. */
  | 'device_revoked';

export interface SecurityNotice {
  kind: SecurityKind;
  message: string;
  officerId?: string;
  channelId?: string;
  code?: string;
}

export type ConnectionState = 'connecting' | 'connected' | 'disconnected' | 'signed_out';

export interface LiaisonEvents {
  message: ReceivedMessage;
  /** An edit or redaction changed a message I hold (after its `message` event). */
  corrected: CorrectionNotice;
  /** Another member is typing (shown for 5 s unless repeated). */
  typing: TypingNotice;
  /** A receipt from another officer for one of my messages. */
  receipt: Receipt;
  /** My own read or acknowledged receipt, given on this or another of my devices. */
  ownReceipt: Receipt;
  /** My read marker moved (on this or another of my devices): messages up to `seq` are read. */
  readMarker: ReadMarker;
  membership: MembershipChange;
  invitation: InvitationNotice;
  channel: ChannelNotice;
  security: SecurityNotice;
  connection: { state: ConnectionState; reason?: string };
  /** A request arrived at one of my desks or was claimed (content-free; read it with `desks.inbox`). */
  desk: DeskNotice;
}

export type Handler<T> = (event: T) => void;

/** A small typed emitter: a handler that throws does not stop the others. */
export class TypedEmitter<M extends object> {
  private readonly handlers = new Map<keyof M, Set<Handler<never>>>();

  on<K extends keyof M>(event: K, handler: Handler<M[K]>): () => void {
    let set = this.handlers.get(event);
    if (!set) {
      set = new Set();
      this.handlers.set(event, set);
    }
    set.add(handler as Handler<never>);
    return () => this.off(event, handler);
  }

  once<K extends keyof M>(event: K, handler: Handler<M[K]>): () => void {
    const off = this.on(event, (e) => {
      off();
      handler(e);
    });
    return off;
  }

  off<K extends keyof M>(event: K, handler: Handler<M[K]>): void {
    this.handlers.get(event)?.delete(handler as Handler<never>);
  }

  emit<K extends keyof M>(event: K, payload: M[K]): void {
    for (const h of [...(this.handlers.get(event) ?? [])]) {
      try {
        (h as Handler<M[K]>)(payload);
      } catch (err) {
        // Application handlers must not break the receive pipeline; report instead of rethrowing.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }

  listenerCount<K extends keyof M>(event: K): number {
    return this.handlers.get(event)?.size ?? 0;
  }
}
