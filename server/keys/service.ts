import {
  BACKUP_MIN_MEMLIMIT_BYTES,
  BACKUP_MIN_OPSLIMIT,
  backupBlobCodec,
  backupMatchesIdentity,
  certificateCodec,
  certificateHash,
  constantTimeEqual,
  fromB64,
  identityFingerprint,
  keyEventCodec,
  keyLogEntryCodec,
  prekeyHash,
  signedPrekeyCodec,
  toB64,
  toHex,
  verifyCertificate,
  verifyKeyEvent,
  verifySignedPrekey,
  type KeyEvent,
  type OfficerCertificate,
  type SignedPrekey,
} from '../../shared/crypto/index.ts';
import type { Static } from 'typebox';
import type { AgencyRoot, CertifyBody, OfficerKeys, PendingRevocation, RegisterKeysBody, RevokeCertificateBody, RotatePrekeyBody } from '../../shared/schemas/keys.ts';
import type { Actor } from '../auth/actor.ts';
import type { AccountsService } from '../accounts/service.ts';
import type { AuditService } from '../audit/service.ts';
import { auditEvents } from '../audit/actions.ts';
import type { Clock } from '../clock.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import { KeyLogWriter } from './key-log.ts';
import type { AgencyRootRow, OfficerKeysRow } from './repository.ts';
import { parseWire, verified, wireJson } from './wire.ts';
import type { Repositories, Store } from '../store/store.ts';

type WireJson = Record<string, unknown>;

/** Roles allowed to hold an agency root in v1 (PROTOCOL.md §4.4). */
const ROOT_ROLES = new Set(['agency_admin', 'platform_admin']);

export interface KeysDeps {
  store: Store;
  clock: Clock;
  audit: AuditService;
  accounts: Pick<AccountsService, 'officer' | 'agency'>;
  keyLogSigningSeed: Uint8Array;
}

/** Identity keys, certificates, agency roots and the key-transparency log (docs/MESSAGING.md). */
export class KeysService {
  readonly log: KeyLogWriter;
  private readonly roots = new Map<string, Uint8Array | null>();
  private readonly fingerprints = new Map<string, string>();

  private readonly store: Store;
  private readonly clock: Clock;
  private readonly audit: AuditService;
  private readonly accounts: Pick<AccountsService, 'officer' | 'agency'>;

  constructor(deps: KeysDeps) {
    this.store = deps.store;
    this.clock = deps.clock;
    this.audit = deps.audit;
    this.accounts = deps.accounts;
    this.log = new KeyLogWriter(deps.clock, deps.keyLogSigningSeed);
  }

  // ---- for other capabilities ----

  /** The pinned agency root signing key (ChainContext.agencyRoot). */
  /** An officer's registered keys (certified or not), for other domains' policy checks. */
  registeredKeys(officerId: string): Promise<OfficerKeysRow | undefined> {
    return this.store.read((r) => r.keys.keys(officerId));
  }

  async agencyRoot(agencyId: string): Promise<Uint8Array | undefined> {
    let root = this.roots.get(agencyId);
    if (root === undefined) {
      const row = await this.store.read((r) => r.keys.root(agencyId));
      root = row ? fromB64(row.signPublicKey) : null;
      // Roots never change once pinned, so caching a present root is safe; absence is re-read.
      if (root) this.roots.set(agencyId, root);
    }
    return root ?? undefined;
  }

  /** Loads the pinned roots of these agencies into the cache (server/channels/roots.ts). */
  async loadRoots(agencyIds: Iterable<string>): Promise<void> {
    for (const id of new Set(agencyIds)) if (!this.roots.get(id)) await this.agencyRoot(id);
  }

  /** A pinned root from the cache: synchronous, for chain verification after loadRoots. */
  cachedRoot(agencyId: string): Uint8Array | undefined {
    return this.roots.get(agencyId) ?? undefined;
  }

  async signPublicKey(officerId: string): Promise<Uint8Array | undefined> {
    const row = await this.store.read((r) => r.keys.keys(officerId));
    return row ? fromB64(row.signPublicKey) : undefined;
  }

  async certificate(officerId: string): Promise<OfficerCertificate | undefined> {
    const row = await this.store.read((r) => r.keys.keys(officerId));
    return row?.certificate ? certificateCodec.fromWire(JSON.parse(row.certificate)) : undefined;
  }

