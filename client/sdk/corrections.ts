/**
 * Replies, mentions and corrections on the receiving (and sending) side: PROTOCOL.md §9.3. Pure checks over the
 * messages a client holds; MessagingApi stores the results.
 */
import { compareHandling, replyExcerpt, vocabularyOf, type HandlingCode, type Payload, type ReplyRef } from '../../shared/crypto/index.ts';
import type { ReceivedMessage } from './events.ts';

/** Why a correction was not applied (§9.3 C1–C5); `correction/target-unavailable` is not a violation. */
export type CorrectionCode =
  | 'correction/target-unavailable'
  | 'correction/not-sender'
  | 'correction/bad-target'
  | 'correction/target-withdrawn'
  | 'correction/handling-lowered';

export type ReplyCheck = 'verified' | 'mismatch' | 'unavailable' | 'withdrawn';

/**
 * The text a reply quotes (§9.3 R1) and an edit replaces: `null` for kinds that cannot be quoted (keys, grants,
 * corrections themselves).
 */
export function quotableText(p: Payload): string | null {
  switch (p.kind) {
    case 'text':
    case 'case-note':
    case 'request-answer':
    case 'request-clarification':
    case 'request-refusal':
    case 'request-judicial-pending':
    case 'request-withdrawal':
      return p.text;
    case 'file':
      return p.caption ?? p.name;
    case 'request-for-assistance':
      return p.subject;
    case 'controlled-delivery-update':
      return p.operationRef;
    case 'reported-site':
      return p.url;
    case 'request':
      return p.requestedInformation;
    default:
      return null;
  }
}

/** The text a reader sees now: the last accepted edit, else the payload's own. */
export function currentText(m: ReceivedMessage): string | null {
  const last = m.edits?.at(-1);
  return last ? last.text : quotableText(m.payload);
}

/** §9.3 R1: a reply to a message I hold is checked against it (its original text or any accepted edit). */
export function checkReply(reply: ReplyRef, original: ReceivedMessage | null): ReplyCheck {
  if (!original) return 'unavailable';
  if (original.withdrawn) return 'withdrawn';
  if (reply.senderId !== undefined && reply.senderId !== original.senderId) return 'mismatch';
  const versions = [quotableText(original.payload), ...(original.edits ?? []).map((e) => e.text)];
  return versions.some((t) => t !== null && replyExcerpt(t) === reply.excerpt) ? 'verified' : 'mismatch';
}

/** The reply reference a client sends for `original` (§9.3 R1); null when the kind cannot be quoted. */
export function replyRefFor(original: ReceivedMessage): ReplyRef | null {
  if (original.withdrawn) return null;
  const text = currentText(original);
  return text === null ? null : { messageId: original.messageId, senderId: original.senderId, excerpt: replyExcerpt(text) };
}

/**
 * §9.3 C1–C5 for a correction (`edit` or `redaction`) against the target this client holds in the same channel;
 * null when it applies.
 */
export function correctionRefusal(correction: { senderId: string; handling: HandlingCode; seq: number; payload: Payload }, target: ReceivedMessage | null): CorrectionCode | null {
  const p = correction.payload;
  if (p.kind !== 'edit' && p.kind !== 'redaction') throw new Error('correctionRefusal: not a correction');
  if (!target) return 'correction/target-unavailable';
  if (target.senderId !== correction.senderId) return 'correction/not-sender';
  if (target.withdrawn) return 'correction/target-withdrawn';
  if (target.payload.kind === 'edit' || target.payload.kind === 'redaction' || (p.kind === 'edit' && target.payload.kind !== 'text')) return 'correction/bad-target';
  if (correction.seq >= 0 && target.seq >= 0 && target.seq >= correction.seq) return 'correction/bad-target';
  if (vocabularyOf(correction.handling) !== vocabularyOf(target.handling) || compareHandling(correction.handling, target.handling) < 0) return 'correction/handling-lowered';
  return null;
}

/** The target after an accepted correction: an edit appends a version; a redaction drops the content (§9.3 C6). */
export function applyCorrection(target: ReceivedMessage, correction: ReceivedMessage): ReceivedMessage {
  const p = correction.payload;
  if (p.kind === 'edit') {
    // Idempotent: my own edit is applied when sent and may come back through sync.
    if (target.edits?.some((e) => e.messageId === correction.messageId)) return target;
    const version = { messageId: correction.messageId, text: p.text, ...(p.reason !== undefined ? { reason: p.reason } : {}), at: correction.sentAt };
    return { ...target, edits: [...(target.edits ?? []), version] };
  }
  if (p.kind !== 'redaction') throw new Error('applyCorrection: not a correction');
  const { edits: _edits, request: _request, ...rest } = target;
  // The original payload (text, file key and header) is replaced by the redaction itself: nothing of it stays.
  return { ...rest, payload: p, withdrawn: { messageId: correction.messageId, by: correction.senderId, reason: p.reason, at: correction.sentAt } };
}
