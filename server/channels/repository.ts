import type { Insert } from '../store/insert.ts';

/** Storage port for channels, membership spans, the stored chain, invitations and key envelopes. SQL lives in server/store/sqlite/channels-repository.ts. */
export type NewInvitation = Insert<InvitationRow, 'decidedAt'>;
export interface NewChannelMember {
  agencyId: string;
  role: 'owner' | 'member';
  officerId: string;
  channelId: string;
  fromEpoch: number;
  fromPos: number;
  untilEpoch?: number | null;
  untilPos?: number | null;
}
export interface NewChannel {
  id: string;
  kind: 'direct' | 'case' | 'team';
  createdAt: number;
  createdBy: string;
  encryptedMeta: string;
  policy: string;
  headSeq: number;
  headHash: string;
  agreementId?: string | null;
  caseRefIndex?: string | null;
  lastMessageSeq?: number;
  retentionDays?: number;
  legalHold?: boolean;
  closedAt?: number | null;
  closedReason?: string | null;
  contactRequest?: 'pending' | 'accepted' | 'declined' | null;
  contactEntryId?: string | null;
}
export interface ChannelRow {
  id: string;
  kind: 'direct' | 'case' | 'team';
  createdAt: number;
  createdBy: string;
  agreementId: string | null;
  encryptedMeta: string;
  caseRefIndex: string | null;
  policy: string;
  headSeq: number;
  headHash: string;
  lastMessageSeq: number;
  retentionDays: number;
  legalHold: boolean;
  closedAt: number | null;
  closedReason: string | null;
  contactRequest: 'pending' | 'accepted' | 'declined' | null;
  contactEntryId: string | null;
}
export interface SpanRow {
  agencyId: string;
  role: 'owner' | 'member';
  officerId: string;
  channelId: string;
  fromEpoch: number;
  untilEpoch: number | null;
  fromPos: number;
  untilPos: number | null;
}
export interface EventRow {
  createdAt: number;
  seq: number;
  hash: string;
  channelId: string;
  event: string;
  authorId: string;
}
export interface InvitationRow {
  id: string;
  status: 'pending' | 'accepted' | 'declined' | 'stale';
  createdAt: number;
  createdBy: string;
  channelId: string;
  event: string;
  inviteeId: string;
  inviteeAgencyId: string;
  decidedAt: number | null;
}
export interface KeyEnvelopeRow {
  createdAt: number;
  channelId: string;
  epoch: number;
  senderId: string;
  envelope: string;
}
/** Queries and writes for channels, membership spans, the stored chain, invitations and key envelopes. */

export interface ChannelsRepository {
  channel(id: string): ChannelRow | undefined;
  insertChannel(row: NewChannel): void;
  /** Moves the head only if it is still where the caller verified it (optimistic guard). */
  advanceHead(id: string, from: number, head: { headSeq: number; headHash: string; policy: string; }): boolean;
  updateChannel(id: string, patch: Partial<NewChannel>): void;
  /** Agencies holding the channel, sorted. */
  legalHolds(channelId: string): string[];
  /** Places the agency's hold (idempotent) and raises the channel's 'held' flag; true when new. */
  placeLegalHold(channelId: string, agencyId: string, setBy: string, setAt: number): boolean;
  /** Lifts the agency's own hold; the flag drops only when no other hold stands. True when one was lifted. */
  liftLegalHold(channelId: string, agencyId: string): boolean;
  channelsByAgreement(agreementIds: readonly string[]): ChannelRow[];
  channelsOf(officerId: string): ChannelRow[];
  openSpans(channelId: string): SpanRow[];
  insertSpan(row: NewChannelMember): void;
  closeSpan(channelId: string, officerId: string, untilEpoch: number, untilPos: number): boolean;
  setSpanRole(channelId: string, officerId: string, role: 'owner' | 'member'): void;
  insertEvent(row: EventRow): void;
  eventsAfter(channelId: string, afterSeq: number): EventRow[];
  invitation(id: string): InvitationRow | undefined;
  insertInvitation(row: NewInvitation): void;
  decideInvitation(id: string, status: 'pending' | 'accepted' | 'declined' | 'stale', at: number): void;
  supersedeInvitations(channelId: string, inviteeId: string, at: number): void;
  /** The officer a contact request was addressed to (its first invitation). */
  contactRecipient(channelId: string): string | undefined;
  /** A pending contact request from `requesterId` to `recipientId`, if any. */
  pendingContactRequest(requesterId: string, recipientId: string): string | undefined;
  /** Pending invitations addressed to the officer, or to anyone of their agency when `agencyId` is given (admins). */
  pendingInvitations(officerId: string, agencyId: string | null): InvitationRow[];
  keyEnvelope(channelId: string, epoch: number): KeyEnvelopeRow | undefined;
  insertKeyEnvelope(row: KeyEnvelopeRow): void;
  keyEnvelopes(channelId: string): KeyEnvelopeRow[];
}
