/** Shared by the Node and the browser-like (happy-dom) vector tests. */
import { expect } from 'vitest';
import {
  encodeHeader,
  handlingPolicyBytes,
  backupBlobCodec,
  certificateCodec,
  keyEventCodec,
  keyEventHash,
  keyLogEntryCodec,
  keyLogEntryHash,
  revocationOf,
  verifyKeyEvent,
  ChannelMetaError,
  openChannelMeta,
  decryptAttachment,
  EpochError,
  emptyReceiverState,
  epochDistributor,
  extendChain,
  fromHex,
  keyEnvelopeCodec,
  messageEnvelopeCodec,
  membershipEventCodec,
  openBackup,
  openEnvelope,
  openKeyEnvelope,
  toHex,
  genesisRootSet,
  rootSetCodec,
  rootSetId,
  verifyRootHistory,
  verifyRootSetTransition,
  verifyAgreementSignature,
  verifyChain,
  labelledVerify,
  renewalRequestCodec,
  verifyRenewalRequest,
  VerificationError,
  u32be,
  u64be,
  u8,
  treeHeadCodec,
  unpad,
  deviceRecordHash,
  deviceStatus,
  DecryptError,
  acceptIntakeSecret,
  decodePayload,
  deskRequestCodec,
  encodeFields,
  getSodium,
  IntakeError,
  intakeKeyStatementCodec,
  intakeKeyStatementFields,
  openDeskRequest,
  verifyDeskRequestSignature,
  verifyIntakeKeyStatement,
  encodePayload,
  normaliseSiteAddress,
  replyExcerpt,
  validatePayload,
} from '../../shared/crypto/index.ts';
import type { AgreementTerms, HandlingPolicy, IdentityKeys, KeyEvent, MessageCodes } from '../../shared/crypto/index.ts';
import { attachmentVectorPlaintext, buildVectors } from '../vectors/build.ts';
import type { VectorFile } from '../vectors/build.ts';
import agreement from '../vectors/agreement.json' with { type: 'json' };
import attachment from '../vectors/attachment.json' with { type: 'json' };
import backup from '../vectors/backup.json' with { type: 'json' };
import certRenewal from '../vectors/cert-renewal.json' with { type: 'json' };
import channelMeta from '../vectors/channel-meta.json' with { type: 'json' };
import deskIntake from '../vectors/desk-intake.json' with { type: 'json' };
import device from '../vectors/device.json' with { type: 'json' };
import encoding from '../vectors/encoding.json' with { type: 'json' };
import envelope from '../vectors/envelope.json' with { type: 'json' };
import identity from '../vectors/identity.json' with { type: 'json' };
import keyEnvelope from '../vectors/key-envelope.json' with { type: 'json' };
import keyLog from '../vectors/key-log.json' with { type: 'json' };
import keyRevoke from '../vectors/key-revoke.json' with { type: 'json' };
import membership from '../vectors/membership.json' with { type: 'json' };
import padding from '../vectors/padding.json' with { type: 'json' };
import { computeDeadline, formatDeadline } from '../../shared/requests/lifecycle.ts';
import payload from '../vectors/payload.json' with { type: 'json' };
import codes from '../vectors/codes.json' with { type: 'json' };
import rootSet from '../vectors/root-set.json' with { type: 'json' };
import safetyNumber from '../vectors/safety-number.json' with { type: 'json' };
import senderChain from '../vectors/sender-chain.json' with { type: 'json' };

export const storedVectors: Record<string, VectorFile> = {
  agreement,
  attachment,
  backup,
  'cert-renewal': certRenewal,
  codes,
  'channel-meta': channelMeta,
  'desk-intake': deskIntake,
  device,
  encoding,
  envelope,
  identity,
  'key-envelope': keyEnvelope,
  'key-log': keyLog,
  'key-revoke': keyRevoke,
  membership,
  padding,
  payload,
  'root-set': rootSet,
  'safety-number': safetyNumber,
  'sender-chain': senderChain,
};

export function vectorCount(): number {
  return Object.values(storedVectors).reduce((n, f) => n + f.vectors.length, 0);
}