  // ---- registration ----

  async register(actor: Actor, body: Static<typeof RegisterKeysBody>): Promise<{ keys: OfficerKeys; agencyRoot: boolean; logIndex: number | null }> {
    const event = parseWire(keyEventCodec, body.keyEvent, 'keyEvent');
    const prekey = parseWire(signedPrekeyCodec, body.prekey, 'prekey');
    const backup = parseWire(backupBlobCodec, body.backup, 'backup');
    if (event.kind !== 'enrol') throw new ValidationError('keyEvent must be an "enrol" event', 'wrong_event_kind');
    if (event.officerId !== actor.officerId || event.agencyId !== actor.agencyId) {
      throw new ValidationError('keyEvent names another officer or agency', 'wrong_subject');
    }
    verified(() => verifyKeyEvent(event), 'keyEvent');
    this.checkPrekey(actor.officerId, prekey, event.signPublicKey);
    if (backup.agencyId !== actor.agencyId || !backupMatchesIdentity(backup, event)) {
      throw new ValidationError('backup does not hold the keys being registered', 'backup_mismatch');
    }
    if (backup.opslimit < BACKUP_MIN_OPSLIMIT || backup.memlimit < BACKUP_MIN_MEMLIMIT_BYTES) {
      throw new ValidationError('backup: Argon2id cost below the protocol minimum', 'backup_too_weak');
    }
    const now = this.clock.now();
    const existing = await this.store.read((r) => r.keys.keys(actor.officerId));
    if (existing && sameKeys(existing, event)) {
      // Idempotent retry (or a new backup/prekey for the same keys): no new log entry.
      return this.store.write(async (tx) => {
        await tx.keys.updateKeys(actor.officerId, { prekey: wireJson(signedPrekeyCodec, prekey), backup: wireJson(backupBlobCodec, backup), updatedAt: now });
        await this.audit.record(tx, auditEvents.keysBackupUpdated(actor, { type: 'officer', id: actor.officerId }));
        return { keys: this.view((await tx.keys.keys(actor.officerId))!), agencyRoot: await this.isRoot(tx, actor.officerId, actor.agencyId), logIndex: null };
      });
    }
    return this.store.write(async (tx) => {
      const logIndex = await this.log.append(tx, event);
      await tx.keys.upsertKeys({
        officerId: actor.officerId,
        agencyId: actor.agencyId,
        signPublicKey: toB64(event.signPublicKey),
        dhPublicKey: toB64(event.dhPublicKey),
        enrolEvent: wireJson(keyEventCodec, event),
        prekey: wireJson(signedPrekeyCodec, prekey),
        backup: wireJson(backupBlobCodec, backup),
        // New keys need a new certificate.
        certificate: null,
        createdAt: now,
        updatedAt: now,
      });
      let becameRoot = false;
      if (ROOT_ROLES.has(actor.role) && !(await tx.keys.root(actor.agencyId))) {
        await tx.keys.insertRoot({ agencyId: actor.agencyId, officerId: actor.officerId, signPublicKey: toB64(event.signPublicKey), createdAt: now });
        this.roots.delete(actor.agencyId);
        becameRoot = true;
      }
      const registered = existing ? auditEvents.keysReregistered : auditEvents.keysRegistered;
      const details = { logIndex, agencyRoot: becameRoot, signPublicKey: toB64(event.signPublicKey) };
      await this.audit.record(tx, registered(actor, { type: 'officer', id: actor.officerId }, details));
      return { keys: this.view((await tx.keys.keys(actor.officerId))!), agencyRoot: becameRoot || (await this.isRoot(tx, actor.officerId, actor.agencyId)), logIndex };
    });
  }

