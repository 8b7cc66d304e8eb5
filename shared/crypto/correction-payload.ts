/**
 * Replies, mentions and corrections (PROTOCOL.md §9.3): a `text` may quote another message of its channel
 * (`replyTo`) and name officers (`mentions`); an `edit` replaces the body of one of the sender's own text messages
 * and a `redaction` withdraws one of the sender's own messages. Both are ordinary messages, sealed and signed like
 * any other, so every member receives them as a correction notice (Directive (EU) 2016/680 Art. 7(3)); receivers
 * apply them only under the rules of §9.3 (client/sdk/corrections.ts).
 */
import { arr, id, lit, obj, opt, str } from './wire.ts';
import type { WireSpec } from './wire.ts';

/** A quote is a short excerpt: the first REPLY_EXCERPT_CHARS UTF-16 code units of the original's text (§9.3). */
export const REPLY_EXCERPT_CHARS = 160;
export const MAX_MENTIONS = 64;
export const MAX_CORRECTION_REASON_CHARS = 1024;

export interface ReplyRef {
  /** The quoted message, in the same channel. */
  messageId: string;
  /** Its sender, as the replier saw it. */
  senderId?: string;
  /** `replyExcerpt(original)`, checked by the receiver against the original when it holds it. */
  excerpt: string;
}

export interface EditPayload {
  kind: 'edit';
  /** The message edited: a `text` of the same sender in the same channel. */
  target: string;
  /** The new body, replacing the target's `text` (its reply and mentions stay). */
  text: string;
  reason?: string;
}

export interface RedactionPayload {
  kind: 'redaction';
  /** The message withdrawn: any message of the same sender in the same channel, except a correction. */
  target: string;
  reason: string;
}

export type CorrectionPayload = EditPayload | RedactionPayload;

const reason = str(MAX_CORRECTION_REASON_CHARS);

/** The optional members `text` gains (after `text`, so v2 text payloads keep their first two members). */
export const REPLY_FIELDS: WireSpec = {
  replyTo: opt(obj({ messageId: id, senderId: opt(id), excerpt: str(REPLY_EXCERPT_CHARS) })),
  mentions: opt(arr(id, MAX_MENTIONS)),
};

export function correctionSpecs(text: ReturnType<typeof str>): Record<'edit' | 'redaction', WireSpec> {
  return {
    edit: { kind: lit('edit'), target: id, text, reason: opt(reason) },
    redaction: { kind: lit('redaction'), target: id, reason },
  };
}

/**
 * The excerpt a reply quotes (§9.3 rule R1): the first REPLY_EXCERPT_CHARS UTF-16 code units of the text a reader
 * sees (`text`, a file's caption else its name, a note's text), one fewer when that would split a surrogate pair.
 */
export function replyExcerpt(source: string): string {
  if (source.length <= REPLY_EXCERPT_CHARS) return source;
  const cut = source.charCodeAt(REPLY_EXCERPT_CHARS - 1);
  const end = cut >= 0xd800 && cut <= 0xdbff ? REPLY_EXCERPT_CHARS - 1 : REPLY_EXCERPT_CHARS;
  return source.slice(0, end);
}
