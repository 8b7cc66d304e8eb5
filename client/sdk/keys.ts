import {
  CryptoError,
  backupBlobCodec,
  certificateCodec,
  certificateHash,
  checkKeysAgainstLog,
  constantTimeEqual,
  createRenewalRequest,
  createKeyEvent,
  currentRootSet,
  createRevocationEvent,
  fromB64,
  generateIdentity,
  generateSignedPrekey,
  genesisRootSet,
  getSodium,
  issueCertificate,
  keyEventCodec,
  keyEventHash,
  openBackup,
  proposeRootSet,
  publicIdentity,
  renewalDue,
  renewalDueAt,
  renewalRequestCodec,
  rootSetCodec,
  rootSetId,
  safetyNumber,
  sealBackup,
  signRootSet,
  signedPrekeyCodec,
  toB64,
  verifyCertificate,
  verifyRootHistory,
  verifyRootSetTransition,
  verifySignedPrekey,
  withSignature,
  type IdentityKeys,
  type KeyEvent,
  type OfficerCertificate,
  type RootAuthority,
  type RootHistory,
  type RootSet,
  type SafetyNumber,
} from '../../shared/crypto/index.ts';
import { api } from '../../shared/api/index.ts';
import { passphraseReusesPassword } from '../../shared/passwords/rules.ts';
import { requireKeys, requireOfficer, type SdkContext } from './context.ts';
import { LiaisonApiError, LiaisonClientError } from './errors.ts';
import type { KeyLogAuditor } from './keylog.ts';
import type { PinStore } from './pins.ts';
import type { LiaisonEvents, TypedEmitter } from './events.ts';

const YEAR_MS = 365 * 24 * 3600 * 1000;
/** Root histories are re-fetched when older than this, so a rotation reaches every client within a minute. */
const ROOT_REFRESH_MS = 60_000;

export type RootSetOutcome = { version: number; applied: boolean; signatures: number; threshold: number };

function asHistory(agencyId: string, authority: RootAuthority): RootHistory {
  if (authority instanceof Uint8Array) throw new LiaisonClientError('keys/no-root', `no verified root history for ${agencyId}`);
  return authority;
}
const MINE_KEY = 'keylog:mine';
const CERT_STATUS_KEY = 'cert:status';

/** The signed-in officer's own certificate, as the account screen shows it (PROTOCOL.md §4.2 renewal). */
export interface CertificateStatus {
  role: OfficerCertificate['role'];
  issuedAt: number;
  expiresAt: number;
  /** 80 % of the lifetime: from then on the SDK asks the agency root for a new certificate. */
  renewalDueAt: number;
  /** When this officer asked to renew the current certificate; null when it has not (yet). */
  renewalRequestedAt: number | null;
  expired: boolean;
}

export interface CertifiedOfficer {
  cert: OfficerCertificate;
  /** False when the key differs from the pinned one (key_changed): do not encrypt to it. */
  trusted: boolean;
}

/** Identity keys: creation, unlock from the sealed backup, certification, pins and safety numbers. */
export class KeysApi {
  constructor(
    private readonly ctx: SdkContext,
    private readonly pins: PinStore,
    private readonly keylog: KeyLogAuditor,
    private readonly events: TypedEmitter<LiaisonEvents>,
  ) {}

