import {
  backupBlobCodec,
  certificateCodec,
  certificateHash,
  checkKeysAgainstLog,
  constantTimeEqual,
  createRenewalRequest,
  createKeyEvent,
  fromB64,
  generateIdentity,
  generateSignedPrekey,
  getSodium,
  issueCertificate,
  keyEventCodec,
  keyEventHash,
  openBackup,
  publicIdentity,
  renewalDue,
  renewalDueAt,
  renewalRequestCodec,
  safetyNumber,
  sealBackup,
  signedPrekeyCodec,
  toB64,
  verifyCertificate,
  verifySignedPrekey,
  type IdentityKeys,
  type KeyEvent,
  type OfficerCertificate,
  type SafetyNumber,
} from '../../shared/crypto/index.ts';
import { api } from '../../shared/api/index.ts';
import { passphraseReusesPassword } from '../../shared/passwords/rules.ts';
import { requireKeys, requireOfficer, type SdkContext } from './context.ts';
import { LiaisonClientError } from './errors.ts';
import type { KeyLogAuditor } from './keylog.ts';
import type { PinStore } from './pins.ts';

const YEAR_MS = 365 * 24 * 3600 * 1000;
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
    const keys = openBackup(backupBlobCodec.fromWire(backup), passphrase, officer.id);
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
    await this.renewIfDueQuietly();
  }

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

  /** The agency's root key, pinned on first use. */
  async agencyRoot(agencyId: string): Promise<Uint8Array> {
    const pinned = await this.pins.root(agencyId);
    if (!pinned) {
      const { root } = await this.ctx.http.call(api.keys.agencyRoot, { params: { id: agencyId } });
      await this.pins.checkRoot(agencyId, fromB64(root.signPublicKey));
    }
    const key = this.pins.rootKey(agencyId);
    if (!key) throw new LiaisonClientError('keys/no-root', `agencyRoot: no root for ${agencyId}`);
    return key;
  }

  /** Fetches an officer's certificate, verifies it under the pinned agency root and checks the pin. */
  async certified(officerId: string): Promise<CertifiedOfficer> {
    const { keys } = await this.ctx.http.call(api.keys.officerKeys, { params: { id: officerId } });
    if (!keys.certificate) throw new LiaisonClientError('keys/not-certified', `certified: ${officerId} has no certificate yet`);
    const cert = certificateCodec.fromWire(keys.certificate);
    if (cert.officerId !== officerId) throw new LiaisonClientError('keys/wrong-subject', 'certified: certificate names another officer');
    const root = await this.agencyRoot(cert.agencyId);
    try {
      verifyCertificate(cert, root, this.ctx.now());
    } catch (cause) {
      throw new LiaisonClientError('keys/bad-certificate', `certified: certificate of ${officerId} does not verify under the pinned root`, { cause });
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