/** Re-derives every deterministic vector and compares with the stored JSON field by field. */
export function checkRederivation(includeBackup: boolean): void {
  const rebuilt = buildVectors({ includeBackup });
  for (const [name, file] of Object.entries(rebuilt)) {
    const stored = storedVectors[name]!;
    if (name === 'attachment') {
      const { header: _h, hash: _x, ciphertext: _c, ...rest } = stored.vectors[0] as Record<string, unknown>;
      expect(rest, name).toEqual(file.vectors[0]);
      continue;
    }
    expect(JSON.parse(JSON.stringify(file)), name).toEqual(stored);
  }
}

/** PROTOCOL.md §8 code profiles: policy bytes, the Europol channel, and its envelopes opened with their codes. */
function checkCodes(): void {
  const [tlpV, euV, createV, ...envs] = codes.vectors as unknown as [
    { policy: HandlingPolicy; policyBytes: string },
    { policy: HandlingPolicy; policyBytes: string },
    { event: Record<string, unknown>; eventHash: string; agencyRoot: string; epochSecret: string },
    ...{ codes: MessageCodes; payload: Record<string, unknown>; headerBytes: string; envelope: Record<string, unknown> }[],
  ];
  expect(toHex(handlingPolicyBytes(tlpV.policy))).toBe(tlpV.policyBytes);
  expect(toHex(handlingPolicyBytes(euV.policy))).toBe(euV.policyBytes);
  const state = verifyChain([membershipEventCodec.fromWire(createV.event)], { agencyRoot: (a) => (a === 'agency-a' ? fromHex(createV.agencyRoot) : undefined) });
  expect(toHex(state.current.stateHash)).toBe(createV.eventHash);
  expect(state.current.policy).toEqual(euV.policy);
  let receiver = emptyReceiverState('c-eu');
  for (const v of envs) {
    const envelope = messageEnvelopeCodec.fromWire(v.envelope);
    expect(toHex(encodeHeader(envelope.header))).toBe(v.headerBytes);
    const opened = openEnvelope({ channel: state, receiver, epochSecret: () => fromHex(createV.epochSecret), envelope, now: envelope.header.time });
    expect(opened.codes).toEqual(v.codes);
    expect(opened.payload).toEqual(v.payload);
    receiver = opened.receiver;
  }
}