  /**
   * Generates keys, seals the backup, registers them; an agency root also self-issues its certificate.
   * Throws `backup/passphrase-is-password` when the passphrase equals, contains or is part of the sign-in
   * password (the server sees that password, so it could open the backup), and `backup/password-required`
   * when this client did not sign in with a password and `opts.password` is not given. Not retryable as is.
   */
  async createIdentity(passphrase: string, opts: { certificateLifetimeMs?: number; password?: string } = {}): Promise<{ agencyRoot: boolean }> {
    const officer = requireOfficer(this.ctx, 'createIdentity');
    const password = opts.password ?? this.ctx.signInPassword;
    if (!password) {
      throw new LiaisonClientError('backup/password-required', 'createIdentity: give the sign-in password (opts.password) so the passphrase can be checked against it');
    }
    const reuse = passphraseReusesPassword(passphrase, password);
    if (reuse) throw new LiaisonClientError('backup/passphrase-is-password', `createIdentity: ${reuse}`);
    const now = this.ctx.now();
    const keys = generateIdentity({ officerId: officer.id, agencyId: officer.agencyId });
    const { prekey, secretKey } = generateSignedPrekey(keys, { prekeyId: 1, createdAt: now });
    // v1 seals epoch secrets to the identity key; the prekey secret is not used yet (PROTOCOL.md §4.1).
    getSodium().memzero(secretKey);
    const backup = sealBackup(keys, { kind: 'passphrase', value: passphrase });
    const event = createKeyEvent(
      { kind: 'enrol', officerId: keys.officerId, agencyId: keys.agencyId, signPublicKey: keys.signPublicKey, dhPublicKey: keys.dhPublicKey, time: now },
      keys,
    );
    await this.rememberMine(event);
    const res = await this.ctx.http.call(api.keys.register, {
      body: { keyEvent: keyEventCodec.toWire(event), prekey: signedPrekeyCodec.toWire(prekey), backup: backupBlobCodec.toWire(backup) },
    });
    await this.activate(keys);
    this.ctx.signInPassword = null;
    await this.pins.checkOfficer(keys);
    await this.onUnlocked?.();
    if (res.agencyRoot) {
      await this.pins.checkRoot(keys.agencyId, keys.signPublicKey);
      await this.issue(keys, officer.role === 'officer' ? 'officer' : 'agency_admin', now, opts.certificateLifetimeMs ?? YEAR_MS);
    }
    return { agencyRoot: res.agencyRoot };
  }

  /** Opens the sealed backup and checks the keys against the audited key log. */
  async unlock(passphrase: string): Promise<void> {
    const officer = requireOfficer(this.ctx, 'unlock');
    const { backup } = await this.ctx.http.call(api.keys.backup);
    await this.unlockWith(openBackup(backupBlobCodec.fromWire(backup), passphrase, officer.id));
  }

  /**
   * The unlocked identity secrets (signing secret key ‖ X25519 secret key), a fresh copy the caller must wipe.
   * For a client that keeps its unlock across a page reload under a session-scoped, non-extractable wrapping
   * key (docs/SECURITY.md "Staying unlocked across a reload"); never written anywhere in clear.
   */
  exportSecrets(): Uint8Array {
    const keys = requireKeys(this.ctx, 'exportSecrets');
    const out = new Uint8Array(keys.signSecretKey.length + keys.dhSecretKey.length);
    out.set(keys.signSecretKey, 0);
    out.set(keys.dhSecretKey, keys.signSecretKey.length);
    return out;
  }

  /** Unlocks from `exportSecrets()`'s bytes (same checks as `unlock`: the key log must bind them). Wipes `secrets`. */
  async unlockWithSecrets(secrets: Uint8Array): Promise<void> {
    const officer = requireOfficer(this.ctx, 'unlockWithSecrets');
    const sodium = getSodium();
    if (secrets.length !== sodium.crypto_sign_SECRETKEYBYTES + sodium.crypto_scalarmult_SCALARBYTES) {
      sodium.memzero(secrets);
      throw new LiaisonClientError('keys/not-in-log', 'unlockWithSecrets: malformed key material');
    }
    const signSecretKey = secrets.slice(0, sodium.crypto_sign_SECRETKEYBYTES);
    const dhSecretKey = secrets.slice(sodium.crypto_sign_SECRETKEYBYTES);
    sodium.memzero(secrets);
    const keys: IdentityKeys = {
      officerId: officer.id,
      agencyId: officer.agencyId,
      signSecretKey,
      signPublicKey: sodium.crypto_sign_ed25519_sk_to_pk(signSecretKey),
      dhSecretKey,
      dhPublicKey: sodium.crypto_scalarmult_base(dhSecretKey),
    };
    await this.unlockWith(keys);
  }

  private async unlockWith(keys: IdentityKeys): Promise<void> {
    const entries = await this.keylog.fullLog();
    try {
      checkKeysAgainstLog(entries, keys);
    } catch (cause) {
      wipe(keys);
      throw new LiaisonClientError('keys/not-in-log', 'unlock: restored keys are not the keys the key log binds', { cause });
    }
    await this.activate(keys);
    this.ctx.signInPassword = null;
    await this.pins.checkOfficer(keys);
    await this.onUnlocked?.();
    await this.renewIfDueQuietly();
  }

  /** Set by LiaisonClient: certifies this installation's device key once the identity is unlocked (PROTOCOL.md §4.5). */
  onUnlocked: (() => Promise<unknown>) | null = null;

