import {
  BACKUP_MIN_MEMLIMIT_BYTES,
  BACKUP_MIN_OPSLIMIT,
  backupBlobCodec,
  backupMatchesIdentity,
  certificateCodec,
  certificateHash,
  constantTimeEqual,
  currentRootSet,
  deviceRecordHash,
  fromB64,
  genesisRootSet,
  isRootKeyAt,
  identityFingerprint,
  keyEventCodec,
  keyLogEntryCodec,
  prekeyHash,
  RENEWAL_REQUEST_TOLERANCE_MS,
  renewalDue,
  renewalDueAt,
  renewalRequestCodec,
  rootSetCodec,
  rootSetId,
  rootSetSignatureCodec,
  signedPrekeyCodec,
  toB64,
  toHex,
  verifyCertificate,
  verifyKeyEvent,
  verifyRenewalRequest,
  verifyRootHistory,
  verifyRootSetTransition,
  verifySignedPrekey,
  withSignature,
  type KeyEvent,
  type OfficerCertificate,
  type RootHistory,
  type RootSet,
  type SignedPrekey,
} from '../../shared/crypto/index.ts';
import type { Static } from 'typebox';
import type {
  AddDeviceBody,
  AgencyRootView,
  CertifyBody,
  DeviceView,
  OfficerKeys,
  PendingOfficerKeys,
  PendingReason,
  PendingRevocation,
  ProposeRootSetBody,
  RegisterKeysBody,
  RenewalRequestBody,
  RevokeCertificateBody,
  RevokeDeviceBody,
  RootSetOutcome,
  RootSetProposal,
  RotatePrekeyBody,
  SignRootSetBody,
} from '../../shared/schemas/keys.ts';
import type { Actor } from '../auth/actor.ts';
import type { AccountsService } from '../accounts/service.ts';
import type { AuditService } from '../audit/service.ts';
import { auditEvents } from '../audit/actions.ts';
import type { Clock } from '../clock.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import { KeyLogWriter } from './key-log.ts';
import type { DeviceRow, OfficerKeysRow, PendingKeysRow } from './repository.ts';
import { parseWire, verified, wireJson } from './wire.ts';
import type { Repositories, Store, Tx } from '../store/store.ts';

type WireJson = Record<string, unknown>;

/** Roles allowed in an agency root set (PROTOCOL.md §4.4). */
const ROOT_ROLES = new Set(['agency_admin', 'platform_admin']);
/** A proposed root set's time must be this close to the server clock. */
const ROOT_SET_CLOCK_TOLERANCE_MS = 10 * 60 * 1000;
/** A device-add / device-revoke event's time must be this close to the server clock (PROTOCOL.md §4.5). */
export const DEVICE_EVENT_CLOCK_TOLERANCE_MS = 10 * 60 * 1000;

/** The one thing keys need from sessions: ending a session of a revoked device (AuthService, wired in server/context.ts). */
export interface DeviceSessions {
  /** Ends the officer's session `sessionId` inside `tx` if it is still open; returns how many ended (0 or 1). */
  revokeSession(tx: Tx, officerId: string, sessionId: string, reason: string): Promise<number>;
}

/**
 * Which key signs the envelopes of a device (PROTOCOL.md §4.5): its own key while it is certified by the
 * officer's registered identity key; the identity key when no such device was added (v1 devices, and
 * devices certified by identity keys since replaced); none once it was revoked.
 */
export type DeviceSigner = { kind: 'identity' } | { kind: 'device'; signPublicKey: Uint8Array } | { kind: 'revoked' };

export interface KeysDeps {
  store: Store;
  clock: Clock;
  audit: AuditService;
  accounts: Pick<AccountsService, 'officer' | 'agency'>;
  sessions: DeviceSessions;
  keyLogSigningSeed: Uint8Array;
}

/** Identity keys, certificates, agency roots and the key-transparency log (docs/MESSAGING.md). */
export class KeysService {
  readonly log: KeyLogWriter;
  /** Verified root-set histories by agency (version 0 = the agency_roots key); dropped when a set applies. */
  private readonly roots = new Map<string, RootHistory>();
  private readonly fingerprints = new Map<string, string>();