/** Opens the stored vectors along the receive paths, as an independent implementation would. */
export function checkOpenPaths(includeBackup: boolean): void {
  checkCodes();
  const roots = membership.vectors[0]!.agencyRoots as Record<string, string>;
  const events = membership.vectors.slice(1, 4).map((v) => membershipEventCodec.fromWire(v.event));
  const state = verifyChain(events, { agencyRoot: (a) => (roots[a] ? fromHex(roots[a]) : undefined) });
  expect(toHex(state.current.stateHash)).toBe(membership.vectors[3]!.eventHash);

  const kv = keyEnvelope.vectors[0]!;
  const env = keyEnvelopeCodec.fromWire(kv.keyEnvelope);
  const certs = new Map([...state.current.members.values()].map((m) => [m.cert.officerId, m.cert]));
  for (const [officerId, sk] of Object.entries(kv.recipientsDhSecretKeys)) {
    const cert = certs.get(officerId)!;
    const me = { officerId, agencyId: cert.agencyId, signPublicKey: cert.signPublicKey, dhPublicKey: cert.dhPublicKey, signSecretKey: new Uint8Array(64), dhSecretKey: fromHex(sk) } satisfies IdentityKeys;
    expect(toHex(openKeyEnvelope({ state, envelope: env, me }))).toBe(kv.epochSecret);
  }

  // v1.1: the epoch whose author left is keyed by the remaining owner (PROTOCOL.md §6 Distributor).
  const alt = keyEnvelope.vectors[1] as unknown as {
    events: { event: Record<string, unknown>; eventHash: string }[];
    distributor: { officerId: string; deviceId: string | null };
    epochSecret: string;
    recipientsDhSecretKeys: Record<string, string>;
    keyEnvelope: Record<string, unknown>;
    rejected: { keyEnvelope: Record<string, unknown>; error: string };
  };
  const altState = extendChain(state, alt.events.map((v) => membershipEventCodec.fromWire(v.event)), { agencyRoot: (a) => (roots[a] ? fromHex(roots[a]) : undefined) });
  expect(toHex(altState.current.stateHash)).toBe(alt.events.at(-1)!.eventHash);
  expect(epochDistributor(altState.current)).toEqual(alt.distributor);
  const altEnv = keyEnvelopeCodec.fromWire(alt.keyEnvelope);
  for (const [officerId, sk] of Object.entries(alt.recipientsDhSecretKeys)) {
    const cert = certs.get(officerId)!;
    const me = { officerId, agencyId: cert.agencyId, signPublicKey: cert.signPublicKey, dhPublicKey: cert.dhPublicKey, signSecretKey: new Uint8Array(64), dhSecretKey: fromHex(sk) } satisfies IdentityKeys;
    expect(toHex(openKeyEnvelope({ state: altState, envelope: altEnv, me }))).toBe(alt.epochSecret);
    const rejected = () => openKeyEnvelope({ state: altState, envelope: keyEnvelopeCodec.fromWire(alt.rejected.keyEnvelope), me });
    expect(rejected).toThrow(EpochError);
    expect(rejected).toThrow(expect.objectContaining({ code: alt.rejected.error }));
  }

  let receiver = emptyReceiverState('c1');
  for (const v of envelope.vectors) {
    const e = messageEnvelopeCodec.fromWire(v.envelope);
    const r = openEnvelope({ channel: state, receiver, epochSecret: () => fromHex(kv.epochSecret), envelope: e, now: e.header.time });
    expect(r.payload).toEqual(v.payload);
    receiver = r.receiver;
  }

  // v1.1: channel meta (PROTOCOL.md §6.1), sealed under the key-envelope vector's epoch secret.
  const cm = channelMeta.vectors[0]! as { channelId: string; epoch: number; epochSecret: string; meta: Record<string, unknown>; encryptedMeta: string };
  expect(cm.epochSecret).toBe(kv.epochSecret);
  expect(openChannelMeta(cm.channelId, cm.encryptedMeta, (e) => (e === cm.epoch ? fromHex(cm.epochSecret) : undefined))).toEqual(cm.meta);
  for (const v of channelMeta.vectors.slice(1) as { channelId: string; encryptedMeta: string; error: string }[]) {
    const openBad = () => openChannelMeta(v.channelId, v.encryptedMeta, () => fromHex(cm.epochSecret));
    expect(openBad).toThrow(ChannelMetaError);
    expect(openBad).toThrow(expect.objectContaining({ code: v.error }));
  }

  // v2: root sets (PROTOCOL.md §4.4): the history verifies from version 0; the bad successors fail with their codes.
  const rs = rootSet.vectors as Record<string, unknown>[];
  const r0 = rs[0]! as { agencyId: string; root: { officerId: string; signPublicKey: string }; id: string };
  const genesis = genesisRootSet(r0.agencyId, { officerId: r0.root.officerId, signPublicKey: fromHex(r0.root.signPublicKey) });
  expect(toHex(rootSetId(genesis))).toBe(r0.id);
  const set1 = rootSetCodec.fromWire(rs[1]!.rootSet);
  const set2 = rootSetCodec.fromWire(rs[3]!.rootSet);
  expect(toHex(rootSetId(set1))).toBe(rs[1]!.id);
  const history = verifyRootHistory(genesis, [set1, set2]);
  expect(history.sets.map((x) => x.version)).toEqual([0, 1, 2]);
  for (const v of rs.slice(4) as { rootSet: unknown; error: string }[]) {
    expect(() => verifyRootSetTransition(set1, rootSetCodec.fromWire(v.rootSet))).toThrow(expect.objectContaining({ code: v.error }));
  }

  // v1.1: the tree head vector is the wire object (with v: 1), parsed by the same codec the server and SDK use.
  const kl = treeHeadCodec.fromWire(keyLog.vectors[2]!.treeHead);
  const headOk = labelledVerify('liaison/v1/keylog-head', [u8(kl.v), u64be(kl.size), kl.headHash, u64be(kl.time)], kl.signature, fromHex(keyLog.vectors[2]!.serverSignPublicKey as string));
  expect(headOk).toBe(true);
  expect(toHex(kl.headHash)).toBe(keyLog.vectors[1]!.entryHash);

  for (const v of padding.vectors as { padded?: string; error?: string }[]) {
    if (v.padded === undefined) continue;
    expect(() => unpad(fromHex(v.padded!))).toThrow(expect.objectContaining({ code: v.error }));
  }

  // v2: certificate renewal request (PROTOCOL.md §4.2), verified against the certificate it renews.
  const rv = certRenewal.vectors[0]!;
  const renewed = certificateCodec.fromWire(rv.certificate);
  verifyRenewalRequest(renewalRequestCodec.fromWire(rv.request), renewed, rv.renewalDueAt);
  for (const bad of rv.rejected) {
    const verifyBad = () => verifyRenewalRequest(renewalRequestCodec.fromWire(bad.request), renewed, rv.renewalDueAt);
    expect(verifyBad).toThrow(VerificationError);
    expect(verifyBad).toThrow(expect.objectContaining({ code: bad.error }));
  }

  // v2: cert-revoke (PROTOCOL.md §4.3 Revocation): the root's revocation links after the key-log vectors and revokes; the subject's does not.
  const [byRoot, bySubject] = keyRevoke.vectors as { certificate?: Record<string, unknown>; agencyRoot?: string; event: Record<string, unknown>; eventHash: string; entry?: Record<string, unknown>; entryHash?: string; revokes: boolean }[];
  const revokedCert = certificateCodec.fromWire(byRoot!.certificate!);
  const rootKey = fromHex(byRoot!.agencyRoot!);
  const rootEvent = keyEventCodec.fromWire(byRoot!.event);
  verifyKeyEvent(rootEvent);
  expect(toHex(keyEventHash(rootEvent))).toBe(byRoot!.eventHash);
  const entry = keyLogEntryCodec.fromWire(byRoot!.entry!);
  expect(toHex(entry.prevHash)).toBe((keyLog.vectors[1] as { entryHash: string }).entryHash);
  expect(toHex(keyLogEntryHash(entry))).toBe(byRoot!.entryHash);
  expect(revocationOf(revokedCert, [rootEvent], rootKey) !== null).toBe(byRoot!.revokes);
  const subjectEvent = keyEventCodec.fromWire(bySubject!.event);
  verifyKeyEvent(subjectEvent);
  expect(revocationOf(revokedCert, [subjectEvent], rootKey) !== null).toBe(bySubject!.revokes);

  checkDeviceVectors(state, fromHex(kv.epochSecret));
  checkDeskIntakeVectors();
  checkPayloadVectors();

  const ag = agreement.vectors[0]!;
  expect(verifyAgreementSignature(ag.terms as AgreementTerms, fromHex(ag.signature), fromHex(ag.signerSignPublicKey))).toBe(true);

  const at = attachment.vectors[0]!;
  const plain = decryptAttachment({ fileId: at.fileId, key: fromHex(at.key), header: fromHex(at.header), hash: fromHex(at.hash), size: at.size }, fromHex(at.ciphertext));
  expect(toHex(plain) === toHex(attachmentVectorPlaintext(at.size))).toBe(true);

  if (includeBackup) {
    const bv = backup.vectors[0]! as { passphrase: string; blob: Record<string, unknown>; signSecretKey: string; dhSecretKey: string };
    const keys = openBackup(backupBlobCodec.fromWire(bv.blob), bv.passphrase, 'alice');
    expect(toHex(keys.signSecretKey)).toBe(bv.signSecretKey);
    expect(toHex(keys.dhSecretKey)).toBe(bv.dhSecretKey);
    // v1.1: the recovery-code backup opens with the code as typed (case, spaces and dashes do not matter).
    const rv = backup.vectors[1]! as { recoveryCode: string; typedAs: string; blob: Record<string, unknown>; signSecretKey: string };
    expect(toHex(openBackup(backupBlobCodec.fromWire(rv.blob), rv.typedAs, 'alice').signSecretKey)).toBe(rv.signSecretKey);
  }
  void identity;
}

