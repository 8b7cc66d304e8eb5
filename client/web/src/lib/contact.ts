/** Contact from the directory and contact requests (docs/MESSAGING.md "Contact requests"): what the UI says. */

export interface ContactTerms {
  contactRequest: boolean;
  agreementId: string | null;
}

export interface ChannelLike {
  id: string;
  kind: string;
  readOnly: string | null;
  contactRequest: 'pending' | 'accepted' | 'declined' | null;
  contactEntryId: string | null;
  members: { officerId: string }[];
}

/** Which kind of channel "Contact" opens, in one sentence. */
export function contactTermsText(terms: ContactTerms, agreementTitle: string | null): string {
  if (terms.contactRequest) return 'Contact request — no agreement between your agencies; the recipient must accept.';
  if (terms.agreementId) return `Direct channel under ${agreementTitle ? `“${agreementTitle}”` : 'your agencies’ agreement'}.`;
  return 'Direct channel within your agency.';
}

/**
 * An open direct channel that already reaches this recipient (reuse it instead of asking again):
 * one with them as a member, or my pending contact request from the same entry. Closed ones don't count.
 */
export function reusableChannel<C extends ChannelLike>(channels: C[], recipientId: string, entryId: string): C | undefined {
  return channels.find(
    (c) =>
      c.kind === 'direct' &&
      c.readOnly !== 'closed' &&
      c.contactRequest !== 'declined' &&
      (c.members.some((m) => m.officerId === recipientId) || (c.contactRequest === 'pending' && c.contactEntryId === entryId)),
  );
}

/** The channel list's note on a contact request (null for ordinary channels). */
export function contactRequestLabel(c: Pick<ChannelLike, 'contactRequest'>): string | null {
  switch (c.contactRequest) {
    case 'pending':
      return 'contact request · awaiting acceptance';
    case 'declined':
      return 'contact request declined · closed';
    case 'accepted':
      return 'contact request accepted';
    default:
      return null;
  }
}

/** Read-only banner text, contact requests first (they are read-only for their own reasons). */
export function readOnlyText(c: Pick<ChannelLike, 'readOnly' | 'contactRequest'>): string | null {
  if (c.contactRequest === 'pending') return 'Contact request — awaiting acceptance. Your introductory message stays on this device and is sent when they accept.';
  if (c.contactRequest === 'declined') return 'Closed: the recipient declined this contact request. History stays readable.';
  if (!c.readOnly) return null;
  return `${READ_ONLY_TEXT[c.readOnly] ?? `Read-only (${c.readOnly}).`} History stays readable.`;
}

const READ_ONLY_TEXT: Record<string, string> = {
  agreement_ended: 'Read-only: the agreement this channel runs under has ended.',
  closed: 'Read-only: this channel was closed.',
  access_revoked: 'Read-only: extended access for a member agency was revoked.',
  contact_request_pending: 'Read-only until the recipient accepts the contact request.',
};