  /** Wipes the secret keys and the local store key from memory. */
  lock(): void {
    this.ctx.signInPassword = null;
    if (this.ctx.keys) wipe(this.ctx.keys);
    this.ctx.keys = null;
    this.ctx.sealed.lock();
  }

  /**
   * Agency root: certifies every officer in the agency's certification queue — new keys, a renewal the
   * officer asked for, an expired certificate, a role change — for the officer's current role, from now
   * for `certificateLifetimeMs` (PROTOCOL.md §4.2). A renewal certifies the keys of the current certificate again.
   */
  async certifyPending(opts: { certificateLifetimeMs?: number } = {}): Promise<string[]> {
    const root = requireKeys(this.ctx, 'certifyPending');
    const { officers } = await this.ctx.http.call(api.keys.pending);
    const done: string[] = [];
    for (const o of officers) {
      const subject = { officerId: o.officerId, agencyId: o.agencyId, signPublicKey: fromB64(o.signPublicKey), dhPublicKey: fromB64(o.dhPublicKey) };
      // The prekey proves possession of the signing key being certified.
      verifySignedPrekey(signedPrekeyCodec.fromWire(o.prekey), subject.signPublicKey, signedPrekeyCodec.fromWire(o.prekey).createdAt);
      if (o.reason !== 'new-keys') this.checkRecertification(o.officerId, o.certificate, subject);
      const { officer } = await this.ctx.http.call(api.accounts.getOfficer, { params: { id: o.officerId } });
      await this.issue(root, officer.role === 'officer' ? 'officer' : 'agency_admin', this.ctx.now(), opts.certificateLifetimeMs ?? YEAR_MS, subject);
      await this.pins.checkOfficer(subject);
      done.push(o.officerId);
    }
    return done;
  }

  /**
   * The signed-in officer's certificate and renewal state; asks for a renewal (a signed
   * `liaison/v2/cert-renewal-request`) when it is due and not asked yet. Null while locked or uncertified.
   */
  async renewIfDue(opts: { refresh?: boolean } = {}): Promise<CertificateStatus | null> {
    const keys = this.ctx.keys;
    if (!keys || !this.ctx.officer) return null;
    const now = this.ctx.now();
    const statusKey = `${CERT_STATUS_KEY}:${keys.officerId}`;
    const cached = await this.ctx.store.get<CertificateStatus>(statusKey);
    // Until renewal is due the cached state is enough to decide (a role change re-certifies too: `refresh` re-reads).
    if (!opts.refresh && cached && cached.renewalRequestedAt === null && now < cached.renewalDueAt) return cached;
    const { keys: mine } = await this.ctx.http.call(api.keys.officerKeys, { params: { id: keys.officerId } });
    if (!mine.certificate) return null;
    const cert = certificateCodec.fromWire(mine.certificate);
    if (cert.officerId !== keys.officerId || !constantTimeEqual(cert.signPublicKey, keys.signPublicKey) || !constantTimeEqual(cert.dhPublicKey, keys.dhPublicKey)) {
      throw new LiaisonClientError('keys/wrong-subject', 'renewIfDue: the server serves a certificate for other keys than mine');
    }
    let requestedAt = mine.renewalRequestedAt;
    if (requestedAt === null && renewalDue(cert, now)) {
      const request = createRenewalRequest(keys, cert, now);
      const res = await this.ctx.http.call(api.keys.requestRenewal, { body: { request: renewalRequestCodec.toWire(request) } });
      requestedAt = res.keys.renewalRequestedAt ?? now;
    }
    const status: CertificateStatus = {
      role: cert.role,
      issuedAt: cert.issuedAt,
      expiresAt: cert.expiresAt,
      renewalDueAt: renewalDueAt(cert),
      renewalRequestedAt: requestedAt,
      expired: now >= cert.expiresAt,
    };
    await this.ctx.store.set(statusKey, status);
    return status;
  }

  /** renewIfDue for unlock and sync: a refusal (clock skew, suspension) must not fail them; the next sync retries. */
  async renewIfDueQuietly(): Promise<void> {
    try {
      await this.renewIfDue();
    } catch {
      // Deliberately ignored: the certificate stays valid until expiry and the queue also lists expired ones.
    }
  }

