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
  channel(channelId: string): Promise<ChannelRow | undefined>;
  isCurrentMember(channelId: string, officerId: string): Promise<boolean>;
  /** True when feed position `pos` of the channel lies inside one of the officer's membership spans. */
  spanCovers(channelId: string, officerId: string, pos: number): Promise<boolean>;
  memberAgencyIds(channelId: string): Promise<string[]>;
  currentMemberIds(channelId: string): Promise<string[]>;
  channelsOf(officerId: string): Promise<string[]>;
  /** Agencies holding an extended-access grant from `sponsorAgencyId` that is neither revoked nor expired at `now`. */
  clientAgencyIds(sponsorAgencyId: string, now: number): Promise<string[]>;
  agreementWindow(agreementId: string): Promise<{ validFrom: number | null; validUntil: number | null } | undefined>;
  /** The earliest expiry after `now` of an unrevoked extended-access grant. */
  nextGrantExpiry(now: number): Promise<number | null>;
  /**
   * A value that changes whenever anything may have been written since it was last read (by this
   * process or another one): caches derived from stored rows are valid while it is unchanged.
   *
   * Synchronous on purpose: it is a cache stamp, read on every cache hit of the send path, not a
   * query of stored rows. On SQLite it is the writer connection's own counters (`total_changes()`,
   * the data_version pragma), answered without I/O; another engine keeps such a stamp in memory (bumped
   * by its own writes and by change notifications), so a promise would only add a turn per hit.
   */
  changeStamp(): string;
}
