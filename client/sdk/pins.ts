import { constantTimeEqual, fromB64, rootSetId, toB64, type IntakePin, type RootAuthority, type RootHistory } from '../../shared/crypto/index.ts';
import { LiaisonClientError } from './errors.ts';
import type { LiaisonEvents, TypedEmitter } from './events.ts';
import type { StateStore } from './store.ts';

export interface PinnedKey {
  signPublicKey: string;
  dhPublicKey: string;
  /** Confirmed by the user (safety number compared). */
  verified: boolean;
  /** A different key presented after pinning; encrypting to this officer is refused until markVerified. */
  changed: { signPublicKey: string; dhPublicKey: string } | null;
}

export interface PinnedRoot {
  signPublicKey: string;
  changed: string | null;
}

/** The newest root set (PROTOCOL.md §4.4) this client verified for an agency: later histories must contain it. */
export interface PinnedRootSet {
  version: number;
  id: string;
}

export type PinStatus = 'new' | 'match' | 'changed';

/**
 * Trust on first use for officers' identity keys and agency roots. A key that differs from the
 * pin raises a `security` event `key_changed` and stays untrusted until `markVerified`.
 */
export class PinStore {
  private readonly officers = new Map<string, PinnedKey>();
  private readonly roots = new Map<string, PinnedRoot>();
  /** Verified root-set histories, with the time they were fetched. */
  private readonly histories = new Map<string, { history: RootHistory; at: number }>();

  constructor(
    private readonly store: StateStore,
    private readonly events: TypedEmitter<LiaisonEvents>,
  ) {}

  async officer(officerId: string): Promise<PinnedKey | undefined> {
    let pin = this.officers.get(officerId);
    if (!pin) {
      pin = await this.store.get<PinnedKey>(`pin:officer:${officerId}`);
      if (pin) this.officers.set(officerId, pin);
    }
    return pin;
  }

  /** Pins on first sight; reports a change (and keeps the old pin) otherwise. */
  async checkOfficer(who: { officerId: string; signPublicKey: Uint8Array; dhPublicKey: Uint8Array }): Promise<PinStatus> {
    const pin = await this.officer(who.officerId);
    const sign = toB64(who.signPublicKey);
    const dh = toB64(who.dhPublicKey);
    if (!pin) {
      await this.saveOfficer(who.officerId, { signPublicKey: sign, dhPublicKey: dh, verified: false, changed: null });
      return 'new';
    }
    if (sameKey(pin.signPublicKey, who.signPublicKey) && sameKey(pin.dhPublicKey, who.dhPublicKey)) return pin.changed ? 'changed' : 'match';
    if (!pin.changed || pin.changed.signPublicKey !== sign || pin.changed.dhPublicKey !== dh) {
      await this.saveOfficer(who.officerId, { ...pin, changed: { signPublicKey: sign, dhPublicKey: dh } });
      this.events.emit('security', { kind: 'key_changed', officerId: who.officerId, message: `identity key of ${who.officerId} changed; verify the safety number` });
    }
    return 'changed';
  }

  /** True when the officer's pinned key equals these keys and no unconfirmed change is pending. */
  trusted(officerId: string, signPublicKey: Uint8Array, dhPublicKey: Uint8Array): boolean {
    const pin = this.officers.get(officerId);
    return !!pin && !pin.changed && sameKey(pin.signPublicKey, signPublicKey) && sameKey(pin.dhPublicKey, dhPublicKey);
  }

  /** The user compared safety numbers: accept the presented (possibly changed) key. */
  async markVerified(officerId: string): Promise<void> {
    const pin = await this.officer(officerId);
    if (!pin) return;
    const next = pin.changed ? { ...pin.changed, verified: true, changed: null } : { ...pin, verified: true };
    await this.saveOfficer(officerId, next);
  }

  async root(agencyId: string): Promise<PinnedRoot | undefined> {
    let pin = this.roots.get(agencyId);
    if (!pin) {
      pin = await this.store.get<PinnedRoot>(`pin:root:${agencyId}`);
      if (pin) this.roots.set(agencyId, pin);
    }
    return pin;
  }