type WireStatus = { signPublicKey: string; addedAt: number; revokedAt: number | null } | null;
type WireEvent = { event: Record<string, unknown>; eventHash: string };

/**
 * v2: per-device keys (PROTOCOL.md §4.5), checked from the JSON alone: the record hash, the identity-signed
 * device events, the resolution rule over each listed event sequence, and the receive pipeline with a devices resolver.
 */
function checkDeviceVectors(state: Parameters<typeof openEnvelope>[0]['channel'], epochSecret: Uint8Array): void {
  const [rh, addV, revokeV, resolution, opens, rejected, migration] = device.vectors as unknown as [
    { officerId: string; deviceId: string; hashInput: string; recordHash: string },
    WireEvent & { identitySignPublicKey: string; identityDhPublicKey: string; deviceSignPublicKey: string; status: WireStatus },
    WireEvent & { status: WireStatus },
    { events: Record<string, WireEvent>; cases: { events: string[]; status: WireStatus }[] },
    { envelope: Record<string, unknown>; payload: Record<string, unknown> },
    { rejected: { envelope: Record<string, unknown>; error: string }[] },
    { deviceId: string; status: WireStatus },
  ];
  expect(toHex(deviceRecordHash(rh.officerId, rh.deviceId))).toBe(rh.recordHash);
  const identity = fromHex(addV.identitySignPublicKey);
  const parse = (v: WireEvent): KeyEvent => {
    const e = keyEventCodec.fromWire(v.event);
    verifyKeyEvent(e);
    expect(toHex(keyEventHash(e))).toBe(v.eventHash);
    return e;
  };
  const events: Record<string, KeyEvent> = { add: parse(addV), revoke: parse(revokeV) };
  for (const [name, v] of Object.entries(resolution.events)) events[name] = parse(v);
  for (const e of [events['add']!, events['revoke']!]) {
    expect(e.authorSignPublicKey).toEqual(identity);
    expect(toHex(e.dhPublicKey)).toBe(addV.identityDhPublicKey);
    expect(toHex(e.signPublicKey)).toBe(addV.deviceSignPublicKey);
    expect(toHex(e.recordHash)).toBe(rh.recordHash);
  }
  const status = (list: KeyEvent[], deviceId = rh.deviceId): WireStatus => {
    const s = deviceStatus(list, rh.officerId, deviceId, identity);
    return s && { signPublicKey: toHex(s.signPublicKey), addedAt: s.addedAt, revokedAt: s.revokedAt };
  };
  expect(status([events['add']!])).toEqual(addV.status);
  expect(status([events['add']!, events['revoke']!])).toEqual(revokeV.status);
  expect(revokeV.status?.revokedAt).toBe(events['revoke']!.time);
  for (const c of resolution.cases) expect(status(c.events.map((n) => events[n]!)), c.events.join(',')).toEqual(c.status);

  const log = [events['add']!, events['revoke']!];
  const devices = (o: string, d: string, k: Uint8Array) => deviceStatus(log, o, d, k);
  const open = (wire: Record<string, unknown>, withDevices = true) => {
    const e = messageEnvelopeCodec.fromWire(wire);
    return openEnvelope({ channel: state, receiver: emptyReceiverState('c1'), epochSecret: () => epochSecret, envelope: e, now: e.header.time, ...(withDevices ? { devices } : {}) });
  };
  expect(open(opens.envelope).payload).toEqual(opens.payload);
  // Without the key log's device events (a v1 receiver) the device-signed envelope does not verify: v2 is required.
  expect(() => open(opens.envelope, false)).toThrow(expect.objectContaining({ code: 'envelope/bad-signature' }));
  for (const r of rejected.rejected) {
    expect(() => open(r.envelope)).toThrow(DecryptError);
    expect(() => open(r.envelope)).toThrow(expect.objectContaining({ code: r.error }));
  }
  expect(status(log, migration.deviceId)).toEqual(migration.status);
  expect(migration.status).toBeNull();
  for (const v of envelope.vectors) expect(open(v.envelope).payload).toEqual(v.payload);
}

