import {
  ChannelStateError,
  REVOCATION_ERROR_CODES,
  applyEvent,
  assertNoFork,
  constantTimeEqual,
  isRootKeyAt,
  fromB64,
  membershipEventCodec,
  toB64,
  verifyChain,
  type ChainContext,
  type ChannelState,
  type MembershipEvent,
  type OfficerCertificate,
} from '../../shared/crypto/index.ts';
import { api } from '../../shared/api/index.ts';
import type { SdkContext } from './context.ts';
import { LiaisonClientError } from './errors.ts';
import type { KeysApi } from './keys.ts';
import type { PinStore } from './pins.ts';
import type { RevocationChecker } from './revocations.ts';

interface StoredChain {
  events: Record<string, unknown>[];
  /** Last verified head: a shorter or different chain later is a rewind or fork. */
  head: { seq: number; hash: string };
  untrusted: string | null;
}

/**
 * The verified membership chains this client knows. Every chain is verified with `applyEvent`
 * under the pinned agency roots; a fork, rewind or invalid event marks the channel untrusted
 * (no more encryption to it) and raises a `security` event.
 */
export class ChainStore {
  private readonly states = new Map<string, ChannelState>();
  private readonly events = new Map<string, MembershipEvent[]>();
  private readonly untrusted = new Map<string, string>();
  readonly chainCtx: ChainContext;

  constructor(
    private readonly ctx: SdkContext,
    private readonly keys: KeysApi,
    private readonly pins: PinStore,
  ) {
    this.chainCtx = { agencyRoot: (agencyId) => pins.rootAuthority(agencyId) };
  }

  async state(channelId: string): Promise<ChannelState | null> {
    const cached = this.states.get(channelId);
    if (cached) return cached;
    const stored = await this.ctx.store.get<StoredChain>(`chain:${channelId}`);
    if (!stored) return null;
    if (stored.untrusted) this.untrusted.set(channelId, stored.untrusted);
    const events = stored.events.map((e) => membershipEventCodec.fromWire(e));
    await this.loadRoots(events);
    const state = verifyChain(events, this.chainCtx, { seq: stored.head.seq, hash: fromB64(stored.head.hash) });
    this.states.set(channelId, state);
    this.events.set(channelId, events);
    return state;
  }

  untrustedReason(channelId: string): string | null {
    return this.untrusted.get(channelId) ?? null;
  }

  eventAt(channelId: string, seq: number): MembershipEvent | undefined {
    return this.events.get(channelId)?.[seq];
  }

  /** Pulls events after the local head from the server and checks the server's head against ours. */
  async pull(channelId: string): Promise<ChannelState> {
    const local = await this.state(channelId);
    const afterSeq = local ? local.current.epoch : -1;
    const page = await this.ctx.http.call(api.channels.events, { params: { id: channelId }, query: { afterSeq } });
    const incoming = page.events.map((e) => membershipEventCodec.fromWire(e));
    const state = await this.extend(channelId, incoming);
    await this.guard(channelId, () => {
      if (page.headSeq < state.current.epoch) throw new ChannelStateError('chain/rewind', 'pull: the server head is behind the verified head');
      if (page.headSeq !== state.current.epoch || !constantTimeEqual(fromB64(page.headHash), state.current.stateHash)) {
        throw new ChannelStateError('chain/fork', 'pull: the server head differs from the verified chain');
      }
    });
    return state;
  }

  /** Applies events in order; a duplicate is skipped, a different event at a known seq is a fork. */
  async extend(channelId: string, incoming: readonly MembershipEvent[]): Promise<ChannelState> {
    await this.loadRoots(incoming);
    let state = await this.state(channelId);
    const events = [...(this.events.get(channelId) ?? [])];
    const before = state ? state.current.epoch : -1;
    const revokedAt = await this.revocationTimes(state, incoming);
    await this.guard(channelId, () => {
      for (const e of incoming) {
        if (e.channelId !== channelId) throw new ChannelStateError('chain/wrong-channel', 'extend: event of another channel');
        const known = events[e.seq];
        if (known) {
          assertNoFork(known, e);
          continue;
        }
        // PROTOCOL.md §5.2 rule 7: an event signed by a member whose certificate was revoked at or before its time.
        const actor = state?.current.members.get(e.actorOfficerId);
        const r = actor ? revokedAt.get(certKey(actor.cert)) : undefined;
        if (r !== undefined && r <= e.time) {
          throw new ChannelStateError(REVOCATION_ERROR_CODES.actorRevoked, `extend: event ${e.seq} is signed by ${e.actorOfficerId}, whose certificate was revoked before it`);
        }
        state = applyEvent(state, e, this.chainCtx);
        events.push(e);
      }
    });
    if (!state) throw new LiaisonClientError('chain/empty', `extend: no events for ${channelId}`);
    if (state.current.epoch !== before) await this.save(channelId, state, events);
    await this.checkMemberPins(state);
    return state;
  }

