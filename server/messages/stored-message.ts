import type { StoredMessage } from '../../shared/schemas/channels.ts';

/** A stored message as the history and sync queries return it (columns prefixed `m`). */
export interface StoredMessageRow {
  mChannelId: string;
  mId: string;
  mSeq: number;
  mSenderId: string;
  mEpoch: number;
  mHandling: string;
  mEnvelope: string;
  mAckRequired: number;
  mForwardedFrom: string | null;
  mCreatedAt: number;
  mAttachments: string;
  /** Declared request metadata (JSON) or null. */
  mRequest: string | null;
}

export function toStoredMessage(r: StoredMessageRow): StoredMessage {
  return {
    channelId: r.mChannelId,
    messageId: r.mId,
    seq: r.mSeq,
    senderId: r.mSenderId,
    epoch: r.mEpoch,
    handling: r.mHandling as StoredMessage['handling'],
    envelope: JSON.parse(r.mEnvelope) as Record<string, unknown>,
    ackRequired: r.mAckRequired === 1,
    attachmentIds: JSON.parse(r.mAttachments) as string[],
    forwardedFrom: r.mForwardedFrom,
    createdAt: r.mCreatedAt,
    ...(r.mRequest !== null ? { request: JSON.parse(r.mRequest) as StoredMessage['request'] } : {}),
  };
}

/**
 * The JSON of toStoredMessage(r), written directly: the stored envelope (canonical JSON, written by
 * JSON.stringify on the send path) and the attachment array (SQLite json_group_array) are embedded as
 * they are instead of being parsed and serialised again. Same keys, same order.
 */
export function storedMessageJson(r: StoredMessageRow): string {
  return (
    `{"channelId":${JSON.stringify(r.mChannelId)},"messageId":${JSON.stringify(r.mId)},"seq":${r.mSeq},` +
    `"senderId":${JSON.stringify(r.mSenderId)},"epoch":${r.mEpoch},"handling":${JSON.stringify(r.mHandling)},` +
    `"envelope":${r.mEnvelope},"ackRequired":${r.mAckRequired === 1},"attachmentIds":${r.mAttachments},` +
    `"forwardedFrom":${JSON.stringify(r.mForwardedFrom)},"createdAt":${r.mCreatedAt}${r.mRequest !== null ? `,"request":${r.mRequest}` : ''}}`
  );
}