/** v2 (PROTOCOL.md §9.1): the reported-site send rule, encoded payloads and the v1 receive rule, from the JSON alone. */
function checkPayloadVectors(): void {
  const [sent, refused, site, cdu, legacy] = payload.vectors as unknown as [
    { cases: { input: string; url: string }[] },
    { cases: { input: string; error: string }[] },
    { payload: Record<string, unknown>; encoded: string },
    { payload: Record<string, unknown>; encoded: string },
    { encoded: string; decoded: Record<string, unknown> },
  ];
  for (const c of sent.cases) expect(normaliseSiteAddress(c.input), c.input).toBe(c.url);
  for (const c of refused.cases) expect(() => normaliseSiteAddress(c.input), c.input).toThrow(expect.objectContaining({ code: c.error }));
  for (const v of [site, cdu]) {
    expect(toHex(encodePayload(validatePayload(v.payload)))).toBe(v.encoded);
    expect(decodePayload(fromHex(v.encoded))).toEqual(validatePayload(v.payload));
  }
  expect(decodePayload(fromHex(legacy.encoded))).toEqual(legacy.decoded);
  // §9.2: request payloads, the urgency rule and the deadlines.
  const rest = payload.vectors.slice(5) as unknown as { name: string; payload?: Record<string, unknown>; encoded?: string; error?: string; cases?: Record<string, unknown>[] }[];
  expect(rest.length).toBeGreaterThan(8);
  for (const v of rest) {
    if (v.encoded !== undefined) {
      expect(toHex(encodePayload(validatePayload(v.payload)))).toBe(v.encoded);
      expect(decodePayload(fromHex(v.encoded))).toEqual(v.payload);
    } else if (v.error !== undefined) {
      expect(() => validatePayload(v.payload)).toThrow(expect.objectContaining({ code: v.error }));
    } else if (v.name.startsWith('replyExcerpt')) {
      // §9.3 R1.
      for (const c of v.cases as { input: string; excerpt: string }[]) expect(replyExcerpt(c.input)).toBe(c.excerpt);
    } else {
      for (const c of v.cases as { receivedAt: number; urgency: 'urgent' | 'non-urgent'; dataAccess: 'direct' | 'indirect'; zone: string; deadline: number; shown: string }[]) {
        expect(computeDeadline(c.receivedAt, c.urgency, c.dataAccess, c.zone)).toBe(c.deadline);
        expect(formatDeadline(c.deadline, c.zone)).toBe(c.shown);
      }
    }
  }
}