  /**
   * A renewal, expiry or role change certifies the keys the officer already holds: they must be the keys
   * of its current certificate, issued to that officer, and that certificate's signature must hold.
   */
  private checkRecertification(officerId: string, wire: Record<string, unknown> | null, subject: { signPublicKey: Uint8Array; dhPublicKey: Uint8Array }): void {
    const current = wire ? certificateCodec.fromWire(wire) : null;
    const same =
      !!current &&
      current.officerId === officerId &&
      constantTimeEqual(current.signPublicKey, subject.signPublicKey) &&
      constantTimeEqual(current.dhPublicKey, subject.dhPublicKey);
    try {
      if (!same) throw new Error('keys differ from the current certificate');
      verifyCertificate(current, current.issuerSignPublicKey, current.issuedAt);
    } catch (cause) {
      throw new LiaisonClientError('keys/bad-certificate', `certifyPending: ${officerId} is listed for re-certification with keys its current certificate does not bind`, { cause });
    }
  }

  /**
   * Agency root: signs a `cert-revoke` for every certificate the server lists as to be revoked
   * (officers suspended while certified; PROTOCOL.md §4.3 **Revocation**). Each listed certificate must
   * be the one this root issued for that officer (it verifies under my key); another is skipped.
   * Returns the officer ids whose certificate was revoked.
   */
  async revokePending(): Promise<string[]> {
    const root = requireKeys(this.ctx, 'revokePending');
    const { officers } = await this.ctx.http.call(api.keys.pendingRevocations);
    const done: string[] = [];
    for (const o of officers) {
      const cert = certificateCodec.fromWire(o.certificate);
      if (cert.officerId !== o.officerId || cert.agencyId !== root.agencyId) continue;
      try {
        // Only a certificate of my agency's root (the set in force when it was issued); expiry does not matter here.
        verifyCertificate(cert, await this.agencyRoot(root.agencyId), cert.issuedAt);
      } catch {
        continue;
      }
      await this.revokeCertificate(root, cert);
      done.push(o.officerId);
    }
    return done;
  }

  /** Signs and posts the cert-revoke of `cert` (a certificate already revoked counts as done). */
  private async revokeCertificate(root: IdentityKeys, cert: OfficerCertificate): Promise<void> {
    const event = createRevocationEvent(cert, Math.max(this.ctx.now(), cert.issuedAt), root);
    try {
      await this.ctx.http.call(api.keys.revoke, { body: { keyEvent: keyEventCodec.toWire(event) } });
    } catch (err) {
      if (err instanceof LiaisonApiError && err.code === 'already_revoked') return;
      throw err;
    }
  }

  /**
   * The agency's root (PROTOCOL.md §4.4): the version-0 key pinned on first use, extended by every root set
   * the server presents, each verified against the one before and against the newest set pinned earlier.
   * Re-fetched when older than ROOT_REFRESH_MS, or at once with `refresh`.
   */
  async agencyRoot(agencyId: string, opts: { refresh?: boolean } = {}): Promise<RootAuthority> {
    const age = this.pins.rootHistoryAge(agencyId, this.ctx.now());
    if (opts.refresh || age === undefined || age > ROOT_REFRESH_MS) {
      const { root, rootSets } = await this.ctx.http.call(api.keys.agencyRoot, { params: { id: agencyId } });
      await this.pins.checkRoot(agencyId, fromB64(root.signPublicKey));
      const pinned = this.pins.rootKey(agencyId);
      if (pinned) {
        let history: RootHistory;
        try {
          const genesis = genesisRootSet(agencyId, { officerId: root.officerId, signPublicKey: pinned });
          history = verifyRootHistory(genesis, rootSets.map((s) => rootSetCodec.fromWire(s)));
        } catch (cause) {
          const message = `the root sets the server presents for agency ${agencyId} do not verify`;
          this.events.emit('security', { kind: 'root_invalid', message, code: cause instanceof CryptoError ? cause.code : 'wire/invalid' });
          throw new LiaisonClientError('keys/root-invalid', message, { cause });
        }
        await this.pins.acceptRootHistory(agencyId, history, this.ctx.now());
      }
    }
    const authority = this.pins.rootAuthority(agencyId);
    if (!authority) throw new LiaisonClientError('keys/no-root', `agencyRoot: no root for ${agencyId}`);
    return authority;
  }

