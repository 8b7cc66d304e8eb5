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
  prekeyHash,
  RENEWAL_REQUEST_TOLERANCE_MS,
  renewalDue,
  renewalDueAt,
  renewalRequestCodec,
  signedPrekeyCodec,
  toB64,
  toHex,
  verifyCertificate,
  verifyKeyEvent,
  verifyRenewalRequest,
  verifySignedPrekey,
  type KeyEvent,
  type OfficerCertificate,
  type SignedPrekey,
} from '../../shared/crypto/index.ts';
import type { Static } from 'typebox';
import type { AgencyRoot, CertifyBody, OfficerKeys, PendingOfficerKeys, PendingReason, RegisterKeysBody, RenewalRequestBody, RotatePrekeyBody } from '../../shared/schemas/keys.ts';
import type { Actor } from '../auth/actor.ts';
import type { AccountsService } from '../accounts/service.ts';
import type { AuditService } from '../audit/service.ts';
import { auditEvents } from '../audit/actions.ts';
import type { Clock } from '../clock.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import { KeyLogWriter } from './key-log.ts';
import type { AgencyRootRow, OfficerKeysRow, PendingKeysRow } from './repository.ts';
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
        // New keys need a new certificate (and a renewal request was about the old one).
        certificate: null,
        renewalRequestedAt: null,
        renewalRequest: null,
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
    // A suspended officer is not (re-)certified: no new keys, no renewal (PROTOCOL.md §4.2).
    if (subject.status !== 'active') throw new ConflictError('This officer is suspended; reactivate the account before certifying its keys', 'officer_suspended');
    if (cert.agencyId !== actor.agencyId) throw new ValidationError('certificate names another agency', 'wrong_agency');
    if (!constantTimeEqual(cert.signPublicKey, fromB64(keys.signPublicKey)) || !constantTimeEqual(cert.dhPublicKey, fromB64(keys.dhPublicKey))) {
      throw new ValidationError('certificate keys differ from the registered keys', 'key_mismatch');
    }
    const expectedRole = certificateRole(subject.role);
    if (cert.role !== expectedRole) throw new ValidationError(`certificate role must be ${expectedRole}`, 'wrong_role');
    const now = this.clock.now();
    // The server does not judge issuedAt against its own clock (clients do); it refuses expired certificates.
    verified(() => verifyCertificate(cert, fromB64(root.signPublicKey), Math.max(now, cert.issuedAt)), 'certificate');
    if (cert.expiresAt <= now) throw new ValidationError('certificate: expired', 'cert_expired');
    this.checkCertEvent(event, cert, root.signPublicKey);
    // A later certificate for the same officer supersedes the current one (PROTOCOL.md §4.2); an older one never does.
    const current = keys.certificate ? certificateCodec.fromWire(JSON.parse(keys.certificate)) : null;
    if (current && cert.issuedAt < current.issuedAt) {
      throw new ConflictError('certificate: issued before the officer\'s current certificate, which supersedes it', 'certificate_superseded');
    }
    const reason = pendingReason({ ...keys, officerRole: subject.role }, now) ?? 'renewal';
    return this.store.write(async (tx) => {
      // Re-checked in the transaction, so two concurrent certifications cannot install the older one last.
      const latest = (await tx.keys.keys(cert.officerId))?.certificate;
      if (latest && latest !== keys.certificate && certificateCodec.fromWire(JSON.parse(latest)).issuedAt > cert.issuedAt) {
        throw new ConflictError('certificate: issued before the officer\'s current certificate, which supersedes it', 'certificate_superseded');
      }
      const logIndex = await this.log.append(tx, event);
      await tx.keys.updateKeys(cert.officerId, { certificate: wireJson(certificateCodec, cert), renewalRequestedAt: null, renewalRequest: null, updatedAt: now });
      const details = { logIndex, role: cert.role, expiresAt: cert.expiresAt, reason };
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

  /**
   * The officer asks its agency root to renew its current certificate (PROTOCOL.md §4.2): a request signed
   * with the certified identity key over the current certificate's hash, dated within the tolerance of this
   * server's clock, from 80 % of the certificate's lifetime on. Puts the officer in the certification queue
   * (reason `renewal`); repeating it before the new certificate arrives changes nothing.
   */
  async requestRenewal(actor: Actor, body: Static<typeof RenewalRequestBody>): Promise<OfficerKeys> {
    const request = parseWire(renewalRequestCodec, body.request, 'request');
    if (request.officerId !== actor.officerId) throw new ValidationError('request: names another officer; each officer renews only its own certificate', 'wrong_subject');
    const officer = await this.accounts.officer(actor.officerId);
    if (!officer || officer.status !== 'active') {
      throw new ForbiddenError('This account is suspended: its certificate is not renewed; contact your agency administrator', 'account_suspended');
    }
    const row = await this.store.read((r) => r.keys.keys(actor.officerId));
    if (!row) throw new ConflictError('Register your keys first', 'keys_required');
    if (!row.certificate) throw new ConflictError('Your keys wait for their first certificate; there is nothing to renew yet', 'certificate_required');
    const current = certificateCodec.fromWire(JSON.parse(row.certificate));
    const now = this.clock.now();
    verified(() => verifyRenewalRequest(request, current, now), 'request');
    // A client whose clock runs ahead by up to the tolerance may ask that much early.
    if (!renewalDue(current, now + RENEWAL_REQUEST_TOLERANCE_MS)) {
      throw new ConflictError(`Your certificate is renewed from ${new Date(renewalDueAt(current)).toISOString()} (80 % of its lifetime) on`, 'renewal_not_due');
    }
    if (row.renewalRequestedAt !== null) return this.view(row);
    return this.store.write(async (tx) => {
      // Re-read in the transaction: a concurrent request (or a new certificate) may have landed since.
      const fresh = await tx.keys.keys(actor.officerId);
      if (!fresh || fresh.renewalRequestedAt !== null || fresh.certificate !== row.certificate) return this.view(fresh ?? row);
      await tx.keys.updateKeys(actor.officerId, { renewalRequestedAt: now, renewalRequest: wireJson(renewalRequestCodec, request), updatedAt: now });
      await this.audit.record(tx, auditEvents.keysRenewalRequested(actor, { type: 'officer', id: actor.officerId }, { expiresAt: current.expiresAt }));
      return this.view((await tx.keys.keys(actor.officerId))!);
    });
  }

  // ---- reads ----

  async officerKeys(_actor: Actor, officerId: string): Promise<OfficerKeys> {
    const row = await this.store.read((r) => r.keys.keys(officerId));
    if (!row) throw new NotFoundError('Officer keys');
    return this.view(row);
  }

  /** The certification queue of the caller's agency, each officer with the reason (PROTOCOL.md §4.2). */
  async pending(actor: Actor): Promise<PendingOfficerKeys[]> {
    if (!ROOT_ROLES.has(actor.role)) throw new ForbiddenError('Agency administrators only');
    const now = this.clock.now();
    const rows = await this.store.read((r) => r.keys.pending(actor.agencyId, now));
    const out: PendingOfficerKeys[] = [];
    for (const row of rows) {
      const reason = pendingReason(row, now);
      if (reason) out.push({ ...this.view(row), reason });
    }
    return out;
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
      renewalRequestedAt: row.renewalRequestedAt,
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

/** The role a certificate must carry for an account role (v1 certificates know two roles). */
export function certificateRole(accountRole: string): 'officer' | 'agency_admin' {
  return accountRole === 'officer' ? 'officer' : 'agency_admin';
}

/**
 * Why these keys need a certificate at `now`, or null when the current one is fine. One reason per
 * officer, the first that applies: no certificate (`new-keys`), a certificate whose role is not the
 * account's (`role-changed`), an expired one (`expired`), a renewal the officer asked for (`renewal`).
 */
export function pendingReason(row: PendingKeysRow, now: number): PendingReason | null {
  if (!row.certificate) return 'new-keys';
  const cert = certificateCodec.fromWire(JSON.parse(row.certificate));
  if (cert.role !== certificateRole(row.officerRole)) return 'role-changed';
  if (cert.expiresAt <= now) return 'expired';
  if (row.renewalRequestedAt !== null) return 'renewal';
  return null;
}

function sameKeys(row: OfficerKeysRow, event: KeyEvent): boolean {
  return row.signPublicKey === toB64(event.signPublicKey) && row.dhPublicKey === toB64(event.dhPublicKey);
}

