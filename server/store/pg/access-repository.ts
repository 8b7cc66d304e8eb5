import type { AccessRepository, ChannelRow } from '../../channels/access-repository.ts';
import type { PgExecutor } from './executor.ts';

/** What the store tells the access repository: its in-memory write stamp (see changeStamp). */
export interface ChangeStamp {
  changeStamp(): string;
}

/** PostgreSQL SQL for the membership rule's look-ups (mirrors SqliteAccessRepository). */
export class PgAccessRepository implements AccessRepository {
  constructor(
    private readonly q: PgExecutor,
    private readonly stamp: ChangeStamp,
  ) {}

  async channel(channelId: string): Promise<ChannelRow | undefined> {
    return (await this.q.query<ChannelRow>(
      `SELECT id, agreement_id AS "agreementId", policy, head_seq AS "headSeq", head_hash AS "headHash",
              last_message_seq AS "lastMessageSeq", retention_days AS "retentionDays", legal_hold AS "legalHold", closed_at AS "closedAt"
       FROM channels WHERE id = $1`,
      [channelId],
    )).rows[0];
  }

  async isCurrentMember(channelId: string, officerId: string): Promise<boolean> {
    return (await this.q.query('SELECT 1 FROM channel_members WHERE channel_id = $1 AND officer_id = $2 AND until_pos IS NULL LIMIT 1', [channelId, officerId])).rows.length > 0;
  }

  async spanCovers(channelId: string, officerId: string, pos: number): Promise<boolean> {
    const r = await this.q.query(
      'SELECT 1 FROM channel_members WHERE channel_id = $1 AND officer_id = $2 AND from_pos <= $3 AND (until_pos IS NULL OR until_pos > $3) LIMIT 1',
      [channelId, officerId, pos],
    );
    return r.rows.length > 0;
  }

  async memberAgencyIds(channelId: string): Promise<string[]> {
    return this.column('SELECT DISTINCT agency_id AS v FROM channel_members WHERE channel_id = $1 AND until_pos IS NULL', [channelId]);
  }

  async currentMemberIds(channelId: string): Promise<string[]> {
    return this.column('SELECT officer_id AS v FROM channel_members WHERE channel_id = $1 AND until_pos IS NULL', [channelId]);
  }

  async channelsOf(officerId: string): Promise<string[]> {
    return this.column('SELECT DISTINCT channel_id AS v FROM channel_members WHERE officer_id = $1 AND until_pos IS NULL', [officerId]);
  }

  async clientAgencyIds(sponsorAgencyId: string, now: number): Promise<string[]> {
    return this.column(
      'SELECT DISTINCT agency_id COLLATE "C" AS v FROM extended_access_grants WHERE sponsor_agency_id = $1 AND revoked_at IS NULL AND expires_at > $2 ORDER BY v',
      [sponsorAgencyId, now],
    );
  }

  async agreementWindow(agreementId: string): Promise<{ validFrom: number | null; validUntil: number | null } | undefined> {
    return (await this.q.query<{ validFrom: number | null; validUntil: number | null }>(
      'SELECT valid_from AS "validFrom", valid_until AS "validUntil" FROM agreements WHERE id = $1',
      [agreementId],
    )).rows[0];
  }

  async nextGrantExpiry(now: number): Promise<number | null> {
    return (await this.q.query<{ v: number | null }>('SELECT min(expires_at) AS v FROM extended_access_grants WHERE revoked_at IS NULL AND expires_at > $1', [now])).rows[0]?.v ?? null;
  }

  /**
   * The store's count of write transactions begun and ended on this node. Writes by other nodes do
   * not move it: with several nodes the caches need the change notifications of a later slice
   * (docs/CLUSTER.md "Not built yet"); sends re-check membership inside their transaction regardless.
   */
  changeStamp(): string {
    return this.stamp.changeStamp();
  }

  private async column(text: string, params: unknown[]): Promise<string[]> {
    return (await this.q.query<{ v: string }>(text, params)).rows.map((r) => r.v);
  }
}
