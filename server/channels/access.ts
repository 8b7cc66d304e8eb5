import type { HandlingPolicy } from '../../shared/crypto/index.ts';
import type { Actor } from '../auth/actor.ts';
import type { ChannelsService } from './service.ts';
import type { Clock } from '../clock.ts';
import type { KeysService } from '../keys/service.ts';
import { ConcealedDenialError, NotFoundError } from '../errors.ts';
import type { AccessRepository, ChannelRow } from './access-repository.ts';
import type { Store } from '../store/store.ts';

export type { ChannelRow } from './access-repository.ts';

interface WritableEntry {
  reason: string | null;
  /** Clock instant from which the reason must be recomputed (next agreement/grant time boundary). */
  recheckAt: number;
}

export interface ChannelAccessDeps {
  store: Pick<Store, 'access'>;
  clock: Clock;
  channels: Pick<ChannelsService, 'readOnlyReason'>;
  keys: Pick<KeysService, 'signPublicKey'>;
}

/**
 * Membership, policy and key look-ups for messaging (hot path: every send and sync). Read-only
 * rules and sign keys come from the channels and keys services, so each business rule lives in one
 * place.
 *
 * The read-only reason and the sender's sign key are cached per channel / officer. The caches are
 * valid for one *database stamp* (AccessRepository.changeStamp; on SQLite `total_changes()` of the
 * connection, which counts every row written through it even if rolled back, and the
 * `data_version` pragma for commits by other connections, e.g. the CLI). Any write the caches cannot vouch for
 * clears them; only writes the send path makes itself (message, feed and last-seq rows, which
 * change neither writability nor keys) keep them, via `withOwnWrites`. A read-only reason also
 * expires at the next clock boundary it depends on (agreement validFrom/validUntil, extended-access
 * grant expiry), so time-based expiry needs no write.
 */
export class ChannelAccess {
  private readonly repo: AccessRepository;
  private stamp = '';
  private readonly writable = new Map<string, WritableEntry>();
  private readonly signKeys = new Map<string, Uint8Array>();

  private readonly clock: Clock;
  private readonly channels: Pick<ChannelsService, 'readOnlyReason'>;
  private readonly keys: Pick<KeysService, 'signPublicKey'>;

  constructor(deps: ChannelAccessDeps) {
    this.repo = deps.store.access;
    this.clock = deps.clock;
    this.channels = deps.channels;
    this.keys = deps.keys;
  }

  private dbStamp(): string {
    return this.repo.changeStamp();
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
    return this.repo.channel(channelId);
  }

  isCurrentMember(channelId: string, officerId: string): boolean {
    return this.repo.isCurrentMember(channelId, officerId);
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
    return this.repo.spanCovers(channelId, officerId, pos);
  }

  memberAgencyIds(channelId: string): string[] {
    return this.repo.memberAgencyIds(channelId);
  }

  currentMemberIds(channelId: string): string[] {
    return this.repo.currentMemberIds(channelId);
  }

  channelsOf(officerId: string): string[] {
    return this.repo.channelsOf(officerId);
  }

  policy(row: ChannelRow): HandlingPolicy {
    return JSON.parse(row.policy) as HandlingPolicy;
  }

  agreementParties(agreementId: string | null): string[] | null {
    if (agreementId === null) return null;
    const parties = this.repo.agreementParties(agreementId);
    return parties !== undefined ? (JSON.parse(parties) as string[]) : null;
  }

  /** Why sends are refused, or null when writable (ChannelsService.readOnlyReason, cached; see the class doc). */
  async readOnlyReason(row: ChannelRow): Promise<string | null> {
    this.validate();
    const now = this.clock.now();
    const hit = this.writable.get(row.id);
    if (hit && now < hit.recheckAt) return hit.reason;
    const reason = await this.channels.readOnlyReason(row.id);
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
      const w = this.repo.agreementWindow(agreementId);
      take(w?.validFrom);
      take(w?.validUntil);
    }
    take(this.repo.nextGrantExpiry(now));
    return next;
  }

  /** The officer's registered sign key (KeysService.signPublicKey) cached; see the class doc. */
  async signKey(officerId: string): Promise<Uint8Array | undefined> {
    this.validate();
    let key = this.signKeys.get(officerId);
    if (!key) {
      key = await this.keys.signPublicKey(officerId);
      if (key) this.signKeys.set(officerId, key);
    }
    return key;
  }
}
