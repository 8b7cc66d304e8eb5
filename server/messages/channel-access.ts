import type Database from 'better-sqlite3';
import type { HandlingPolicy } from '../../shared/crypto/index.ts';
import type { Actor } from '../auth/actor.ts';
import type { AppContext } from '../context.ts';
import { NotFoundError } from '../errors.ts';

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

/**
 * Membership, policy and key look-ups for messaging, on prepared statements (hot path: every send
 * and sync). Read-only rules and sign keys come from the channels and keys services, so each
 * business rule lives in one place.
 */
export class ChannelAccess {
  private readonly stmts;

  constructor(
    sqlite: Database.Database,
    private readonly ctx: AppContext,
  ) {
    this.stmts = {
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
      agreement: sqlite.prepare('SELECT parties FROM agreements WHERE id = ?'),
    };
  }

  channel(channelId: string): ChannelRow | undefined {
    return this.stmts.channel.get(channelId) as ChannelRow | undefined;
  }

  isCurrentMember(channelId: string, officerId: string): boolean {
    return this.stmts.isMember.get(channelId, officerId) !== undefined;
  }

  /** The channel, or 404 when it is missing or the caller is not a current member (indistinguishable). */
  requireMember(actor: Pick<Actor, 'officerId'>, channelId: string): ChannelRow {
    const row = this.channel(channelId);
    if (!row || !this.isCurrentMember(channelId, actor.officerId)) throw new NotFoundError('Channel');
    return row;
  }

  /** True when feed position `pos` of the channel lies inside one of the officer's membership spans. */
  spanCovers(channelId: string, officerId: string, pos: number): boolean {
    return this.stmts.spanCovers.get(channelId, officerId, pos, pos) !== undefined;
  }

  memberAgencyIds(channelId: string): string[] {
    return this.stmts.memberAgencies.all(channelId) as string[];
  }

  currentMemberIds(channelId: string): string[] {
    return this.stmts.memberIds.all(channelId) as string[];
  }

  channelsOf(officerId: string): string[] {
    return this.stmts.channelsOf.all(officerId) as string[];
  }

  policy(row: ChannelRow): HandlingPolicy {
    return JSON.parse(row.policy) as HandlingPolicy;
  }

  agreementParties(agreementId: string | null): string[] | null {
    if (agreementId === null) return null;
    const row = this.stmts.agreement.get(agreementId) as { parties: string } | undefined;
    return row ? (JSON.parse(row.parties) as string[]) : null;
  }

  /** Why sends are refused, or null when writable. */
  readOnlyReason(row: ChannelRow): string | null {
    return this.ctx.channels.readOnlyReason(row.id);
  }

  signPublicKey(officerId: string): Uint8Array | undefined {
    return this.ctx.keys.signPublicKey(officerId);
  }
}