  private readonly store: Store;
  private readonly clock: Clock;
  private readonly audit: AuditService;
  private readonly accounts: Pick<AccountsService, 'officer' | 'agency'>;
  private readonly sessions: DeviceSessions;

  constructor(deps: KeysDeps) {
    this.store = deps.store;
    this.clock = deps.clock;
    this.audit = deps.audit;
    this.accounts = deps.accounts;
    this.sessions = deps.sessions;
    this.log = new KeyLogWriter(deps.clock, deps.keyLogSigningSeed);
  }

  // ---- for other capabilities ----

  /** The pinned agency root signing key (ChainContext.agencyRoot). */
  /** An officer's registered keys (certified or not), for other domains' policy checks. */
  registeredKeys(officerId: string): Promise<OfficerKeysRow | undefined> {
    return this.store.read((r) => r.keys.keys(officerId));
  }

  /** The agency's verified root history (PROTOCOL.md §4.4): version 0 and every applied root set. */
  async agencyRoot(agencyId: string): Promise<RootHistory | undefined> {
    const cached = this.roots.get(agencyId);
    if (cached) return cached;
    const history = await this.store.read((r) => this.readRootHistory(r, agencyId));
    // Absence is re-read next time; a present history changes only through applyRootSet, which drops it.
    if (history) this.roots.set(agencyId, history);
    return history;
  }

  /** Loads the roots of these agencies into the cache (server/channels/roots.ts). */
  async loadRoots(agencyIds: Iterable<string>): Promise<void> {
    for (const id of new Set(agencyIds)) if (!this.roots.get(id)) await this.agencyRoot(id);
  }

  /** A root history from the cache: synchronous, for chain verification after loadRoots. */
  cachedRoot(agencyId: string): RootHistory | undefined {
    return this.roots.get(agencyId);
  }