  /** The root set in force for an agency, and (administrators of that agency) the pending proposal. */
  async rootSet(agencyId: string): Promise<{ current: RootSet; proposal: { rootSet: RootSet; proposedBy: string } | null }> {
    const authority = await this.agencyRoot(agencyId, { refresh: true });
    const history = asHistory(agencyId, authority);
    let proposal: { rootSet: RootSet; proposedBy: string } | null = null;
    if (this.ctx.officer?.agencyId === agencyId && this.ctx.officer.role !== 'officer') {
      const res = await this.ctx.http.call(api.keys.rootProposal, { params: { id: agencyId } });
      if (res.proposal) proposal = { rootSet: rootSetCodec.fromWire(res.proposal.rootSet), proposedBy: res.proposal.proposedBy };
    }
    return { current: currentRootSet(history), proposal };
  }

  /**
   * A member of the root set in force proposes its successor: these administrators (by officer id, each
   * verified under the agency root with an agency_admin certificate) and a threshold. Signed by this client;
   * it applies once `threshold` of the set in force have signed (`approveRootSet` on their clients).
   */
  async proposeRootSet(members: string[], threshold: number): Promise<RootSetOutcome> {
    const me = requireKeys(this.ctx, 'proposeRootSet');
    const history = asHistory(me.agencyId, await this.agencyRoot(me.agencyId, { refresh: true }));
    const certs = [];
    for (const officerId of new Set(members)) {
      const { cert } = await this.certified(officerId);
      if (cert.agencyId !== me.agencyId || cert.role !== 'agency_admin') {
        throw new LiaisonClientError('keys/root-member-not-admin', `proposeRootSet: ${officerId} is not an administrator of your agency`);
      }
      certs.push(cert);
    }
    const unsigned = proposeRootSet(currentRootSet(history), {
      members: certs.map((c) => ({ officerId: c.officerId, signPublicKey: c.signPublicKey })),
      threshold,
      time: this.ctx.now(),
    });
    const rootSet = withSignature(unsigned, signRootSet(unsigned, me));
    const event = createKeyEvent(
      { kind: 'root-set', officerId: me.officerId, agencyId: me.agencyId, signPublicKey: me.signPublicKey, dhPublicKey: new Uint8Array(32), recordHash: rootSetId(unsigned), time: this.ctx.now() },
      me,
    );
    await this.rememberMine(event);
    return this.ctx.http.call(api.keys.proposeRootSet, {
      params: { id: me.agencyId },
      body: { rootSet: rootSetCodec.toWire(rootSet), keyEvent: keyEventCodec.toWire(event) },
    });
  }

  /**
   * Signs the agency's pending root-set proposal after checking it: it replaces the set in force, every
   * member is an administrator of the agency with a valid certificate, and the signatures it carries verify.
   * Returns null when nothing is pending.
   */
  async approveRootSet(): Promise<RootSetOutcome | null> {
    const me = requireKeys(this.ctx, 'approveRootSet');
    const { current, proposal } = await this.rootSet(me.agencyId);
    if (!proposal) return null;
    const next = proposal.rootSet;
    try {
      verifyRootSetTransition(current, next, { collecting: true });
    } catch (cause) {
      throw new LiaisonClientError('keys/root-proposal-invalid', `approveRootSet: the pending proposal does not replace the set in force: ${(cause as Error).message}`, { cause });
    }
    for (const m of next.members) {
      const { cert } = await this.certified(m.officerId);
      if (cert.agencyId !== me.agencyId || cert.role !== 'agency_admin' || !constantTimeEqual(cert.signPublicKey, m.signPublicKey)) {
        throw new LiaisonClientError('keys/root-proposal-invalid', `approveRootSet: member ${m.officerId} is not named by their certified administrator key`);
      }
    }
    const sig = signRootSet(next, me);
    return this.ctx.http.call(api.keys.signRootSet, {
      params: { id: me.agencyId },
      body: { rootSetId: toB64(rootSetId(next)), signature: { signPublicKey: toB64(sig.signPublicKey), signature: toB64(sig.signature) } },
    });
  }

