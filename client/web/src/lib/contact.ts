/** Contact from the directory and contact requests (docs/MESSAGING.md "Contact requests"): what the UI says (namespace `contact`). */
import { fixedT } from '../i18n/i18n.ts';

const t = (key: string, values?: Record<string, unknown>) => fixedT('contact')(key, values);

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
  if (terms.contactRequest) return t('termsRequest');
  if (terms.agreementId) return agreementTitle ? t('termsAgreementNamed', { title: agreementTitle }) : t('termsAgreement');
  return t('termsOwnAgency');
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
      return t('labelPending');
    case 'declined':
      return t('labelDeclined');
    case 'accepted':
      return t('labelAccepted');
    default:
      return null;
  }
}

/** Read-only banner text, contact requests first (they are read-only for their own reasons). */
export function readOnlyText(c: Pick<ChannelLike, 'readOnly' | 'contactRequest'>): string | null {
  if (c.contactRequest === 'pending') return t('readOnlyPending');
  if (c.contactRequest === 'declined') return t('readOnlyDeclined');
  if (!c.readOnly) return null;
  const key = READ_ONLY_KEY[c.readOnly];
  return t('readOnlyWithHistory', { reason: key ? t(key) : t('readOnlyOther', { reason: c.readOnly }) });
}

const READ_ONLY_KEY: Record<string, string> = {
  agreement_ended: 'readOnlyAgreementEnded',
  closed: 'readOnlyClosed',
  access_revoked: 'readOnlyAccessRevoked',
  contact_request_pending: 'readOnlyContactRequestPending',
};
