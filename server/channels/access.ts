import type { HandlingPolicy } from '../../shared/crypto/index.ts';
import type { Actor } from '../auth/actor.ts';
import type { ChannelsService } from './service.ts';
import type { Clock } from '../clock.ts';
import type { DeviceSigner, KeysService } from '../keys/service.ts';
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
  store: Pick<Store, 'access' | 'inTransaction'>;
  clock: Clock;
  channels: Pick<ChannelsService, 'readOnlyReason'>;
  keys: Pick<KeysService, 'signPublicKey' | 'certificateRefusal' | 'deviceSigner'>;
}

/**
 * Membership, policy and key look-ups for messaging (hot path: every send and sync). Read-only
 * rules and sign keys come from the channels and keys services, so each business rule lives in one
 * place.
 *
 * The read-only reason, the sender's sign key and its device's signer are cached per channel / officer
 * / device. The caches are
 * valid for one *database stamp* (AccessRepository.changeStamp; on SQLite `total_changes()` of the
 * connection, which counts every row written through it even if rolled back, and the
 * `data_version` pragma for commits by other connections, e.g. the CLI). Any write the caches cannot vouch for
 * clears them; only writes the send path makes itself (message, feed and last-seq rows, which
 * change neither writability nor keys) keep them, via `withOwnWrites`. A read-only reason also
 * expires at the next clock boundary it depends on (agreement validFrom/validUntil, extended-access
 * grant expiry), so time-based expiry needs no write.
 *
 * The look-ups read through the writer connection's repository (`store.access`), not `store.read`:
 * the stamp is the writer connection's, so a cache entry must be filled from the state the stamp
 * describes. A look-up that runs while another unit of work's transaction is open (its async body
 * awaiting) may see that transaction's uncommitted rows, which could still roll back, so such a
 * result is answered but not cached; the send path's own batch is the exception (`withOwnWrites`).
 * Sends re-check the epoch (hence membership) inside their transaction anyway.
 */
export class ChannelAccess {
  private readonly repo: AccessRepository;
  private readonly store: Pick<Store, 'inTransaction'>;
  private stamp = '';
  /** True while the send path's own batch transaction is open and began with valid caches (see withOwnWrites). */
  private ownWrites = false;
  private readonly writable = new Map<string, WritableEntry>();
  private readonly signKeys = new Map<string, Uint8Array>();
  /** Device signers by `officerId \n deviceId` (PROTOCOL.md §4.5); a device-add or -revoke is a write, so it clears them. */
  private readonly deviceSigners = new Map<string, DeviceSigner>();
  /** Officers found not revoked, for `requireCertified`. */
  private readonly certified = new Set<string>();

  private readonly clock: Clock;
  private readonly channels: ChannelAccessDeps['channels'];
  private readonly keys: ChannelAccessDeps['keys'];

  constructor(deps: ChannelAccessDeps) {
    this.repo = deps.store.access;
    this.store = deps.store;
    this.clock = deps.clock;
    this.channels = deps.channels;
    this.keys = deps.keys;
  }

  private dbStamp(): string {
    return this.repo.changeStamp();
  }

  /** Clears the caches unless nothing was written since they were filled. */
  private validate(): void {
    // Inside the send path's own batch that began with valid caches: only its own writes happen.
    if (this.ownWrites) return;
    const stamp = this.dbStamp();
    if (stamp === this.stamp) return;
    this.writable.clear();
    this.signKeys.clear();
    this.deviceSigners.clear();
    this.certified.clear();
    this.stamp = stamp;
  }

  /** True when a look-up may fill the caches: no other unit of work's transaction is open. */
  private cacheable(): boolean {
    return this.ownWrites || !this.store.inTransaction;
  }

  /**
   * True when nothing but the send path's own batch wrote since `stamp` was recorded, so a value
   * looked up meanwhile may be cached. Inside that batch the writer's stamp moves with its own rows.
   */
  private unchangedSince(stamp: string): boolean {
    return this.stamp === stamp && (this.ownWrites || this.dbStamp() === stamp);
  }

  /**
   * Runs the send path's batch transaction, whose writes (messages, feed rows, last seq) affect
   * neither writability nor keys: caches that were valid before stay valid. It runs under the writer
   * lock, so no other unit of work writes meanwhile; anything written by another connection shows in
   * the stamp's data_version only once it committed, which it cannot while this transaction holds the
   * write lock. Anything else written before or after still clears the caches at the next look-up,
   * because the stamp then differs from the one recorded here. Look-ups interleaved with the batch
   * (between its awaits) may see its own uncommitted rows, which change nothing cached.
   */
  async withOwnWrites<T>(fn: () => Promise<T>): Promise<T> {
    const clean = this.dbStamp() === this.stamp;
    this.ownWrites = clean;
    try {
      return await fn();
    } finally {
      this.ownWrites = false;
      if (clean) this.stamp = this.dbStamp();
    }
  }