  async checkRoot(agencyId: string, signPublicKey: Uint8Array): Promise<PinStatus> {
    const pin = await this.root(agencyId);
    const key = toB64(signPublicKey);
    if (!pin) {
      await this.saveRoot(agencyId, { signPublicKey: key, changed: null });
      return 'new';
    }
    if (sameKey(pin.signPublicKey, signPublicKey)) return 'match';
    if (pin.changed !== key) {
      await this.saveRoot(agencyId, { ...pin, changed: key });
      this.events.emit('security', { kind: 'key_changed', message: `root key of agency ${agencyId} changed` });
    }
    return 'changed';
  }

  /** Synchronous lookup of the pinned version-0 root key. Changed roots keep the old pin. */
  rootKey(agencyId: string): Uint8Array | undefined {
    const pin = this.roots.get(agencyId);
    return pin ? fromB64(pin.signPublicKey) : undefined;
  }

  /** Synchronous lookup for ChainContext.agencyRoot: the verified root history, else the pinned version-0 key. */
  rootAuthority(agencyId: string): RootAuthority | undefined {
    return this.histories.get(agencyId)?.history ?? this.rootKey(agencyId);
  }

  /** When the agency's history was last verified (ms), or undefined. */
  rootHistoryAge(agencyId: string, now: number): number | undefined {
    const h = this.histories.get(agencyId);
    return h ? now - h.at : undefined;
  }

  /**
   * Accepts a verified root history only if it contains the newest set pinned before (same version, same
   * id): a shorter history is a rewind (`keys/root-rewind`), another set at a pinned version a fork
   * (`keys/root-fork`); both raise a `root_fork` security event and keep the old history.
   */
  async acceptRootHistory(agencyId: string, history: RootHistory, now: number): Promise<void> {
    const pinned = await this.store.get<PinnedRootSet>(`pin:rootset:${agencyId}`);
    if (pinned) {
      const at = history.sets[pinned.version];
      if (!at || toB64(rootSetId(at)) !== pinned.id) {
        const code = at ? 'keys/root-fork' : 'keys/root-rewind';
        const message = at
          ? `the server presents another root set ${pinned.version} for agency ${agencyId} than it did before`
          : `the server presents an older root of agency ${agencyId} (version ${history.sets.length - 1}) than this device verified (version ${pinned.version})`;
        this.events.emit('security', { kind: 'root_fork', message, code });
        throw new LiaisonClientError(code, message);
      }
    }
    const latest = history.sets[history.sets.length - 1]!;
    if (!pinned || pinned.version !== latest.version) await this.store.set(`pin:rootset:${agencyId}`, { version: latest.version, id: toB64(rootSetId(latest)) });
    this.histories.set(agencyId, { history, at: now });
  }

  /** The highest intake key version verified for a desk and its key (PROTOCOL.md §11.1 step 7), kept across restarts. */
  async intake(deskId: string): Promise<IntakePin | undefined> {
    const pin = await this.store.get<{ version: number; dhPublicKey: string }>(`pin:intake:${deskId}`);
    return pin ? { version: pin.version, dhPublicKey: fromB64(pin.dhPublicKey) } : undefined;
  }

  async saveIntake(deskId: string, pin: IntakePin): Promise<void> {
    await this.store.set(`pin:intake:${deskId}`, { version: pin.version, dhPublicKey: toB64(pin.dhPublicKey) });
  }

  private async saveOfficer(officerId: string, pin: PinnedKey): Promise<void> {
    this.officers.set(officerId, pin);
    await this.store.set(`pin:officer:${officerId}`, pin);
  }

  private async saveRoot(agencyId: string, pin: PinnedRoot): Promise<void> {
    this.roots.set(agencyId, pin);
    await this.store.set(`pin:root:${agencyId}`, pin);
  }
}

function sameKey(pinned: string, key: Uint8Array): boolean {
  const a = fromB64(pinned);
  return a.length === key.length && constantTimeEqual(a, key);
}
