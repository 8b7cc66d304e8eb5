/** Columns of `messages m` that make a StoredMessage (shared by history and sync); the PostgreSQL twin of the SQLite list. */
export const STORED_MESSAGE_COLUMNS = `m.channel_id AS "mChannelId", m.id AS "mId", m.seq AS "mSeq", m.sender_id AS "mSenderId",
  m.epoch AS "mEpoch", m.handling AS "mHandling", m.envelope AS "mEnvelope", m.ack_required AS "mAckRequired",
  m.forwarded_from AS "mForwardedFrom", m.created_at AS "mCreatedAt", m.request_meta AS "mRequest",
  (SELECT coalesce(json_agg(attachment_id ORDER BY attachment_id COLLATE "C"), '[]'::json)::text FROM message_attachments WHERE message_pk = m.pk) AS "mAttachments"`;