  /** Fetches an officer's certificate, verifies it under the agency root in force and checks the pin. */
  async certified(officerId: string): Promise<CertifiedOfficer> {
    const { keys } = await this.ctx.http.call(api.keys.officerKeys, { params: { id: officerId } });
    if (!keys.certificate) throw new LiaisonClientError('keys/not-certified', `certified: ${officerId} has no certificate yet`);
    const cert = certificateCodec.fromWire(keys.certificate);
    if (cert.officerId !== officerId) throw new LiaisonClientError('keys/wrong-subject', 'certified: certificate names another officer');
    try {
      try {
        verifyCertificate(cert, await this.agencyRoot(cert.agencyId), this.ctx.now());
      } catch (err) {
        // The root set may have rotated since this device last looked: check once more against the newest.
        if (!(err instanceof CryptoError && err.code === 'cert/wrong-issuer')) throw err;
        verifyCertificate(cert, await this.agencyRoot(cert.agencyId, { refresh: true }), this.ctx.now());
      }
    } catch (cause) {
      if (cause instanceof LiaisonClientError) throw cause;
      throw new LiaisonClientError('keys/bad-certificate', `certified: certificate of ${officerId} does not verify under its agency root`, { cause });
    }
    await this.checkNotSuperseded(cert);
    const status = await this.pins.checkOfficer(cert);
    return { cert, trusted: status !== 'changed' };
  }

  /**
   * PROTOCOL.md §4.2 supersession: the certificate to use is the newest `cert-issue` of the officer in the
   * audited key log. A served certificate that differs from the newest one this client audited is checked
   * once more after auditing the log's new entries (it may be newer still); an older one is refused.
   */
  private async checkNotSuperseded(cert: OfficerCertificate): Promise<void> {
    const served = toB64(certificateHash(cert));
    const known = await this.keylog.latestCertificate(cert.officerId);
    if (known === undefined || known === served) return;
    await this.keylog.audit();
    if ((await this.keylog.latestCertificate(cert.officerId)) === served) return;
    const message = `certified: the server serves a certificate of ${cert.officerId} that a later certificate in the key log supersedes`;
    this.ctx.events.emit('security', { kind: 'certificate_superseded', officerId: cert.officerId, code: 'keys/superseded-certificate', message });
    throw new LiaisonClientError('keys/superseded-certificate', message);
  }

  async markVerified(officerId: string): Promise<void> {
    await this.pins.markVerified(officerId);
  }

  async safetyNumber(officerId: string): Promise<SafetyNumber> {
    const me = requireKeys(this.ctx, 'safetyNumber');
    const { cert } = await this.certified(officerId);
    return safetyNumber(publicIdentity(me), publicIdentity(cert));
  }

  /** Event hashes this client created (or, for its own keys, received from its agency root). */
  async mine(): Promise<string[]> {
    return (await this.ctx.store.get<string[]>(MINE_KEY)) ?? [];
  }

  private async rememberMine(event: KeyEvent): Promise<void> {
    const list = await this.mine();
    list.push(toB64(keyEventHash(event)));
    await this.ctx.store.set(MINE_KEY, list);
  }

  private async issue(
    issuer: IdentityKeys,
    role: 'officer' | 'agency_admin',
    now: number,
    lifetime: number,
    subject: Pick<IdentityKeys, 'officerId' | 'agencyId' | 'signPublicKey' | 'dhPublicKey'> = issuer,
  ): Promise<OfficerCertificate> {
    const cert = issueCertificate(subject, { role, issuedAt: now, expiresAt: now + lifetime }, issuer);
    const event = createKeyEvent(
      { kind: 'cert-issue', officerId: subject.officerId, agencyId: subject.agencyId, signPublicKey: subject.signPublicKey, dhPublicKey: subject.dhPublicKey, recordHash: certificateHash(cert), time: now },
      issuer,
    );
    if (subject.officerId === issuer.officerId) await this.rememberMine(event);
    await this.ctx.http.call(api.keys.certify, { body: { certificate: certificateCodec.toWire(cert), keyEvent: keyEventCodec.toWire(event) } });
    return cert;
  }

  private async activate(keys: IdentityKeys): Promise<void> {
    if (this.ctx.keys && this.ctx.keys !== keys) wipe(this.ctx.keys);
    this.ctx.keys = keys;
    this.ctx.sealed.unlock(keys.officerId, keys.dhSecretKey);
  }
}

export function wipe(keys: IdentityKeys): void {
  const sodium = getSodium();
  sodium.memzero(keys.signSecretKey);
  sodium.memzero(keys.dhSecretKey);
}
