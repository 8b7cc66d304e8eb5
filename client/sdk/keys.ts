import {
  backupBlobCodec,
  certificateCodec,
  certificateHash,
  checkKeysAgainstLog,
  createKeyEvent,
  createRevocationEvent,
  fromB64,
  generateIdentity,
  generateSignedPrekey,
  getSodium,
  issueCertificate,
  keyEventCodec,
  keyEventHash,
  openBackup,
  publicIdentity,
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
import { LiaisonApiError, LiaisonClientError } from './errors.ts';
import type { KeyLogAuditor } from './keylog.ts';
import type { PinStore } from './pins.ts';

const YEAR_MS = 365 * 24 * 3600 * 1000;
const MINE_KEY = 'keylog:mine';

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
  }

  /** Wipes the secret keys and the local store key from memory. */
  lock(): void {
    this.ctx.signInPassword = null;
    if (this.ctx.keys) wipe(this.ctx.keys);
    this.ctx.keys = null;
    this.ctx.sealed.lock();
  }

  /** Agency root: certifies every officer of the agency who registered keys without a certificate. */
  async certifyPending(opts: { certificateLifetimeMs?: number } = {}): Promise<string[]> {
    const root = requireKeys(this.ctx, 'certifyPending');
    const { officers } = await this.ctx.http.call(api.keys.pending);
    const done: string[] = [];
    for (const o of officers) {
      const subject = { officerId: o.officerId, agencyId: o.agencyId, signPublicKey: fromB64(o.signPublicKey), dhPublicKey: fromB64(o.dhPublicKey) };
      // The prekey proves possession of the signing key being certified.
      verifySignedPrekey(signedPrekeyCodec.fromWire(o.prekey), subject.signPublicKey, signedPrekeyCodec.fromWire(o.prekey).createdAt);
      const { officer } = await this.ctx.http.call(api.accounts.getOfficer, { params: { id: o.officerId } });
      await this.issue(root, officer.role === 'officer' ? 'officer' : 'agency_admin', this.ctx.now(), opts.certificateLifetimeMs ?? YEAR_MS, subject);
      await this.pins.checkOfficer(subject);
      done.push(o.officerId);
    }
    return done;
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
        // Only a certificate this root issued (the signature binds it); expiry does not matter for a revocation.
        verifyCertificate(cert, root.signPublicKey, cert.issuedAt);
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
    const status = await this.pins.checkOfficer(cert);
    return { cert, trusted: status !== 'changed' };
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