  /** The agency root's client certifies an officer's registered keys (v1: also its own, self-issued). */
  async certify(actor: Actor, body: Static<typeof CertifyBody>): Promise<OfficerKeys> {
    const cert = parseWire(certificateCodec, body.certificate, 'certificate');
    const event = parseWire(keyEventCodec, body.keyEvent, 'keyEvent');
    const root = await this.requireRootAuthority(actor);
    const subject = await this.accounts.officer(cert.officerId);
    const keys = await this.store.read((r) => r.keys.keys(cert.officerId));
    // Officers of other agencies are indistinguishable from missing ones.
    if (!subject || subject.agencyId !== actor.agencyId || !keys) throw new NotFoundError('Officer keys');
    if (cert.agencyId !== actor.agencyId) throw new ValidationError('certificate names another agency', 'wrong_agency');
    if (!constantTimeEqual(cert.signPublicKey, fromB64(keys.signPublicKey)) || !constantTimeEqual(cert.dhPublicKey, fromB64(keys.dhPublicKey))) {
      throw new ValidationError('certificate keys differ from the registered keys', 'key_mismatch');
    }
    const expectedRole = subject.role === 'officer' ? 'officer' : 'agency_admin';
    if (cert.role !== expectedRole) throw new ValidationError(`certificate role must be ${expectedRole}`, 'wrong_role');
    const now = this.clock.now();
    // The server does not judge issuedAt against its own clock (clients do); it refuses expired certificates.
    verified(() => verifyCertificate(cert, fromB64(root.signPublicKey), Math.max(now, cert.issuedAt)), 'certificate');
    if (cert.expiresAt <= now) throw new ValidationError('certificate: expired', 'cert_expired');
    this.checkCertEvent(event, cert, root.signPublicKey);
    return this.store.write(async (tx) => {
      const logIndex = await this.log.append(tx, event);
      await tx.keys.updateKeys(cert.officerId, { certificate: wireJson(certificateCodec, cert), updatedAt: now });
      const details = { logIndex, role: cert.role, expiresAt: cert.expiresAt };
      await this.audit.record(tx, auditEvents.keysCertified(actor, { type: 'officer', id: cert.officerId }, details));
      return this.view((await tx.keys.keys(cert.officerId))!);
    });
  }

  async rotatePrekey(actor: Actor, body: Static<typeof RotatePrekeyBody>): Promise<OfficerKeys> {
    const prekey = parseWire(signedPrekeyCodec, body.prekey, 'prekey');
    const event = parseWire(keyEventCodec, body.keyEvent, 'keyEvent');
    const keys = await this.store.read((r) => r.keys.keys(actor.officerId));
    if (!keys) throw new ConflictError('Register your keys first', 'keys_required');
    const signPk = fromB64(keys.signPublicKey);
    this.checkPrekey(actor.officerId, prekey, signPk);
    const current = signedPrekeyCodec.fromWire(JSON.parse(keys.prekey));
    if (prekey.prekeyId <= current.prekeyId) throw new ConflictError('prekeyId must increase', 'stale_prekey');
    const ok =
      event.kind === 'prekey-rotate' &&
      event.officerId === actor.officerId &&
      event.agencyId === actor.agencyId &&
      constantTimeEqual(event.signPublicKey, signPk) &&
      constantTimeEqual(event.dhPublicKey, prekey.publicKey) &&
      constantTimeEqual(event.recordHash, prekeyHash(prekey));
    if (!ok) throw new ValidationError('keyEvent does not describe this prekey rotation', 'event_mismatch');
    verified(() => verifyKeyEvent(event), 'keyEvent');
    const now = this.clock.now();
    return this.store.write(async (tx) => {
      const logIndex = await this.log.append(tx, event);
      await tx.keys.updateKeys(actor.officerId, { prekey: wireJson(signedPrekeyCodec, prekey), updatedAt: now });
      await this.audit.record(tx, auditEvents.keysPrekeyRotated(actor, { type: 'officer', id: actor.officerId }, { logIndex, prekeyId: prekey.prekeyId }));
      return this.view((await tx.keys.keys(actor.officerId))!);
    });
  }

  // ---- revocation (PROTOCOL.md §4.3 **Revocation**) ----

  /** Agency root: certificates it must revoke (officers suspended while certified), oldest id first. */
  async pendingRevocations(actor: Actor): Promise<Static<typeof PendingRevocation>[]> {
    await this.requireRootAuthority(actor);
    const rows = await this.store.read((r) => r.keys.revocable(actor.agencyId));
    return rows.map((r) => ({
      officerId: r.officerId,
      agencyId: r.agencyId,
      signPublicKey: r.signPublicKey,
      dhPublicKey: r.dhPublicKey,
      certificate: JSON.parse(r.certificate!) as WireJson,
      reason: 'officer_suspended' as const,
    }));
  }