  channel(channelId: string): Promise<ChannelRow | undefined> {
    return this.repo.channel(channelId);
  }

  isCurrentMember(channelId: string, officerId: string): Promise<boolean> {
    return this.repo.isCurrentMember(channelId, officerId);
  }

  /** The channel, or 404 when it is missing or the caller is not a current member (indistinguishable). */
  async requireMember(actor: Pick<Actor, 'officerId'>, channelId: string): Promise<ChannelRow> {
    const row = await this.repo.channel(channelId);
    if (!row) throw new NotFoundError('Channel');
    if (!(await this.repo.isCurrentMember(channelId, actor.officerId))) throw new ConcealedDenialError('Channel', 'not_a_member');
    return row;
  }

  /** True when feed position `pos` of the channel lies inside one of the officer's membership spans. */
  spanCovers(channelId: string, officerId: string, pos: number): Promise<boolean> {
    return this.repo.spanCovers(channelId, officerId, pos);
  }

  memberAgencyIds(channelId: string): Promise<string[]> {
    return this.repo.memberAgencyIds(channelId);
  }

  currentMemberIds(channelId: string): Promise<string[]> {
    return this.repo.currentMemberIds(channelId);
  }

  channelsOf(officerId: string): Promise<string[]> {
    return this.repo.channelsOf(officerId);
  }

  policy(row: ChannelRow): HandlingPolicy {
    return JSON.parse(row.policy) as HandlingPolicy;
  }

  /** The agency's clients in TLP 2.0's sense (PROTOCOL.md §8): institutions holding an active extended-access grant from it. */
  clientAgencyIds(agencyId: string): Promise<string[]> {
    return this.repo.clientAgencyIds(agencyId, this.clock.now());
  }

  /** Why sends are refused, or null when writable (ChannelsService.readOnlyReason, cached; see the class doc). */
  async readOnlyReason(row: ChannelRow): Promise<string | null> {
    this.validate();
    const now = this.clock.now();
    const hit = this.writable.get(row.id);
    if (hit && now < hit.recheckAt) return hit.reason;
    const stamp = this.stamp;
    const cacheable = this.cacheable();
    const reason = await this.channels.readOnlyReason(row.id);
    const recheckAt = await this.nextBoundary(row.agreementId, now);
    // Cached only if nothing was written while it was computed (the look-ups awaited).
    if (cacheable && this.unchangedSince(stamp)) this.writable.set(row.id, { reason, recheckAt });
    return reason;
  }

  /** The earliest instant after `now` at which a clock-derived input of readOnlyReason can change. */
  private async nextBoundary(agreementId: string | null, now: number): Promise<number> {
    let next = Infinity;
    const take = (t: number | null | undefined) => {
      if (typeof t === 'number' && t > now && t < next) next = t;
    };
    if (agreementId !== null) {
      const w = await this.repo.agreementWindow(agreementId);
      take(w?.validFrom);
      take(w?.validUntil);
    }
    take(await this.repo.nextGrantExpiry(now));
    return next;
  }

  /** The officer's registered sign key (KeysService.signPublicKey) cached; see the class doc. */
  async signKey(officerId: string): Promise<Uint8Array | undefined> {
    this.validate();
    const hit = this.signKeys.get(officerId);
    if (hit) return hit;
    const stamp = this.stamp;
    const cacheable = this.cacheable();
    const key = await this.keys.signPublicKey(officerId);
    // Cached only if nothing was written while it was looked up.
    if (key && cacheable && this.unchangedSince(stamp)) this.signKeys.set(officerId, key);
    return key;
  }

  /**
   * Which key signs envelopes from the officer's device (KeysService.deviceSigner), cached like the sign
   * key: adding or revoking a device writes rows, so the next look-up after it misses and reads again.
   */
  async deviceSigner(officerId: string, deviceId: string): Promise<DeviceSigner> {
    this.validate();
    const id = `${officerId}\n${deviceId}`;
    const hit = this.deviceSigners.get(id);
    if (hit) return hit;
    const stamp = this.stamp;
    const cacheable = this.cacheable();
    const signer = await this.keys.deviceSigner(officerId, deviceId);
    // Cached only if nothing was written while it was looked up.
    if (cacheable && this.unchangedSince(stamp)) this.deviceSigners.set(id, signer);
    return signer;
  }

  /**
   * Throws 403 `certificate_revoked` when the officer's certificate was revoked (KeysService.certificateRefusal;
   * an officer found not revoked is cached like the sign key, see the class doc).
   */
  async requireCertified(officerId: string): Promise<void> {
    this.validate();
    if (this.certified.has(officerId)) return;
    const stamp = this.stamp;
    const cacheable = this.cacheable();
    const refusal = await this.keys.certificateRefusal(officerId);
    if (refusal) throw refusal;
    if (cacheable && this.unchangedSince(stamp)) this.certified.add(officerId);
  }
}