type WirePin = { version: number; dhPublicKey: string } | null;

/**
 * v2: desk intake (PROTOCOL.md §11), checked from the JSON alone: the statement's signed bytes and verification, the
 * intake secret accepted against it, the sealed request opened with that secret (and its server-side signature check),
 * and every rejected request and statement with its code.
 */
function checkDeskIntakeVectors(): void {
  const [stmtV, secretV, requestV, badRequests, rotation, badStatements] = deskIntake.vectors as unknown as [
    { agencyRoot: string; signerCertificate: Record<string, unknown>; intakeSecretKey: string; intakePublicKey: string; signedBytes: string; statement: Record<string, unknown>; verifiedAt: number },
    { channelId: string; handling: string; payload: Record<string, unknown>; payloadBytes: string },
    { requesterCertificate: Record<string, unknown>; requesterAgencyRoot: string; ephemeralSecretKey: string; innerBytes: string; signedBytes: string; request: Record<string, unknown>; payload: Record<string, unknown>; openedAt: number },
    { rejected: { description: string; request: Record<string, unknown>; error: string }[] },
    { intakeSecretKey: string; intakePublicKey: string; statement: Record<string, unknown> },
    { rejected: { description: string; statement: Record<string, unknown>; signerCertificate: Record<string, unknown>; agencyRoot: string; pinned: WirePin; error: string }[] },
  ];
  const sodium = getSodium();
  const statement = intakeKeyStatementCodec.fromWire(stmtV.statement);
  const signerCert = certificateCodec.fromWire(stmtV.signerCertificate);
  const { signature: _sig, ...unsigned } = statement;
  expect(toHex(encodeFields('liaison/v2/desk-intake-key', intakeKeyStatementFields(unsigned)))).toBe(stmtV.signedBytes);
  expect(toHex(statement.dhPublicKey)).toBe(stmtV.intakePublicKey);
  expect(toHex(sodium.crypto_scalarmult_base(fromHex(stmtV.intakeSecretKey)))).toBe(stmtV.intakePublicKey);
  verifyIntakeKeyStatement(statement, { signerCert, authority: fromHex(stmtV.agencyRoot), now: stmtV.verifiedAt });

  // The intake secret: the payload bytes decode to the vector's payload and match the statement.
  const secretPayload = decodePayload(fromHex(secretV.payloadBytes));
  expect(JSON.parse(new TextDecoder().decode(fromHex(secretV.payloadBytes)))).toEqual(secretV.payload);
  if (secretPayload.kind !== 'desk-intake-key') throw new Error('desk-intake vector: not a desk-intake-key payload');
  const key = acceptIntakeSecret({ payload: secretPayload, statement, channelId: secretV.channelId, handling: secretV.handling });
  expect(toHex(key.secretKey)).toBe(stmtV.intakeSecretKey);

  // The sealed request: the server's signature check, then the desk's opening.
  const requesterCert = certificateCodec.fromWire(requestV.requesterCertificate);
  const request = deskRequestCodec.fromWire(requestV.request);
  const { signature: _rsig, ...unsignedRequest } = request;
  expect(toHex(encodeFields('liaison/v2/desk-request', [u8(1), ...[unsignedRequest.deskId, unsignedRequest.version, unsignedRequest.requesterOfficerId, unsignedRequest.requesterAgencyId, unsignedRequest.requestId, unsignedRequest.time, unsignedRequest.sealed].map(field)]))).toBe(requestV.signedBytes);
  expect(verifyDeskRequestSignature(request, requesterCert.signPublicKey)).toBe(true);
  // crypto_box_seal format: the first 32 bytes are the ephemeral public key drawn from the seeded rng.
  expect(toHex(request.sealed.subarray(0, 32))).toBe(toHex(sodium.crypto_scalarmult_base(fromHex(requestV.ephemeralSecretKey))));
  expect(toHex(sodium.crypto_box_seal_open(request.sealed, key.publicKey, key.secretKey))).toBe(requestV.innerBytes);
  const open = (r: Record<string, unknown>) =>
    openDeskRequest({ request: deskRequestCodec.fromWire(r), deskId: statement.deskId, requesterCert, authority: fromHex(requestV.requesterAgencyRoot), intakeKey: (v) => (v === key.version ? key : undefined), now: requestV.openedAt });
  const opened = open(requestV.request);
  expect(opened.payload).toEqual(requestV.payload);
  expect(opened.requesterOfficerId).toBe(requesterCert.officerId);
  for (const r of badRequests.rejected) {
    expect(() => open(r.request), r.description).toThrow(IntakeError);
    expect(() => open(r.request), r.description).toThrow(expect.objectContaining({ code: r.error }));
  }

  // Rotation: version 2 verifies after version 1 was pinned; the rejected statements fail with their codes.
  const stmt2 = intakeKeyStatementCodec.fromWire(rotation.statement);
  expect(toHex(sodium.crypto_scalarmult_base(fromHex(rotation.intakeSecretKey)))).toBe(rotation.intakePublicKey);
  verifyIntakeKeyStatement(stmt2, { signerCert, authority: fromHex(stmtV.agencyRoot), now: stmtV.verifiedAt, pinned: { version: 1, dhPublicKey: statement.dhPublicKey } });
  for (const b of badStatements.rejected) {
    const verify = () =>
      verifyIntakeKeyStatement(intakeKeyStatementCodec.fromWire(b.statement), {
        signerCert: certificateCodec.fromWire(b.signerCertificate),
        authority: fromHex(b.agencyRoot),
        now: stmtV.verifiedAt,
        pinned: b.pinned && { version: b.pinned.version, dhPublicKey: fromHex(b.pinned.dhPublicKey) },
      });
    expect(verify, b.description).toThrow(IntakeError);
    expect(verify, b.description).toThrow(expect.objectContaining({ code: b.error }));
  }
}

/** A signed field as §11.3 encodes it: strings UTF-8, version u32be, time u64be, bytes as they are. */
function field(v: string | number | Uint8Array, i: number): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'string') return new TextEncoder().encode(v);
  return i === 1 ? u32be(v) : u64be(v);
}