  /**
   * Agency root: logs a root-signed `cert-revoke` of an officer's current certificate and drops that
   * certificate (the officer is re-certified, with a new certificate, only if reactivated). From then on
   * the officer's sends, key envelopes and chain events are refused (`certificateRefusal`).
   */
  async revoke(actor: Actor, body: Static<typeof RevokeCertificateBody>): Promise<OfficerKeys> {
    const event = parseWire(keyEventCodec, body.keyEvent, 'keyEvent');
    if (event.kind !== 'cert-revoke') throw new ValidationError('keyEvent must be a "cert-revoke" event', 'wrong_event_kind');
    const root = await this.requireRootAuthority(actor);
    const subject = await this.accounts.officer(event.officerId);
    const keys = await this.store.read((r) => r.keys.keys(event.officerId));
    // Officers of other agencies are indistinguishable from missing ones.
    if (!subject || subject.agencyId !== actor.agencyId || !keys) throw new NotFoundError('Officer keys');
    if (!keys.certificate) throw new ConflictError('The officer holds no certificate to revoke', 'already_revoked');
    const cert = certificateCodec.fromWire(JSON.parse(keys.certificate));
    const ok =
      event.agencyId === actor.agencyId &&
      constantTimeEqual(event.signPublicKey, cert.signPublicKey) &&
      constantTimeEqual(event.dhPublicKey, cert.dhPublicKey) &&
      constantTimeEqual(event.recordHash, certificateHash(cert)) &&
      constantTimeEqual(event.authorSignPublicKey, fromB64(root.signPublicKey)) &&
      event.time >= cert.issuedAt;
    if (!ok) throw new ValidationError("keyEvent does not revoke this officer's current certificate as the agency root", 'event_mismatch');
    verified(() => verifyKeyEvent(event), 'keyEvent');
    const now = this.clock.now();
    return this.store.write(async (tx) => {
      const logIndex = await this.log.append(tx, event);
      await tx.keys.updateKeys(event.officerId, { certificate: null, updatedAt: now });
      const details = { logIndex, reason: subject.status === 'suspended' ? 'officer_suspended' : null, signPublicKey: keys.signPublicKey };
      await this.audit.record(tx, auditEvents.keysRevoked(actor, { type: 'officer', id: event.officerId }, details));
      return this.view((await tx.keys.keys(event.officerId))!);
    });
  }

  /**
   * Why an officer may not send, key an epoch or sign a chain event any more: 403
   * `certificate_revoked` when their latest certificate event for their current keys is a cert-revoke
   * (PROTOCOL.md §4.3 **Revocation**); null otherwise (membership and the chain rules decide the rest).
   */
  async certificateRefusal(officerId: string): Promise<ForbiddenError | null> {
    const row = await this.store.read((r) => r.keys.keys(officerId));
    if (!row || row.certificate) return null;
    const recent = await this.store.read((r) => r.keys.latestEntriesOf(officerId, 50));
    const lastCertEvent = recent
      .map((e) => keyLogEntryCodec.fromWire(JSON.parse(e.entry)).event)
      .find((e) => (e.kind === 'cert-issue' || e.kind === 'cert-revoke') && toB64(e.signPublicKey) === row.signPublicKey);
    if (lastCertEvent?.kind !== 'cert-revoke') return null;
    return new ForbiddenError('Your certificate was revoked by your agency: you can no longer send, key or change channels with these keys', 'certificate_revoked');
  }

  // ---- reads ----

  async officerKeys(_actor: Actor, officerId: string): Promise<OfficerKeys> {
    const row = await this.store.read((r) => r.keys.keys(officerId));
    if (!row) throw new NotFoundError('Officer keys');
    return this.view(row);
  }

  async pending(actor: Actor): Promise<OfficerKeys[]> {
    if (!ROOT_ROLES.has(actor.role)) throw new ForbiddenError('Agency administrators only');
    return (await this.store.read((r) => r.keys.pending(actor.agencyId))).map((r) => this.view(r));
  }

  async root(agencyId: string): Promise<Static<typeof AgencyRoot>> {
    const row = await this.store.read((r) => r.keys.root(agencyId));
    if (!row) throw new NotFoundError('Agency root');
    return { agencyId: row.agencyId, officerId: row.officerId, signPublicKey: row.signPublicKey, createdAt: row.createdAt };
  }

