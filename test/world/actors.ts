import {
  BACKUP_KDF_ALG,
  BACKUP_MIN_MEMLIMIT_BYTES,
  BACKUP_MIN_OPSLIMIT,
  backupBlobCodec,
  certificateCodec,
  certificateHash,
  createKeyEvent,
  generateIdentity,
  generateSignedPrekey,
  issueCertificate,
  keyEventCodec,
  randomBytes,
  signedPrekeyCodec,
  type BackupBlob,
  type IdentityKeys,
  type OfficerCertificate,
} from '../../shared/crypto/index.ts';
import type { TokenPair } from '../../shared/schemas/auth.ts';
import { bearer, login, provision, worldOf, type Enrolled, type TestApp } from './app.ts';

export const YEAR_MS = 365 * 24 * 3600 * 1000;

/** An enrolled officer with identity keys held "client-side" by the test. */
export interface Actor {
  id: string;
  agencyId: string;
  role: 'platform_admin' | 'agency_admin' | 'officer';
  tokens: TokenPair;
  keys: IdentityKeys;
  cert: OfficerCertificate | null;
  deviceId: string;
  /** Credentials to sign in again after the test moved the clock past the access-token lifetime. */
  creds: Enrolled;
}

export async function relogin(t: TestApp, ...actors: Actor[]): Promise<void> {
  for (const a of actors) a.tokens = await login(t, a.creds);
}

export interface AgencyTeam {
  agencyId: string;
  admin: Actor;
  officer: Actor;
}

/**
 * A structurally valid backup bound to `keys`, with random ciphertext: the server can never open a
 * backup, only check its binding, so tests skip the 256 MiB Argon2id (one test seals a real one).
 */
export function placeholderBackup(keys: IdentityKeys): BackupBlob {
  return {
    v: 1,
    officerId: keys.officerId,
    agencyId: keys.agencyId,
    signPublicKey: keys.signPublicKey,
    dhPublicKey: keys.dhPublicKey,
    secretKind: 'passphrase',
    kdf: BACKUP_KDF_ALG,
    opslimit: BACKUP_MIN_OPSLIMIT,
    memlimit: BACKUP_MIN_MEMLIMIT_BYTES,
    salt: randomBytes(16),
    nonce: randomBytes(24),
    ciphertext: randomBytes(150),
  };
}

/** The PUT /keys/me body the SDK would send for these keys. */
export function registrationBody(keys: IdentityKeys, now: number, backup: BackupBlob = placeholderBackup(keys)): Record<string, unknown> {
  const { prekey } = generateSignedPrekey(keys, { prekeyId: 1, createdAt: now });
  const event = createKeyEvent({ kind: 'enrol', officerId: keys.officerId, agencyId: keys.agencyId, signPublicKey: keys.signPublicKey, dhPublicKey: keys.dhPublicKey, time: now }, keys);
  return { keyEvent: keyEventCodec.toWire(event), prekey: signedPrekeyCodec.toWire(prekey), backup: backupBlobCodec.toWire(backup) };
}

function actorFrom(creds: Enrolled, keys: IdentityKeys): Actor {
  const o = creds.tokens.officer;
  return { id: o.id, agencyId: o.agencyId, role: o.role, tokens: creds.tokens, keys, cert: null, deviceId: `${o.id}-dev1`, creds };
}

/** Generates keys and registers them through the API. */
export async function registerKeys(t: TestApp, creds: Enrolled): Promise<Actor> {
  const { tokens } = creds;
  const keys = generateIdentity({ officerId: tokens.officer.id, agencyId: tokens.officer.agencyId });
  const res = await t.app.inject({ method: 'PUT', url: '/api/v1/keys/me', headers: bearer(tokens), payload: registrationBody(keys, t.clock.now()) });
  if (res.statusCode !== 200) throw new Error(`register keys: ${res.statusCode} ${res.body}`);
  return actorFrom(creds, keys);
}

/** The body the agency root's client posts to certify `subject`. */
export function certificationBody(t: TestApp, root: Actor, subject: Actor): { body: Record<string, unknown>; cert: OfficerCertificate } {
  const now = t.clock.now();
  const cert = issueCertificate(subject.keys, { role: subject.role === 'officer' ? 'officer' : 'agency_admin', issuedAt: now - 1000, expiresAt: now + YEAR_MS }, root.keys);
  const event = createKeyEvent(
    { kind: 'cert-issue', officerId: subject.id, agencyId: subject.agencyId, signPublicKey: subject.keys.signPublicKey, dhPublicKey: subject.keys.dhPublicKey, recordHash: certificateHash(cert), time: now },
    root.keys,
  );
  return { body: { certificate: certificateCodec.toWire(cert), keyEvent: keyEventCodec.toWire(event) }, cert };
}

export async function certify(t: TestApp, root: Actor, subject: Actor): Promise<Actor> {
  const { body, cert } = certificationBody(t, root, subject);
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/keys/certificates', headers: bearer(root.tokens), payload: body });
  if (res.statusCode !== 200) throw new Error(`certify: ${res.statusCode} ${res.body}`);
  subject.cert = cert;
  return subject;
}

/** Admin registers (becoming the agency root, self-certified), officer registers and is certified. */
export async function keyedTeam(t: TestApp, adminCreds: Enrolled, officerCreds: Enrolled): Promise<AgencyTeam> {
  const admin = await registerKeys(t, adminCreds);
  await certify(t, admin, admin);
  const officer = await certify(t, admin, await registerKeys(t, officerCreds));
  return { agencyId: admin.agencyId, admin, officer };
}

/** A new agency (optionally sponsored by an NCB) with an enrolled admin and officer, all keyed and certified. */
export async function keyedAgency(
  t: TestApp,
  platformTokens: TokenPair,
  opts: { name: string; country: string; kind: string; prefix: string; sponsorAgencyId?: string },
): Promise<AgencyTeam> {
  const w = worldOf(t);
  const agency = await w.agency({
    name: opts.name,
    country: opts.country,
    kind: opts.kind,
    ...(opts.sponsorAgencyId ? { sponsorAgencyId: opts.sponsorAgencyId } : {}),
    admin: `${opts.prefix}-admin`,
    adminDisplayName: `${opts.prefix} admin`,
    by: { tokens: platformTokens },
  });
  const officer = await w.officer(agency, `${opts.prefix}-officer`, `${opts.prefix} officer`);
  return keyedTeam(t, agency.admin, officer);
}

export interface KeyedNetwork {
  platform: TokenPair;
  a: AgencyTeam;
  b: AgencyTeam;
}

/** Two agencies (PT police, ES customs), each with a keyed root admin and a certified officer. */
export async function keyedNetwork(t: TestApp): Promise<KeyedNetwork> {
  const net = await provision(t);
  const a = await keyedTeam(t, net.agencyAdmin, net.officer);
  const b = await keyedAgency(t, net.admin.tokens, { name: 'Aduanas', country: 'ES', kind: 'customs', prefix: 'es' });
  return { platform: net.admin.tokens, a, b };
}