  /** Stores a state this client built itself (its own event, already applied). */
  async put(channelId: string, state: ChannelState, event: MembershipEvent): Promise<void> {
    const events = [...(this.events.get(channelId) ?? []), event];
    await this.save(channelId, state, events);
  }

  /** Encrypting is refused when the chain is untrusted or a member's key is not the pinned one. */
  async assertSendable(channelId: string, state: ChannelState): Promise<void> {
    const reason = this.untrusted.get(channelId);
    if (reason) throw new LiaisonClientError('chain/untrusted', `channel ${channelId} is untrusted (${reason})`);
    for (const [officerId, m] of state.current.members) {
      await this.pins.officer(officerId);
      if (!this.pins.trusted(officerId, m.cert.signPublicKey, m.cert.dhPublicKey)) {
        throw new LiaisonClientError('keys/unverified-member', `member ${officerId} has a changed or unpinned key; verify it (markVerified)`);
      }
    }
  }

  /** Set by the client once the revocation checker exists (it needs the keys API, which needs this store). */
  revocations: Pick<RevocationChecker, 'any' | 'of'> | null = null;

  /** Revocation times (of this client's audited log) of every certificate that may act in `incoming`. */
  private async revocationTimes(state: ChannelState | null, incoming: readonly MembershipEvent[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (!this.revocations || !(await this.revocations.any())) return out;
    const certs = [...(state?.current.members.values() ?? [])].map((m) => m.cert);
    for (const e of incoming) if (e.member) certs.push(e.member);
    for (const cert of certs) {
      const revocation = await this.revocations.of(cert);
      if (revocation) out.set(certKey(cert), revocation.time);
    }
    return out;
  }

  /**
   * Loads the roots the events' certificates need; an agency whose known root does not cover an issuer at the
   * event's time is re-fetched once (its root set may have rotated since), so a stale cache never marks a
   * channel untrusted.
   */
  async loadRoots(events: readonly MembershipEvent[]): Promise<void> {
    const certs = new Map<string, { issuer: Uint8Array; time: number }[]>();
    for (const e of events) {
      for (const c of [e.member, e.cosignature?.cert]) {
        if (c) certs.set(c.agencyId, [...(certs.get(c.agencyId) ?? []), { issuer: c.issuerSignPublicKey, time: e.time }]);
      }
    }
    for (const [agencyId, issued] of certs) {
      const authority = await this.keys.agencyRoot(agencyId);
      if (issued.some((x) => !isRootKeyAt(authority, x.issuer, x.time))) await this.keys.agencyRoot(agencyId, { refresh: true });
    }
  }

  private async checkMemberPins(state: ChannelState): Promise<void> {
    for (const m of state.current.members.values()) await this.pins.checkOfficer(m.cert);
  }

  private async save(channelId: string, state: ChannelState, events: MembershipEvent[]): Promise<void> {
    this.states.set(channelId, state);
    this.events.set(channelId, events);
    const stored: StoredChain = {
      events: events.map((e) => membershipEventCodec.toWire(e)),
      head: { seq: state.current.epoch, hash: toB64(state.current.stateHash) },
      untrusted: this.untrusted.get(channelId) ?? null,
    };
    await this.ctx.store.set(`chain:${channelId}`, stored);
  }

  private async guard(channelId: string, fn: () => void): Promise<void> {
    try {
      fn();
    } catch (err) {
      if (err instanceof ChannelStateError) await this.markUntrusted(channelId, err);
      throw err;
    }
  }

  async markUntrusted(channelId: string, err: { code: string; message: string }): Promise<void> {
    this.untrusted.set(channelId, err.code);
    const stored = await this.ctx.store.get<StoredChain>(`chain:${channelId}`);
    if (stored) await this.ctx.store.set(`chain:${channelId}`, { ...stored, untrusted: err.code });
    this.ctx.events.emit('security', { kind: 'chain_invalid', channelId, code: err.code, message: err.message });
  }
}

function certKey(cert: OfficerCertificate): string {
  return `${cert.officerId}:${toB64(cert.signPublicKey)}:${cert.issuedAt}`;
}
