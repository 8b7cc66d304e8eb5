import type Database from 'better-sqlite3';
import type { AccessRepository, ChannelRow } from '../../channels/access-repository.ts';

// Async wrappers over synchronous better-sqlite3 statements (the port is async for PostgreSQL),
// except changeStamp, the caches' synchronous stamp (see AccessRepository).
export class SqliteAccessRepository implements AccessRepository {
  private readonly s;

  constructor(sqlite: Database.Database) {
    this.s = {
      channel: sqlite.prepare(
        `SELECT id, agreement_id AS agreementId, policy, head_seq AS headSeq, head_hash AS headHash,
                last_message_seq AS lastMessageSeq, retention_days AS retentionDays, legal_hold AS legalHold, closed_at AS closedAt
         FROM channels WHERE id = ?`,
      ),
      isMember: sqlite.prepare('SELECT 1 FROM channel_members WHERE channel_id = ? AND officer_id = ? AND until_pos IS NULL LIMIT 1').pluck(),
      memberAgencies: sqlite.prepare('SELECT DISTINCT agency_id FROM channel_members WHERE channel_id = ? AND until_pos IS NULL').pluck(),
      memberIds: sqlite.prepare('SELECT officer_id FROM channel_members WHERE channel_id = ? AND until_pos IS NULL').pluck(),
      channelsOf: sqlite.prepare('SELECT DISTINCT channel_id FROM channel_members WHERE officer_id = ? AND until_pos IS NULL').pluck(),
      spanCovers: sqlite
        .prepare('SELECT 1 FROM channel_members WHERE channel_id = ? AND officer_id = ? AND from_pos <= ? AND (until_pos IS NULL OR until_pos > ?) LIMIT 1')
        .pluck(),
      clients: sqlite
        .prepare('SELECT DISTINCT agency_id FROM extended_access_grants WHERE sponsor_agency_id = ? AND revoked_at IS NULL AND expires_at > ? ORDER BY agency_id')
        .pluck(),
      // total_changes(): every row written through this connection (even if rolled back);
      // data_version: commits by other connections (e.g. the CLI).
      totalChanges: sqlite.prepare('SELECT total_changes()').pluck(),
      dataVersion: sqlite.prepare('PRAGMA data_version').pluck(),
      agreementWindow: sqlite.prepare('SELECT valid_from AS validFrom, valid_until AS validUntil FROM agreements WHERE id = ?'),
      nextGrantExpiry: sqlite.prepare('SELECT min(expires_at) FROM extended_access_grants WHERE revoked_at IS NULL AND expires_at > ?').pluck(),
    };
  }

  async channel(channelId: string): Promise<ChannelRow | undefined> {
    return this.s.channel.get(channelId) as ChannelRow | undefined;
  }

  async isCurrentMember(channelId: string, officerId: string): Promise<boolean> {
    return this.s.isMember.get(channelId, officerId) !== undefined;
  }

  async spanCovers(channelId: string, officerId: string, pos: number): Promise<boolean> {
    return this.s.spanCovers.get(channelId, officerId, pos, pos) !== undefined;
  }

  async memberAgencyIds(channelId: string): Promise<string[]> {
    return this.s.memberAgencies.all(channelId) as string[];
  }

  async currentMemberIds(channelId: string): Promise<string[]> {
    return this.s.memberIds.all(channelId) as string[];
  }

  async channelsOf(officerId: string): Promise<string[]> {
    return this.s.channelsOf.all(officerId) as string[];
  }

  async clientAgencyIds(sponsorAgencyId: string, now: number): Promise<string[]> {
    return this.s.clients.all(sponsorAgencyId, now) as string[];
  }

  async agreementWindow(agreementId: string): Promise<{ validFrom: number | null; validUntil: number | null } | undefined> {
    return this.s.agreementWindow.get(agreementId) as { validFrom: number | null; validUntil: number | null } | undefined;
  }

  async nextGrantExpiry(now: number): Promise<number | null> {
    return (this.s.nextGrantExpiry.get(now) as number | null) ?? null;
  }

  changeStamp(): string {
    return `${this.s.totalChanges.get() as number}:${this.s.dataVersion.get() as number}`;
  }
}
