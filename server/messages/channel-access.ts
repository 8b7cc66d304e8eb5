import type Database from 'better-sqlite3';
import type { HandlingPolicy } from '../../shared/crypto/index.ts';
import type { Actor } from '../auth/actor.ts';
import type { ChannelsService } from '../channels/service.ts';
import type { Clock } from '../clock.ts';
import type { KeysService } from '../keys/service.ts';
import { ConcealedDenialError, NotFoundError } from '../errors.ts';

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

interface WritableEntry {
  reason: string | null;
  /** Clock instant from which the reason must be recomputed (next agreement/grant time boundary). */
  recheckAt: number;
}

export interface ChannelAccessDeps {
  sqlite: Database.Database;
  clock: Clock;
  channels: Pick<ChannelsService, 'readOnlyReason'>;
  keys: Pick<KeysService, 'signPublicKey'>;
}

/**
 * Membership, policy and key look-ups for messaging, on prepared statements (hot path: every send
 * and sync). Read-only rules and sign keys come from the channels and keys services, so each
 * business rule lives in one place.
 *
 * The read-only reason and the sender's sign key are cached per channel / officer. The caches are
 * valid for one *database stamp*: `total_changes()` of this connection (every row written through
 * it, by any service or by a test writing SQL directly, even if rolled back) and `PRAGMA
 * data_version` (commits by other connections, e.g. the CLI). Any write the caches cannot vouch for
 * clears them; only writes the send path makes itself (message, feed and last-seq rows, which
 * change neither writability nor keys) keep them, via `withOwnWrites`. A read-only reason also
 * expires at the next clock boundary it depends on (agreement validFrom/validUntil, extended-access
 * grant expiry), so time-based expiry needs no write.
 */
export class ChannelAccess {
  private readonly stmts;
  private stamp = '';
  private readonly writable = new Map<string, WritableEntry>();
  private readonly signKeys = new Map<string, Uint8Array>();

  private readonly clock: Clock;
  private readonly channels: Pick<ChannelsService, 'readOnlyReason'>;
  private readonly keys: Pick<KeysService, 'signPublicKey'>;

  constructor(deps: ChannelAccessDeps) {
    const { sqlite } = deps;
    this.clock = deps.clock;
    this.channels = deps.channels;
    this.keys = deps.keys;
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
      totalChanges: sqlite.prepare('SELECT total_changes()').pluck(),
      dataVersion: sqlite.prepare('PRAGMA data_version').pluck(),
      agreementWindow: sqlite.prepare('SELECT valid_from AS validFrom, valid_until AS validUntil FROM agreements WHERE id = ?'),
      nextGrantExpiry: sqlite.prepare('SELECT min(expires_at) FROM extended_access_grants WHERE revoked_at IS NULL AND expires_at > ?').pluck(),
    };
  }

  private dbStamp(): string {
    return `${this.stmts.totalChanges.get() as number}:${this.stmts.dataVersion.get() as number}`;
  }

  /** Clears the caches unless nothing was written since they were filled. */
  private validate(): void {
    const stamp = this.dbStamp();
    if (stamp === this.stamp) return;
    this.writable.clear();
    this.signKeys.clear();
    this.stamp = stamp;
  }

  /**
   * Runs writes of the send path (messages, feed rows, last seq) that affect neither writability nor
   * keys: caches that were valid before stay valid. Anything else written meanwhile still clears them
   * at the next look-up, because the stamp then differs from the one recorded here.
   */
  withOwnWrites<T>(fn: () => T): T {
    const clean = this.dbStamp() === this.stamp;
    try {
      return fn();
    } finally {
      if (clean) this.stamp = this.dbStamp();
    }
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
    if (!row) throw new NotFoundError('Channel');
    if (!this.isCurrentMember(channelId, actor.officerId)) throw new ConcealedDenialError('Channel', 'not_a_member');
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

  /** Why sends are refused, or null when writable (ChannelsService.readOnlyReason, cached; see the class doc). */
  readOnlyReason(row: ChannelRow): string | null {
    this.validate();
    const now = this.clock.now();
    const hit = this.writable.get(row.id);
    if (hit && now < hit.recheckAt) return hit.reason;
    const reason = this.channels.readOnlyReason(row.id);
    this.writable.set(row.id, { reason, recheckAt: this.nextBoundary(row.agreementId, now) });
    return reason;
  }

  /** The earliest instant after `now` at which a clock-derived input of readOnlyReason can change. */
  private nextBoundary(agreementId: string | null, now: number): number {
    let next = Infinity;
    const take = (t: number | null | undefined) => {
      if (typeof t === 'number' && t > now && t < next) next = t;
    };
    if (agreementId !== null) {
      const w = this.stmts.agreementWindow.get(agreementId) as { validFrom: number | null; validUntil: number | null } | undefined;
      take(w?.validFrom);
      take(w?.validUntil);
    }
    take(this.stmts.nextGrantExpiry.get(now) as number | null);
    return next;
  }

  /** The officer's registered sign key (KeysService.signPublicKey) cached; see the class doc. */
  signKey(officerId: string): Uint8Array | undefined {
    this.validate();
    let key = this.signKeys.get(officerId);
    if (!key) {
      key = this.keys.signPublicKey(officerId);
      if (key) this.signKeys.set(officerId, key);
    }
    return key;
  }
}