  async backup(actor: Actor): Promise<WireJson> {
    const row = await this.store.read((r) => r.keys.keys(actor.officerId));
    if (!row) throw new NotFoundError('Key backup');
    return JSON.parse(row.backup) as WireJson;
  }

  async keyLog(from: number, limit: number): Promise<{ entries: WireJson[]; head: WireJson | null; size: number; serverSignPublicKey: string }> {
    const page = await this.store.read((r) => this.log.page(r.keys, from, limit));
    return { ...page, serverSignPublicKey: toB64(this.log.publicKey) };
  }

  view(row: OfficerKeysRow): OfficerKeys {
    let fingerprint = this.fingerprints.get(`${row.officerId}:${row.signPublicKey}:${row.dhPublicKey}`);
    if (!fingerprint) {
      // 5,200 SHA-512 rounds: computed once per key pair.
      fingerprint = toHex(identityFingerprint({ officerId: row.officerId, signPublicKey: fromB64(row.signPublicKey), dhPublicKey: fromB64(row.dhPublicKey) }));
      this.fingerprints.set(`${row.officerId}:${row.signPublicKey}:${row.dhPublicKey}`, fingerprint);
    }
    return {
      officerId: row.officerId,
      agencyId: row.agencyId,
      signPublicKey: row.signPublicKey,
      dhPublicKey: row.dhPublicKey,
      prekey: JSON.parse(row.prekey) as WireJson,
      certificate: row.certificate ? (JSON.parse(row.certificate) as WireJson) : null,
      fingerprint,
    };
  }

  /**
   * The pinned root's keys carry agency-root authority only while their officer is still an active
   * administrator of an active agency. v1 cannot move the root to another administrator (root
   * rotation comes with protocol v2), so a demoted or suspended root leaves the agency unable to certify.
   */
  private async requireRootAuthority(actor: Actor): Promise<AgencyRootRow> {
    const root = await this.store.read((r) => r.keys.root(actor.agencyId));
    if (!root || root.officerId !== actor.officerId) throw new ForbiddenError('Only the agency root may issue certificates', 'not_agency_root');
    const officer = await this.accounts.officer(actor.officerId);
    const agency = await this.accounts.agency(actor.agencyId);
    if (!ROOT_ROLES.has(actor.role) || !officer || !ROOT_ROLES.has(officer.role) || officer.status !== 'active' || agency?.status !== 'active') {
      throw new ForbiddenError(
        'Your agency-root keys no longer carry authority: you are not an active administrator any more, so they cannot certify keys. Moving the agency root to another administrator is not available yet; contact your platform administrator',
        'agency_root_revoked',
      );
    }
    return root;
  }

  private async isRoot(repos: Pick<Repositories, 'keys'>, officerId: string, agencyId: string): Promise<boolean> {
    return (await repos.keys.root(agencyId))?.officerId === officerId;
  }

  private checkPrekey(officerId: string, prekey: SignedPrekey, signPk: Uint8Array): void {
    if (prekey.officerId !== officerId) throw new ValidationError('prekey names another officer', 'wrong_subject');
    // Signature checked at the prekey's own creation time; the server only refuses expired prekeys.
    verified(() => verifySignedPrekey(prekey, signPk, prekey.createdAt), 'prekey');
    if (prekey.expiresAt <= this.clock.now()) throw new ValidationError('prekey: expired', 'prekey_expired');
  }

  private checkCertEvent(event: KeyEvent, cert: OfficerCertificate, rootKey: string): void {
    const ok =
      event.kind === 'cert-issue' &&
      event.officerId === cert.officerId &&
      event.agencyId === cert.agencyId &&
      constantTimeEqual(event.signPublicKey, cert.signPublicKey) &&
      constantTimeEqual(event.dhPublicKey, cert.dhPublicKey) &&
      constantTimeEqual(event.recordHash, certificateHash(cert)) &&
      constantTimeEqual(event.authorSignPublicKey, fromB64(rootKey));
    if (!ok) throw new ValidationError('keyEvent does not describe this certificate issued by the agency root', 'event_mismatch');
    verified(() => verifyKeyEvent(event), 'keyEvent');
  }
}

function sameKeys(row: OfficerKeysRow, event: KeyEvent): boolean {
  return row.signPublicKey === toB64(event.signPublicKey) && row.dhPublicKey === toB64(event.dhPublicKey);
}