  private async readRootHistory(r: Pick<Repositories, 'keys'>, agencyId: string): Promise<RootHistory | undefined> {
    const row = await r.keys.root(agencyId);
    if (!row) return undefined;
    const genesis = genesisRootSet(agencyId, { officerId: row.officerId, signPublicKey: fromB64(row.signPublicKey) });
    const sets = (await r.keys.rootSets(agencyId)).map((x) => rootSetCodec.fromWire(JSON.parse(x.statement)));
    // Every stored set was verified before it was stored; verifying again costs one signature per signer.
    return verifyRootHistory(genesis, sets);
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
    const { history, signPublicKey: issuerKey } = await this.requireRootAuthority(actor);
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
    // The issuer must be a member of the root set in force now (a backdated issuedAt cannot reach an older set).
    if (!constantTimeEqual(cert.issuerSignPublicKey, issuerKey)) throw new ValidationError('certificate: issued by a key other than yours', 'certificate_mismatch');
    verified(() => verifyCertificate(cert, issuerKey, Math.max(now, cert.issuedAt)), 'certificate');
    if (!isRootKeyAt(history, issuerKey, now)) throw new ForbiddenError('Your key is not in the agency root set in force', 'not_agency_root');
    if (cert.expiresAt <= now) throw new ValidationError('certificate: expired', 'cert_expired');
    this.checkCertEvent(event, cert, issuerKey);
    // A later certificate for the same officer supersedes the current one (PROTOCOL.md §4.2); an older one never does.
    const current = keys.certificate ? certificateCodec.fromWire(JSON.parse(keys.certificate)) : null;
    if (current && cert.issuedAt < current.issuedAt) {
      throw new ConflictError('certificate: issued before the officer\'s current certificate, which supersedes it', 'certificate_superseded');
    }
    const reason = pendingReason({ ...keys, officerRole: subject.role }, now, history) ?? 'renewal';
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
    const { signPublicKey: rootKey } = await this.requireRootAuthority(actor);
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
      constantTimeEqual(event.authorSignPublicKey, rootKey) &&
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

  // ---- devices (PROTOCOL.md §4.5) ----

  /**
   * Adds the calling device: its key, certified by the officer's registered identity key with a
   * `device-add` event (logged), and binds the calling session to it. Announcing a device already
   * certified with the same key (after a new sign-in) only renames it, refreshes `lastSeenAt` and binds
   * the session (`created: false`, no log entry). The same id with another key is 409
   * `device_key_conflict`; a revoked id is 409 `device_revoked` for good.
   */
  async addDevice(actor: Actor, body: Static<typeof AddDeviceBody>): Promise<{ device: DeviceView; created: boolean }> {
    const event = parseWire(keyEventCodec, body.keyEvent, 'keyEvent');
    const keys = await this.store.read((r) => r.keys.keys(actor.officerId));
    if (!keys) throw new ConflictError('Register your identity keys before adding a device', 'keys_required');
    if (event.kind !== 'device-add') throw new ValidationError('keyEvent must be a "device-add" event', 'wrong_event_kind');
    const wire = wireJson(keyEventCodec, event);
    const stored = await this.store.read((r) => r.keys.device(actor.officerId, body.deviceId));
    // The very event already logged for this device may be re-announced at any later time (a sign-in
    // without the identity keys at hand); any other event must be fresh.
    const logged = stored?.addEvent === wire;
    this.checkDeviceEvent(actor, event, body.deviceId, keys, { checkTime: !logged });
    if (constantTimeEqual(event.signPublicKey, fromB64(keys.signPublicKey))) {
      throw new ValidationError('keyEvent.signPublicKey is your identity key; a device is certified with a key of its own', 'device_key_invalid');
    }
    const signPublicKey = toB64(event.signPublicKey);
    const now = this.clock.now();
    return this.store.write(async (tx) => {
      // Re-read in the transaction: the identity keys may have been replaced, a concurrent add or revoke may have landed.
      if ((await tx.keys.keys(actor.officerId))?.signPublicKey !== keys.signPublicKey) {
        throw new ValidationError('keyEvent must be signed by your registered identity key (it changed meanwhile)', 'event_author_mismatch');
      }
      const row = await tx.keys.device(actor.officerId, body.deviceId);
      if (row && row.revokedAt !== null) throw new ConflictError('This device was revoked; a new installation signs in as a new device', 'device_revoked');
      const binding = { sessionId: actor.sessionId, officerId: actor.officerId, deviceId: body.deviceId, createdAt: now };
      if (row && row.authorSignPublicKey === keys.signPublicKey) {
        if (row.signPublicKey !== signPublicKey) {
          throw new ConflictError('This device id is already certified with another key; a new installation uses a new device id', 'device_key_conflict');
        }
        await tx.keys.updateDevice(actor.officerId, body.deviceId, { name: body.name, lastSeenAt: now });
        await tx.keys.bindSession(binding);
        return { device: deviceView((await tx.keys.device(actor.officerId, body.deviceId))!, body.deviceId), created: false };
      }
      // A new device, or one certified by identity keys since replaced (that certification no longer counts).
      const logIndex = await this.log.append(tx, event);
      await tx.keys.putDevice({
        officerId: actor.officerId,
        deviceId: body.deviceId,
        name: body.name,
        signPublicKey,
        authorSignPublicKey: keys.signPublicKey,
        addEvent: wire,
        addedAt: now,
        lastSeenAt: now,
      });
      await tx.keys.bindSession(binding);
      await this.audit.record(tx, auditEvents.keysDeviceAdded(actor, { type: 'device', id: body.deviceId }, { logIndex, deviceId: body.deviceId, signPublicKey }));
      return { device: deviceView((await tx.keys.device(actor.officerId, body.deviceId))!, body.deviceId), created: true };
    });
  }

  /** The officer's devices, newest first, revoked ones included; `current` marks the calling session's device. */
  async myDevices(actor: Actor): Promise<DeviceView[]> {
    const { rows, current } = await this.store.read(async (r) => ({
      rows: await r.keys.devicesOf(actor.officerId),
      current: await r.keys.deviceOfSession(actor.sessionId),
    }));
    return rows.map((row) => deviceView(row, current));
  }

  /**
   * Revokes one of the officer's devices with an identity-signed `device-revoke` of its key: in one
   * transaction the event is logged, the device marked revoked and every session bound to it ended
   * (the caller's own included, when it revokes its current device). From then on the device's sends
   * are refused (403 `device_revoked`) and its id cannot be added again.
   */
  async revokeDevice(actor: Actor, deviceId: string, body: Static<typeof RevokeDeviceBody>): Promise<DeviceView> {
    const event = parseWire(keyEventCodec, body.keyEvent, 'keyEvent');
    const row = await this.store.read((r) => r.keys.device(actor.officerId, deviceId));
    // Another officer's device is indistinguishable from a missing one.
    if (!row) throw new NotFoundError('Device');
    if (row.revokedAt !== null) throw new ConflictError('This device is already revoked', 'device_revoked');
    const keys = await this.store.read((r) => r.keys.keys(actor.officerId));
    if (!keys) throw new ConflictError('Register your identity keys before revoking a device', 'keys_required');
    if (event.kind !== 'device-revoke') throw new ValidationError('keyEvent must be a "device-revoke" event', 'wrong_event_kind');
    if (toB64(event.signPublicKey) !== row.signPublicKey) {
      throw new ValidationError("keyEvent.signPublicKey must be the key of the device being revoked", 'event_mismatch');
    }
    this.checkDeviceEvent(actor, event, deviceId, keys, { checkTime: true });
    const now = this.clock.now();
    return this.store.write(async (tx) => {
      const fresh = await tx.keys.device(actor.officerId, deviceId);
      if (!fresh) throw new NotFoundError('Device');
      if (fresh.revokedAt !== null) throw new ConflictError('This device is already revoked', 'device_revoked');
      if (fresh.signPublicKey !== row.signPublicKey) throw new ValidationError("keyEvent.signPublicKey must be the key of the device being revoked", 'event_mismatch');
      if ((await tx.keys.keys(actor.officerId))?.signPublicKey !== keys.signPublicKey) {
        throw new ValidationError('keyEvent must be signed by your registered identity key (it changed meanwhile)', 'event_author_mismatch');
      }
      const logIndex = await this.log.append(tx, event);
      await tx.keys.updateDevice(actor.officerId, deviceId, { revokedAt: now, revokeEvent: wireJson(keyEventCodec, event) });
      let sessionsEnded = 0;
      for (const sessionId of await tx.keys.sessionsOfDevice(actor.officerId, deviceId)) {
        sessionsEnded += await this.sessions.revokeSession(tx, actor.officerId, sessionId, 'device_revoked');
      }
      const details = { logIndex, deviceId, signPublicKey: row.signPublicKey, sessionsEnded };
      await this.audit.record(tx, auditEvents.keysDeviceRevoked(actor, { type: 'device', id: deviceId }, details));
      return deviceView((await tx.keys.device(actor.officerId, deviceId))!, await tx.keys.deviceOfSession(actor.sessionId));
    });
  }

  /**
   * Which key must sign an envelope from the officer's device `deviceId` (see DeviceSigner). Read on
   * every send; ChannelAccess caches it with the same invalidation as the sign key, so a revocation
   * (a write) takes effect at the next send.
   */
  async deviceSigner(officerId: string, deviceId: string): Promise<DeviceSigner> {
    const { device, keys } = await this.store.read(async (r) => ({ device: await r.keys.device(officerId, deviceId), keys: await r.keys.keys(officerId) }));
    if (!device) return { kind: 'identity' };
    if (device.revokedAt !== null) return { kind: 'revoked' };
    // Certified by identity keys since replaced: clients ignore that certification (deviceStatus), so does the server.
    if (!keys || device.authorSignPublicKey !== keys.signPublicKey) return { kind: 'identity' };
    return { kind: 'device', signPublicKey: fromB64(device.signPublicKey) };
  }

  /** The checks a device-add and a device-revoke share (PROTOCOL.md §4.5), then the event signature. */
  private checkDeviceEvent(actor: Actor, event: KeyEvent, deviceId: string, keys: OfficerKeysRow, opts: { checkTime: boolean }): void {
    if (event.officerId !== actor.officerId || event.agencyId !== actor.agencyId) {
      throw new ValidationError('keyEvent names another officer or agency; each officer manages only its own devices', 'wrong_subject');
    }
    if (!constantTimeEqual(event.authorSignPublicKey, fromB64(keys.signPublicKey))) {
      throw new ValidationError('keyEvent must be signed by your registered identity key', 'event_author_mismatch');
    }
    if (!constantTimeEqual(event.dhPublicKey, fromB64(keys.dhPublicKey))) {
      throw new ValidationError('keyEvent.dhPublicKey must be your registered identity DH key', 'event_mismatch');
    }
    if (!constantTimeEqual(event.recordHash, deviceRecordHash(actor.officerId, deviceId))) {
      throw new ValidationError('keyEvent.recordHash must be deviceRecordHash(officerId, deviceId) of this device', 'event_mismatch');
    }
    if (opts.checkTime && Math.abs(event.time - this.clock.now()) > DEVICE_EVENT_CLOCK_TOLERANCE_MS) {
      throw new ValidationError('keyEvent time is more than 10 minutes from the server clock', 'event_time_skew');
    }
    verified(() => verifyKeyEvent(event), 'keyEvent');
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
    // After a root-set rotation, certificates issued by a key rotated out no longer verify (PROTOCOL.md §4.4):
    // their officers wait for a certificate from a member of the set in force.
    const history = await this.agencyRoot(actor.agencyId);
    // Only a rotation can leave a certificate whose issuer is out of the set: before one, skip reading them all.
    const rotated = !!history && history.sets.length > 1;
    const rows = await this.store.read(async (r) => [...(await r.keys.pending(actor.agencyId, now)), ...(rotated ? await r.keys.certifiedKeys(actor.agencyId) : [])]);
    const out: PendingOfficerKeys[] = [];
    const seen = new Set<string>();
    for (const row of rows) {
      if (seen.has(row.officerId)) continue;
      seen.add(row.officerId);
      const reason = pendingReason(row, now, history);
      if (reason) out.push({ ...this.view(row), reason });
    }
    return out;
  }

  async root(agencyId: string): Promise<Static<typeof AgencyRootView>> {
    const row = await this.store.read((r) => r.keys.root(agencyId));
    if (!row) throw new NotFoundError('Agency root');
    const sets = await this.store.read((r) => r.keys.rootSets(agencyId));
    return {
      root: { agencyId: row.agencyId, officerId: row.officerId, signPublicKey: row.signPublicKey, createdAt: row.createdAt },
      rootSets: sets.map((x) => JSON.parse(x.statement) as WireJson),
    };
  }

  // ---- root sets (PROTOCOL.md §4.4) ----

  async rootProposal(actor: Actor, agencyId: string): Promise<Static<typeof RootSetProposal> | null> {
    this.requireOwnAgencyAdmin(actor, agencyId);
    const row = await this.store.read((r) => r.keys.rootProposal(agencyId));
    return row ? { rootSet: JSON.parse(row.statement) as WireJson, proposedBy: row.proposedBy, createdAt: row.createdAt } : null;
  }

  /**
   * A member of the set in force proposes its successor, signed by itself. The members must be active
   * administrators of the agency with certified keys, named by exactly those keys. The set applies as soon
   * as the threshold of the set in force signed (at once when that threshold is 1).
   */
  async proposeRootSet(actor: Actor, agencyId: string, body: Static<typeof ProposeRootSetBody>): Promise<Static<typeof RootSetOutcome>> {
    this.requireOwnAgencyAdmin(actor, agencyId);
    const next = parseWire(rootSetCodec, body.rootSet, 'rootSet');
    const event = parseWire(keyEventCodec, body.keyEvent, 'keyEvent');
    const { history, signPublicKey } = await this.requireRootAuthority(actor);
    const current = currentRootSet(history);
    const now = this.clock.now();
    if (next.agencyId !== agencyId) throw new ValidationError('rootSet names another agency', 'wrong_agency');
    if (next.version !== current.version + 1 || !constantTimeEqual(next.prevId, rootSetId(current))) {
      throw new ConflictError(`rootSet must replace the set in force (version ${current.version}); reload the agency root`, 'root_set_stale');
    }
    if (Math.abs(next.time - now) > ROOT_SET_CLOCK_TOLERANCE_MS) throw new ValidationError('rootSet time is more than 10 minutes from the server clock', 'root_set_time');
    if (next.signatures.length !== 1 || !constantTimeEqual(next.signatures[0]!.signPublicKey, signPublicKey)) {
      throw new ValidationError('rootSet must carry exactly one signature, the proposer\'s', 'root_set_signatures');
    }
    await this.checkRootMembers(agencyId, next.members.map((m) => ({ officerId: m.officerId, signPublicKey: m.signPublicKey })));
    verified(() => verifyRootSetTransition(current, next, { collecting: true }), 'rootSet');
    const ok =
      event.kind === 'root-set' &&
      event.officerId === actor.officerId &&
      event.agencyId === agencyId &&
      constantTimeEqual(event.signPublicKey, signPublicKey) &&
      constantTimeEqual(event.authorSignPublicKey, signPublicKey) &&
      constantTimeEqual(event.recordHash, rootSetId(next));
    if (!ok) throw new ValidationError('keyEvent does not describe this root set proposed by you', 'event_mismatch');
    verified(() => verifyKeyEvent(event), 'keyEvent');
    return this.store.write(async (tx) => {
      const details = { version: next.version, threshold: next.threshold, members: next.members.map((m) => m.officerId), signatures: 1 };
      await this.audit.record(tx, auditEvents.keysRootSetProposed(actor, { type: 'agency', id: agencyId }, details));
      await tx.keys.putRootProposal({ agencyId, statement: wireJson(rootSetCodec, next), keyEvent: wireJson(keyEventCodec, event), proposedBy: actor.officerId, createdAt: now });
      return this.applyIfComplete(tx, actor, current, next, event);
    });
  }

  async signRootSet(actor: Actor, agencyId: string, body: Static<typeof SignRootSetBody>): Promise<Static<typeof RootSetOutcome>> {
    this.requireOwnAgencyAdmin(actor, agencyId);
    const { history, signPublicKey } = await this.requireRootAuthority(actor);
    const current = currentRootSet(history);
    const row = await this.store.read((r) => r.keys.rootProposal(agencyId));
    if (!row) throw new NotFoundError('Root-set proposal');
    const proposal = rootSetCodec.fromWire(JSON.parse(row.statement));
    const id = rootSetId(proposal);
    if (body.rootSetId !== toB64(id)) throw new ConflictError('The pending proposal is another one; reload it', 'root_set_stale');
    if (proposal.version !== current.version + 1) throw new ConflictError('The proposal no longer follows the set in force', 'root_set_stale');
    const sig = parseWire(rootSetSignatureCodec, body.signature, 'signature');
    if (!constantTimeEqual(sig.signPublicKey, signPublicKey)) throw new ValidationError('signature must be made with your own key', 'root_wrong_signer');
    const next = withSignature(proposal, sig);
    verified(() => verifyRootSetTransition(current, next, { collecting: true }), 'rootSet');
    const event = keyEventCodec.fromWire(JSON.parse(row.keyEvent));
    return this.store.write(async (tx) => {
      await tx.keys.putRootProposal({ ...row, statement: wireJson(rootSetCodec, next) });
      await this.audit.record(tx, auditEvents.keysRootSetSigned(actor, { type: 'agency', id: agencyId }, { version: next.version, signatures: next.signatures.length }));
      return this.applyIfComplete(tx, actor, current, next, event);
    });
  }

  private async applyIfComplete(tx: Tx, actor: Actor, current: RootSet, next: RootSet, event: KeyEvent): Promise<Static<typeof RootSetOutcome>> {
    const outcome = { version: next.version, signatures: next.signatures.length, threshold: current.threshold };
    if (next.signatures.length < current.threshold) return { ...outcome, applied: false };
    verified(() => verifyRootSetTransition(current, next), 'rootSet');
    const logIndex = await this.log.append(tx, event);
    await tx.keys.insertRootSet({ agencyId: next.agencyId, version: next.version, statement: wireJson(rootSetCodec, next), logIndex, createdAt: this.clock.now() });
    await tx.keys.deleteRootProposal(next.agencyId);
    const details = { version: next.version, threshold: next.threshold, members: next.members.map((m) => m.officerId), logIndex };
    await this.audit.record(tx, auditEvents.keysRootSetApplied(actor, { type: 'agency', id: next.agencyId }, details));
    tx.onCommit(() => this.roots.delete(next.agencyId));
    return { ...outcome, applied: true };
  }

  private async checkRootMembers(agencyId: string, members: { officerId: string; signPublicKey: Uint8Array }[]): Promise<void> {
    for (const m of members) {
      const officer = await this.accounts.officer(m.officerId);
      const keys = await this.store.read((r) => r.keys.keys(m.officerId));
      if (!officer || officer.agencyId !== agencyId || !ROOT_ROLES.has(officer.role) || officer.status !== 'active') {
        throw new ValidationError(`root-set member ${m.officerId} is not an active administrator of this agency`, 'root_member_not_admin');
      }
      if (!keys?.certificate || keys.signPublicKey !== toB64(m.signPublicKey)) {
        throw new ValidationError(`root-set member ${m.officerId} must be named by their certified key`, 'root_member_key');
      }
    }
  }

  private requireOwnAgencyAdmin(actor: Actor, agencyId: string): void {
    if (actor.agencyId !== agencyId || !ROOT_ROLES.has(actor.role)) throw new ForbiddenError("Only your agency's administrators manage its root", 'forbidden');
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
   * Root authority (PROTOCOL.md §4.4): the caller's registered key is a member of the agency's root set in
   * force, and the caller is still an active administrator of an active agency. A demoted or suspended
   * member loses the authority at once; the others rotate the set to remove the key for every client.
   */
  private async requireRootAuthority(actor: Actor): Promise<{ history: RootHistory; signPublicKey: Uint8Array }> {
    const history = await this.agencyRoot(actor.agencyId);
    const keys = await this.store.read((r) => r.keys.keys(actor.officerId));
    const key = keys ? fromB64(keys.signPublicKey) : undefined;
    if (!history || !key || !currentRootSet(history).members.some((m) => m.officerId === actor.officerId && constantTimeEqual(m.signPublicKey, key))) {
      throw new ForbiddenError('Only a member of the agency root set may do this', 'not_agency_root');
    }
    const officer = await this.accounts.officer(actor.officerId);
    const agency = await this.accounts.agency(actor.agencyId);
    if (!ROOT_ROLES.has(actor.role) || !officer || !ROOT_ROLES.has(officer.role) || officer.status !== 'active' || agency?.status !== 'active') {
      throw new ForbiddenError(
        'Your agency-root keys no longer carry authority: you are not an active administrator any more. The other members of the root set can rotate it without your key',
        'agency_root_revoked',
      );
    }
    return { history, signPublicKey: key };
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

  private checkCertEvent(event: KeyEvent, cert: OfficerCertificate, rootKey: Uint8Array): void {
    const ok =
      event.kind === 'cert-issue' &&
      event.officerId === cert.officerId &&
      event.agencyId === cert.agencyId &&
      constantTimeEqual(event.signPublicKey, cert.signPublicKey) &&
      constantTimeEqual(event.dhPublicKey, cert.dhPublicKey) &&
      constantTimeEqual(event.recordHash, certificateHash(cert)) &&
      constantTimeEqual(event.authorSignPublicKey, rootKey);
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
export function pendingReason(row: PendingKeysRow, now: number, root?: RootHistory): PendingReason | null {
  if (!row.certificate) return 'new-keys';
  const cert = certificateCodec.fromWire(JSON.parse(row.certificate));
  if (cert.role !== certificateRole(row.officerRole)) return 'role-changed';
  if (cert.expiresAt <= now) return 'expired';
  if (root && !isRootKeyAt(root, cert.issuerSignPublicKey, now)) return 'root-rotated';
  if (row.renewalRequestedAt !== null) return 'renewal';
  return null;
}

function deviceView(row: DeviceRow, currentDeviceId: string | undefined): DeviceView {
  return {
    deviceId: row.deviceId,
    name: row.name,
    signPublicKey: row.signPublicKey,
    addedAt: row.addedAt,
    revokedAt: row.revokedAt,
    lastSeenAt: row.lastSeenAt,
    current: row.deviceId === currentDeviceId,
  };
}

function sameKeys(row: OfficerKeysRow, event: KeyEvent): boolean {
  return row.signPublicKey === toB64(event.signPublicKey) && row.dhPublicKey === toB64(event.dhPublicKey);
}

