/**
 * The membership rule's storage: who is a current member, whose spans cover which feed position,
 * and the channel columns the send path needs (hot path: every send and sync). One definition of
 * "current member" (an open span) for channels, messages and attachments.
 */

/** The channel columns messaging needs. */
export interface ChannelRow {
  id: string;
  agreementId: string | null;
  policy: string;
  headSeq: number;
  headHash: string;
  lastMessageSeq: number;
  retentionDays: number;
  legalHold: number;
  closedAt: number | null;
}

/** Membership, policy and key look-ups for messaging (hot path: every send and sync). */
export interface AccessRepository {
  channel(channelId: string): ChannelRow | undefined;
  isCurrentMember(channelId: string, officerId: string): boolean;
  /** True when feed position `pos` of the channel lies inside one of the officer's membership spans. */
  spanCovers(channelId: string, officerId: string, pos: number): boolean;
  memberAgencyIds(channelId: string): string[];
  currentMemberIds(channelId: string): string[];
  channelsOf(officerId: string): string[];
  /** The agreement's parties as stored (JSON array), if it exists. */
  agreementParties(agreementId: string): string | undefined;
  agreementWindow(agreementId: string): { validFrom: number | null; validUntil: number | null } | undefined;
  /** The earliest expiry after `now` of an unrevoked extended-access grant. */
  nextGrantExpiry(now: number): number | null;
  /**
   * A value that changes whenever anything may have been written since it was last read (by this
   * process or another one): caches derived from stored rows are valid while it is unchanged.
   */
  changeStamp(): string;
}
