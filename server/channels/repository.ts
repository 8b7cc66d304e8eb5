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
  channel(id: string): Promise<ChannelRow | undefined>;
  insertChannel(row: NewChannel): Promise<void>;
  /** Moves the head only if it is still where the caller verified it (optimistic guard). */
  advanceHead(id: string, from: number, head: { headSeq: number; headHash: string; policy: string; }): Promise<boolean>;
  updateChannel(id: string, patch: Partial<NewChannel>): Promise<void>;
  /** Agencies holding the channel, sorted. */
  legalHolds(channelId: string): Promise<string[]>;
  /** Places the agency's hold (idempotent) and raises the channel's 'held' flag; true when new. */
  placeLegalHold(channelId: string, agencyId: string, setBy: string, setAt: number): Promise<boolean>;
  /** Lifts the agency's own hold; the flag drops only when no other hold stands. True when one was lifted. */
  liftLegalHold(channelId: string, agencyId: string): Promise<boolean>;
  channelsByAgreement(agreementIds: readonly string[]): Promise<ChannelRow[]>;
  channelsOf(officerId: string): Promise<ChannelRow[]>;
  openSpans(channelId: string): Promise<SpanRow[]>;
  insertSpan(row: NewChannelMember): Promise<void>;
  closeSpan(channelId: string, officerId: string, untilEpoch: number, untilPos: number): Promise<boolean>;
  setSpanRole(channelId: string, officerId: string, role: 'owner' | 'member'): Promise<void>;
  insertEvent(row: EventRow): Promise<void>;
  eventsAfter(channelId: string, afterSeq: number): Promise<EventRow[]>;
  invitation(id: string): Promise<InvitationRow | undefined>;
  insertInvitation(row: NewInvitation): Promise<void>;
  decideInvitation(id: string, status: 'pending' | 'accepted' | 'declined' | 'stale', at: number): Promise<void>;
  supersedeInvitations(channelId: string, inviteeId: string, at: number): Promise<void>;
  /** The officer a contact request was addressed to (its first invitation). */
  contactRecipient(channelId: string): Promise<string | undefined>;
  /** A pending contact request from `requesterId` to `recipientId`, if any. */
  pendingContactRequest(requesterId: string, recipientId: string): Promise<string | undefined>;
  /** Pending invitations addressed to the officer, or to anyone of their agency when `agencyId` is given (admins). */
  pendingInvitations(officerId: string, agencyId: string | null): Promise<InvitationRow[]>;
  keyEnvelope(channelId: string, epoch: number): Promise<KeyEnvelopeRow | undefined>;
  insertKeyEnvelope(row: KeyEnvelopeRow): Promise<void>;
  keyEnvelopes(channelId: string): Promise<KeyEnvelopeRow[]>;
}
