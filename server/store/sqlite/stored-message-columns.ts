/** Columns of `messages m` that make a StoredMessage (shared by history and sync). */
export const STORED_MESSAGE_COLUMNS = `m.channel_id AS mChannelId, m.id AS mId, m.seq AS mSeq, m.sender_id AS mSenderId,
  m.epoch AS mEpoch, m.handling AS mHandling, m.envelope AS mEnvelope, m.ack_required AS mAckRequired,
  m.forwarded_from AS mForwardedFrom, m.created_at AS mCreatedAt, m.request_meta AS mRequest,
  (SELECT json_group_array(attachment_id) FROM message_attachments WHERE message_pk = m.pk) AS mAttachments`;
