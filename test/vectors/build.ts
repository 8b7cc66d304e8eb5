/**
 * Deterministic known-answer vectors: every key, nonce and random value comes from seededRng,
 * so re-running the builder reproduces the JSON byte for byte. Raw byte strings are hex;
 * structured objects use their JSON wire shape (base64url).
 */
import { computeDeadline, formatDeadline } from '../../shared/requests/lifecycle.ts';
import {
  appendKeyLogEntry,
  attachmentCiphertextLength,
  backupBlobCodec,
  certificateCodec,
  certificateHash,
  createKeyEnvelope,
  createKeyEvent,
  createRevocationEvent,
  keyEventCodec,
  revocationOf,
  emptyKeyLog,
  epochDistributor,
  applyEvent,
  keyEnvelopeFields,
  labelledSign,
  emptyReceiverState,
  encodeFields,
  encodeHeader,
  encryptMessage,
  generateSignedPrekey,
  initialChainKey,
  keyEnvelopeCodec,
  keyEventHash,
  keyLogEntryCodec,
  membershipEventCodec,
  membershipEventHash,
  messageEnvelopeCodec,
  pad,
  ratchetStep,
  safetyNumber,
  sealBackup,
  generateRecoveryCode,
  normaliseRecoveryCode,
  signAgreement,
  agreementCanonicalBytes,
  channelMetaAd,
  channelMetaKey,
  sealChannelMeta,
  signTreeHead,
  treeHeadCodec,
  prekeyHash,
  unpad,
  u8,
  u64be,
  signedPrekeyCodec,
  startSendingChain,
  toHex,
  utf8,
  generateIdentity,
  createRenewalRequest,
  renewalDueAt,
  renewalRequestCodec,
  renewalRequestFields,
  RENEWAL_REQUEST_LABEL,
  genesisRootSet,
  proposeRootSet,
  ROOT_SET_LABEL,
  rootSetCodec,
  rootSetFields,
  rootSetId,
  signRootSet,
  withSignature,
  createDeviceEvent,
  deviceRecordHash,
  deviceStatus,
  DEVICE_RECORD_LABEL,
  generateDeviceKeys,
  openEnvelope,
  createDeskRequest,
  createIntakeKeyStatement,
  deskRequestCodec,
  deskRequestFields,
  deskRequestInner,
  DESK_REQUEST_LABEL,
  encodePayload,
  generateIntakeKey,
  INTAKE_KEY_HANDLING,
  INTAKE_KEY_LABEL,
  intakeKeyPayload,
  intakeKeyStatementCodec,
  intakeKeyStatementFields,
  sealTo,
  toB64,
  decodePayload,
  normaliseSiteAddress,
  replyExcerpt,
} from '../../shared/crypto/index.ts';
import type { DeskRequest, IntakeKeyStatement, Payload } from '../../shared/crypto/index.ts';
import type { AgreementTerms, ChannelMeta, ChannelState, DeviceStatus, KeyEvent, KeyLogState } from '../../shared/crypto/index.ts';
import { codesVectors } from './codes.ts';
import { T0, addEvent, makeWorld, removeEvent, seededRng, setRoleEvent, threeMemberChannel } from '../crypto/fixtures.ts';

export type VectorFile = { description: string; vectors: Record<string, unknown>[] };

const hex = toHex;

export function buildVectors(opts: { includeBackup?: boolean } = {}): Record<string, VectorFile> {
  const w = makeWorld('vectors');
  const out: Record<string, VectorFile> = {};

  out['encoding'] = {
    description: 'encodeFields(label, fields) = u32be(len(label)) || label || (u32be(len(f)) || f)*',
    vectors: [
      { label: 'liaison/v1/example', fields: ['', '00', 'deadbeef'], encoded: hex(encodeFields('liaison/v1/example', [new Uint8Array(0), new Uint8Array(1), Uint8Array.of(0xde, 0xad, 0xbe, 0xef)])) },
      { label: 'ab', fields: [hex(utf8('x'))], encoded: hex(encodeFields('ab', [utf8('x')])) },
    ],
  };

  const idRng = seededRng('identity-vector');
  const seedInfo = (() => {
    const r = seededRng('identity-vector');
    return { signSeed: hex(r(32)), dhSecretKey: hex(r(32)) };
  })();
  const ident = generateIdentity({ officerId: 'officer-1', agencyId: 'agency-a' }, idRng);
  const prekeyRng = seededRng('prekey-vector');
  const prekeySecret = hex(seededRng('prekey-vector')(32));
  const { prekey } = generateSignedPrekey(ident, { prekeyId: 7, createdAt: T0 }, prekeyRng);
  out['identity'] = {
    description: 'Ed25519 from seed (crypto_sign_seed_keypair), X25519 public = scalarmult_base(secret); certificates and signed prekeys',
    vectors: [
      { name: 'keys', ...seedInfo, signPublicKey: hex(ident.signPublicKey), dhPublicKey: hex(ident.dhPublicKey) },
      { name: 'admin-certificate (self-issued agency root)', certificate: certificateCodec.toWire(w.adminA.cert), certificateHash: hex(certificateHash(w.adminA.cert)) },
      { name: 'officer-certificate', certificate: certificateCodec.toWire(w.alice.cert), certificateHash: hex(certificateHash(w.alice.cert)), agencyRoot: hex(w.adminA.keys.signPublicKey) },
      {
        name: 'signed-prekey',
        identitySignPublicKey: hex(ident.signPublicKey),
        prekeySecretKey: prekeySecret,
        prekey: signedPrekeyCodec.toWire(prekey),
        // v1.1: the hash a prekey-rotate key event carries as recordHash (PROTOCOL.md Appendix A, signed prekey).
        prekeyHash: hex(prekeyHash(prekey)),
      },
    ],
  };

  const server = generateIdentity({ officerId: 'server', agencyId: 'platform' }, seededRng('server-vector'));
  let log: KeyLogState = emptyKeyLog();
  const logVectors: Record<string, unknown>[] = [];
  const events = [
    createKeyEvent({ kind: 'enrol', officerId: 'alice', agencyId: 'agency-a', signPublicKey: w.alice.keys.signPublicKey, dhPublicKey: w.alice.keys.dhPublicKey, time: T0 }, w.alice.keys),
    createKeyEvent({ kind: 'cert-issue', officerId: 'alice', agencyId: 'agency-a', signPublicKey: w.alice.keys.signPublicKey, dhPublicKey: w.alice.keys.dhPublicKey, recordHash: certificateHash(w.alice.cert), time: T0 + 1 }, w.adminA.keys),
  ];
  for (const e of events) {
    const r = appendKeyLogEntry(log, e);
    log = r.log;
    logVectors.push({ entry: keyLogEntryCodec.toWire(r.entry), eventHash: hex(keyEventHash(e)), entryHash: hex(log.headHash) });
  }
  const head = signTreeHead(log, server.signSecretKey, T0 + 2);
  // v1.1: the tree head in its wire shape (with `v`, base64url), as the server serves it, and the signed bytes.
  logVectors.push({
    serverSignPublicKey: hex(server.signPublicKey),
    treeHead: treeHeadCodec.toWire(head),
    signatureInput: hex(encodeFields('liaison/v1/keylog-head', [u8(1), u64be(head.size), head.headHash, u64be(head.time)])),
  });
  out['key-log'] = { description: 'Key events, hash-chained entries and a server-signed tree head', vectors: logVectors };

  // v2 (issue 12): a cert-revoke of alice's certificate by her agency root, appended after the key-log vectors'
  // entries, and the same statement signed by alice herself, which verifies as a key event but revokes nothing.
  const revoke = createRevocationEvent(w.alice.cert, T0 + 100, w.adminA.keys);
  const revoked = appendKeyLogEntry(log, revoke);
  const forged = createRevocationEvent(w.alice.cert, T0 + 100, w.alice.keys);
  out['key-revoke'] = {
    description: 'cert-revoke key event (PROTOCOL.md §4.3 Revocation): by the agency root it revokes the certificate; by anyone else it revokes nothing',
    vectors: [
      {
        name: 'cert-revoke by the agency root (entry 2 of the key-log vectors)',
        certificate: certificateCodec.toWire(w.alice.cert),
        agencyRoot: hex(w.adminA.keys.signPublicKey),
        event: keyEventCodec.toWire(revoke),
        eventHash: hex(keyEventHash(revoke)),
        entry: keyLogEntryCodec.toWire(revoked.entry),
        entryHash: hex(revoked.log.headHash),
        revokes: revocationOf(w.alice.cert, [revoke], w.adminA.keys.signPublicKey) !== null,
      },
      {
        name: 'cert-revoke signed by the subject, not the root: ignored',
        event: keyEventCodec.toWire(forged),
        eventHash: hex(keyEventHash(forged)),
        revokes: revocationOf(w.alice.cert, [forged], w.adminA.keys.signPublicKey) !== null,
      },
    ],
  };

  const { events: chain, state } = threeMemberChannel(w);
  const chainExtra = addEvent(state, w.alice, w.dave, T0 + 3, w.adminB);
  out['membership'] = {
    description: 'Membership events (create, add with co-signature, add) and their hashes; agency roots are the admins\' sign keys',
    vectors: [
      { agencyRoots: { 'agency-a': hex(w.adminA.keys.signPublicKey), 'agency-b': hex(w.adminB.keys.signPublicKey) } },
      ...chain.map((e) => ({ event: membershipEventCodec.toWire(e), eventHash: hex(membershipEventHash(e)) })),
      { name: 'add co-signed by the other agency\'s admin', event: membershipEventCodec.toWire(chainExtra), eventHash: hex(membershipEventHash(chainExtra)) },
    ],
  };

  const epochRng = seededRng('epoch-vector');
  const { envelope: keyEnv, epochSecret } = createKeyEnvelope({ state, sender: w.alice.keys, deviceId: w.alice.deviceId, rng: epochRng });
  out['key-envelope'] = {
    description: 'Epoch secret sealed (crypto_box_seal format, ephemeral keys from the seeded rng) to every member, signed by the epoch author',
    vectors: [
      {
        epochSecret: hex(epochSecret),
        recipientsDhSecretKeys: { alice: hex(w.alice.keys.dhSecretKey), bob: hex(w.bob.keys.dhSecretKey), carol: hex(w.carol.keys.dhSecretKey) },
        keyEnvelope: keyEnvelopeCodec.toWire(keyEnv),
      },
      alternateDistributorVector(w, state),
    ],
  };

  const chainId = { channelId: 'c1', epoch: state.current.epoch, stateHash: state.current.stateHash, officerId: 'alice', deviceId: w.alice.deviceId };
  let ck = initialChainKey(epochSecret, chainId);
  const steps: Record<string, unknown>[] = [{ chainKey0: hex(ck) }];
  for (let i = 0; i < 3; i++) {
    const s = ratchetStep(ck);
    steps.push({ counter: i, messageKey: hex(s.messageKey), nextChainKey: hex(s.nextChainKey) });
    ck = s.nextChainKey;
  }
  out['sender-chain'] = {
    description: 'chainKey0 = BLAKE2b-256(key=epochSecret, encodeFields("liaison/v1/sender-chain", ...)); then crypto_kdf steps',
    vectors: [{ epochSecret: hex(epochSecret), channelId: 'c1', epoch: chainId.epoch, stateHash: hex(chainId.stateHash), officerId: 'alice', deviceId: w.alice.deviceId }, ...steps],
  };

  const envRng = seededRng('envelope-vector');
  let sending = startSendingChain(epochSecret, chainId);
  const envVectors: Record<string, unknown>[] = [];
  for (const [i, payload] of ([{ kind: 'text', text: 'Shipment leaves Antwerp on Tuesday.' }, { kind: 'case-note', caseRef: 'CASE-42', text: 'x'.repeat(1024) }] as const).entries()) {
    const r = encryptMessage({
      channel: state,
      sending,
      sender: w.alice.keys,
      messageId: `msg-${i}`,
      handling: 'TLP:AMBER',
      payload,
      time: T0 + 1000 + i,
      keyLogHead: { size: log.size, hash: log.headHash },
      rng: envRng,
    });
    sending = r.sending;
    envVectors.push({ payload, headerBytes: hex(encodeHeader(r.envelope.header)), envelope: messageEnvelopeCodec.toWire(r.envelope) });
  }
  void emptyReceiverState;
  out['envelope'] = { description: 'Message envelopes from alice in epoch 2 of channel c1 (uses key-envelope epochSecret)', vectors: envVectors };

  out['device'] = deviceVectors(w, state, epochSecret, log);

  // v1.1 (issue 12): channel meta (PROTOCOL.md §6.1), sealed under the key-envelope vector's epoch secret.
  const metaPlain = { title: 'Operation Tulip', description: 'Controlled delivery, Antwerp to Rotterdam', caseRef: 'CASE-42' };
  const metaEpochNo = state.current.epoch;
  const sealedMeta = sealChannelMeta('c1', metaEpochNo, epochSecret, metaPlain, seededRng('channel-meta-vector'));
  out['channel-meta'] = {
    description: 'encryptedMeta = "m1.<epoch>.<b64url nonce>.<b64url ciphertext>", XChaCha20-Poly1305 under Hk("liaison/v1/sdk-channel-meta", [channelId, u64 epoch], epochSecret) with AD = H("liaison/v1/sdk-channel-meta-ad", [channelId, u64 epoch]) (uses key-envelope epochSecret)',
    vectors: [
      {
        channelId: 'c1',
        epoch: metaEpochNo,
        epochSecret: hex(epochSecret),
        plaintextJson: JSON.stringify(metaPlain),
        meta: metaPlain,
        metaKey: hex(channelMetaKey('c1', metaEpochNo, epochSecret)),
        associatedData: hex(channelMetaAd('c1', metaEpochNo)),
        nonce: hex(seededRng('channel-meta-vector')(24)),
        encryptedMeta: sealedMeta,
      },
      { name: 'the same blob opened as another channel', channelId: 'c2', encryptedMeta: sealedMeta, error: 'meta/open-failed' },
      {
        name: 'authentic, but the plaintext has no string title',
        channelId: 'c1',
        encryptedMeta: sealChannelMeta('c1', metaEpochNo, epochSecret, { description: 'no title' } as unknown as ChannelMeta, seededRng('channel-meta-untitled-vector')),
        error: 'meta/bad-plaintext',
      },
    ],
  };

  out['root-set'] = rootSetVectors(w);

  const fileKey = seededRng('attachment-vector')(32);
  out['padding'] = {
    description: 'ISO/IEC 7816-4 padding to 256-byte buckets below 8 KiB, 4 KiB buckets above',
    vectors: [
      ...[0, 1, 255, 256, 8191, 8192].map((n) => ({ length: n, paddedLength: pad(new Uint8Array(n)).length })),
      // v1.1 (PROTOCOL.md §7 step 8): padded inputs a receiver MUST refuse with envelope/bad-padding.
      ...badPaddings().map(([why, bytes]) => ({ invalid: why, padded: hex(bytes), error: padError(bytes) })),
    ],
  };
  out['attachment'] = {
    description: 'secretstream header is drawn by libsodium, so this is a decryption vector: key, header, ciphertext -> plaintext',
    vectors: [{ fileId: 'file-1', key: hex(fileKey), plaintextRule: 'byte i = i mod 251', size: 70_000, ciphertextLength: attachmentCiphertextLength(70_000) }],
  };

  const terms: AgreementTerms = { id: 'mou-1', parties: ['agency-a', 'agency-b'], scope: ['controlled-delivery', 'drug-trafficking'], validFrom: T0, validUntil: T0 + 86_400_000, version: 1, text: 'Memorandum of understanding between agency A and agency B.' };
  out['agreement'] = {
    description: 'Agreement canonical bytes and an admin signature',
    vectors: [{ terms, canonicalBytes: hex(agreementCanonicalBytes(terms)), signerSignPublicKey: hex(w.adminA.keys.signPublicKey), signature: hex(signAgreement(terms, w.adminA.keys.signSecretKey)) }],
  };

  const sn = safetyNumber(w.alice.keys, w.bob.keys);
  out['safety-number'] = {
    description: 'Safety number of alice and bob',
    vectors: [{ a: { officerId: 'alice', signPublicKey: hex(w.alice.keys.signPublicKey), dhPublicKey: hex(w.alice.keys.dhPublicKey) }, b: { officerId: 'bob', signPublicKey: hex(w.bob.keys.signPublicKey), dhPublicKey: hex(w.bob.keys.dhPublicKey) }, digits: sn.digits, qrPayload: hex(sn.qrPayload) }],
  };

  out['cert-renewal'] = certRenewalVectors(w);

  out['desk-intake'] = deskIntakeVectors(w);

  out['payload'] = payloadVectors();
  out['codes'] = codesVectors(w);

  if (opts.includeBackup !== false) {
    const blob = sealBackup(w.alice.keys, { kind: 'passphrase', value: 'correct horse battery staple' }, { rng: seededRng('backup-vector') });
    // v1.1 (PROTOCOL.md §9 Backups): a recovery-code backup; the Argon2id input is the normalised code's 32 ASCII hex digits.
    const code = generateRecoveryCode(seededRng('recovery-code-vector'));
    const byCode = sealBackup(w.alice.keys, { kind: 'recovery-code', value: code }, { rng: seededRng('backup-recovery-vector') });
    out['backup'] = {
      description: 'Argon2id MODERATE backups of alice\'s identity keys (salt and nonce from the seeded rng): passphrase, and recovery code',
      vectors: [
        { passphrase: 'correct horse battery staple', blob: backupBlobCodec.toWire(blob), signSecretKey: hex(w.alice.keys.signSecretKey), dhSecretKey: hex(w.alice.keys.dhSecretKey) },
        {
          recoveryCode: code,
          typedAs: code.toUpperCase().replaceAll('-', ' '),
          argon2Input: hex(utf8(normaliseRecoveryCode(code))),
          blob: backupBlobCodec.toWire(byCode),
          signSecretKey: hex(w.alice.keys.signSecretKey),
          dhSecretKey: hex(w.alice.keys.dhSecretKey),
        },
      ],
    };
  }
  return out;
}

/**
 * Protocol v2 (issue 12): alice asks to renew her certificate at 80 % of its lifetime. The signed bytes are
 * E("liaison/v2/cert-renewal-request", [u8 1, officerId, certificateHash, u64 time]); Ed25519 is deterministic.
 */
function certRenewalVectors(w: ReturnType<typeof makeWorld>): VectorFile {
  const cert = w.alice.cert;
  const time = renewalDueAt(cert);
  const request = createRenewalRequest(w.alice.keys, cert, time);
  const { signature: _s, ...unsigned } = request;
  return {
    description: 'Certificate renewal request (PROTOCOL.md §4.2): signed by the officer over its current certificate hash; due at issuedAt + floor((expiresAt - issuedAt) * 4 / 5)',
    vectors: [
      {
        name: 'renewal request of alice at 80 % of her certificate lifetime',
        certificate: certificateCodec.toWire(cert),
        certificateHash: hex(certificateHash(cert)),
        renewalDueAt: time,
        signPublicKey: hex(w.alice.keys.signPublicKey),
        signedBytes: hex(encodeFields(RENEWAL_REQUEST_LABEL, renewalRequestFields(unsigned))),
        signature: hex(request.signature),
        request: renewalRequestCodec.toWire(request),
        rejected: [
          { description: 'one signature bit flipped', request: renewalRequestCodec.toWire({ ...request, signature: request.signature.map((b, i) => (i === 0 ? b ^ 1 : b)) }), error: 'cert/renewal-bad-signature' },
          { description: 'signed by bob for alice', request: renewalRequestCodec.toWire({ ...request, signature: createRenewalRequest(w.bob.keys, w.bob.cert, time).signature }), error: 'cert/renewal-bad-signature' },
        ],
      },
    ],
  };
}

/**
 * Protocol v2 (PROTOCOL.md §4.5): alice adds a second device, `alice-dev2`, whose Ed25519 key comes from a seeded
 * rng; her identity key signs the device-add and, later, the device-revoke. Envelopes from that device in epoch 2
 * of channel c1 (the key-envelope vector's epoch secret): one signed by the device key before the revocation (opens),
 * one dated exactly at the revocation (envelope/device-revoked), one signed by the identity key (envelope/bad-signature).
 */
function deviceVectors(w: ReturnType<typeof makeWorld>, state: ChannelState, epochSecret: Uint8Array, log: KeyLogState): VectorFile {
  const alice = w.alice.keys;
  const deviceId = 'alice-dev2';
  const deviceSeed = seededRng('device-vector')(32);
  const device = generateDeviceKeys({ officerId: 'alice', deviceId }, seededRng('device-vector'));
  const addedAt = T0 + 200;
  const revokedAt = T0 + 2000;
  const add = createDeviceEvent('device-add', device, addedAt, alice);
  const revoke = createDeviceEvent('device-revoke', device, revokedAt, alice);
  // Events the receiver's resolution rule ignores: a device-add by a key other than alice's identity key, and a
  // second device-add by alice for the same device with another key (the first add fixes the key).
  const other = generateDeviceKeys({ officerId: 'alice', deviceId }, seededRng('device-vector-other'));
  const forgedAdd = createKeyEvent({ kind: 'device-add', officerId: 'alice', agencyId: alice.agencyId, signPublicKey: other.signPublicKey, dhPublicKey: alice.dhPublicKey, recordHash: deviceRecordHash('alice', deviceId), time: addedAt - 1 }, w.bob.keys);
  const secondAdd = createDeviceEvent('device-add', other, addedAt + 1, alice);
  const revokeOther = createDeviceEvent('device-revoke', other, addedAt + 2, alice);
  const status = (events: KeyEvent[]) => statusWire(deviceStatus(events, 'alice', deviceId, alice.signPublicKey));
  const wire = (e: KeyEvent) => ({ event: keyEventCodec.toWire(e), eventHash: hex(keyEventHash(e)) });

  const chainId = { channelId: 'c1', epoch: state.current.epoch, stateHash: state.current.stateHash, officerId: 'alice', deviceId };
  const envRng = seededRng('device-envelope-vector');
  const keyLogHead = { size: log.size, hash: log.headHash };
  let sending = startSendingChain(epochSecret, chainId);
  const payload = { kind: 'text', text: 'Sent from the second device.' } as const;
  const build = (messageId: string, time: number, signer: 'device' | 'identity') => {
    const r = encryptMessage({ channel: state, sending, sender: alice, ...(signer === 'device' ? { device } : {}), messageId, handling: 'TLP:AMBER', payload, time, keyLogHead, rng: envRng });
    sending = r.sending;
    return r.envelope;
  };
  const before = build('dev2-msg-0', T0 + 1500, 'device');
  const atRevocation = build('dev2-msg-1', revokedAt, 'device');
  const byIdentity = build('dev2-msg-2', T0 + 1600, 'identity');
  const byIdentityAfter = build('dev2-msg-3', revokedAt + 1, 'identity');
  const devices = (o: string, d: string, k: Uint8Array): DeviceStatus | null => deviceStatus([add, revoke], o, d, k);
  const openError = (envelope: typeof before): string => {
    try {
      openEnvelope({ channel: state, receiver: emptyReceiverState('c1'), epochSecret: () => epochSecret, envelope, now: envelope.header.time, devices });
      return 'none';
    } catch (e) {
      return (e as { code: string }).code;
    }
  };
  return {
    description:
      'Per-device keys (PROTOCOL.md §4.5): recordHash = H("liaison/v2/device", [officerId, deviceId]); device-add / device-revoke key events signed by the identity key; deviceStatus; envelopes signed by the device key (uses key-envelope epochSecret and the membership chain)',
    vectors: [
      {
        name: 'device record hash',
        officerId: 'alice',
        deviceId,
        hashInput: hex(encodeFields(DEVICE_RECORD_LABEL, [utf8('alice'), utf8(deviceId)])),
        recordHash: hex(deviceRecordHash('alice', deviceId)),
      },
      {
        name: 'device-add of alice-dev2, signed by alice\'s identity key',
        identitySignPublicKey: hex(alice.signPublicKey),
        identityDhPublicKey: hex(alice.dhPublicKey),
        deviceSignSeed: hex(deviceSeed),
        deviceSignPublicKey: hex(device.signPublicKey),
        ...wire(add),
        status: status([add]),
      },
      { name: 'device-revoke of alice-dev2, signed by alice\'s identity key', ...wire(revoke), status: status([add, revoke]) },
      {
        name: 'resolution (deviceStatus): events in log order -> status of alice-dev2 under alice\'s identity key ("add", "revoke" are the events above)',
        events: { forgedAdd: wire(forgedAdd), secondAdd: wire(secondAdd), revokeOther: wire(revokeOther) },
        cases: [
          { description: 'only a device-add signed by bob\'s key: ignored, the device was never added', events: ['forgedAdd'], status: status([forgedAdd]) },
          { description: 'forged add, then the real add: the real add counts', events: ['forgedAdd', 'add'], status: status([forgedAdd, add]) },
          { description: 'the first add fixes the key; a later add with another key is ignored', events: ['add', 'secondAdd'], status: status([add, secondAdd]) },
          { description: 'a revoke of the other key does not revoke the device', events: ['add', 'secondAdd', 'revokeOther'], status: status([add, secondAdd, revokeOther]) },
          { description: 'revoke listed before add in the log still revokes', events: ['revoke', 'add'], status: status([revoke, add]) },
        ],
      },
      {
        name: 'envelope from alice-dev2 signed by the device key, before the revocation: opens',
        keyEvents: ['add', 'revoke'],
        headerBytes: hex(encodeHeader(before.header)),
        envelope: messageEnvelopeCodec.toWire(before),
        payload,
      },
      {
        name: 'rejected',
        keyEvents: ['add', 'revoke'],
        rejected: [
          { description: 'signed by the device key, header time = revokedAt', envelope: messageEnvelopeCodec.toWire(atRevocation), error: openError(atRevocation) },
          { description: 'signed by alice\'s identity key although alice-dev2 was added', envelope: messageEnvelopeCodec.toWire(byIdentity), error: openError(byIdentity) },
          { description: 'after the revocation, signed by the identity key: the device check comes before the signature', envelope: messageEnvelopeCodec.toWire(byIdentityAfter), error: openError(byIdentityAfter) },
        ],
      },
      {
        name: 'migration: a device never added (alice-dev1, the envelope.json vectors) resolves to null and is verified with the identity key',
        keyEvents: ['add', 'revoke'],
        deviceId: 'alice-dev1',
        status: statusWire(deviceStatus([add, revoke], 'alice', 'alice-dev1', alice.signPublicKey)),
      },
    ],
  };
}

/**
 * Protocol v2 (PROTOCOL.md §11): desk `desk-a1` of agency A, supervised by carol, with its desk channel
 * `desk-a1-channel`. carol signs the intake key statement (version 1, then version 2 on rotation); bob of agency B
 * seals a request to version 1. Every key and ephemeral secret comes from a seeded rng.
 */
function deskIntakeVectors(w: ReturnType<typeof makeWorld>): VectorFile {
  const deskId = 'desk-a1';
  const channelId = 'desk-a1-channel';
  const key1 = generateIntakeKey(deskId, 1, seededRng('desk-intake-key-1'));
  const key2 = generateIntakeKey(deskId, 2, seededRng('desk-intake-key-2'));
  const stmt1 = createIntakeKeyStatement({ deskId, channelId, key: key1, createdAt: T0 + 100 }, w.carol.keys);
  const stmt2 = createIntakeKeyStatement({ deskId, channelId, key: key2, createdAt: T0 + 300 }, w.carol.keys);
  const { signature: _s1, ...unsigned1 } = stmt1;
  const now = T0 + 6000;
  const rootA = hex(w.adminA.keys.signPublicKey);
  const rootB = hex(w.adminB.keys.signPublicKey);
  const secretPayload = intakeKeyPayload(key1);

  const payload: Payload = { kind: 'request-for-assistance', caseRef: 'BE-2026-0042', scope: 'controlled-delivery', subject: 'Parcel to Antwerp tonight', details: 'Tracking 7741: please confirm a controlled delivery before 06:00.', dueBy: T0 + 8 * 3600 * 1000 };
  const request = createDeskRequest({ statement: stmt1, requestId: 'req-1', time: T0 + 5000, payload, rng: seededRng('desk-request-vector') }, w.bob.keys);
  const { signature: _rs, ...unsignedRequest } = request;
  const signAs = (r: Omit<DeskRequest, 'signature'>, signer: { signSecretKey: Uint8Array }): DeskRequest => ({ ...r, signature: labelledSign(DESK_REQUEST_LABEL, deskRequestFields(r), signer.signSecretKey) });
  const tampered = request.sealed.map((b, i) => (i === 40 ? b ^ 1 : b));
  const otherDeskInner = sealTo(stmt1.dhPublicKey, deskRequestInner({ deskId: 'desk-b7', version: 1, requesterOfficerId: 'bob', requestId: 'req-3', time: T0 + 5002 }, encodePayload(payload)), seededRng('desk-request-other-desk'));
  const badRequests: { description: string; request: DeskRequest; error: string }[] = [
    { description: 'one byte of sealed flipped, outer signature unchanged (the server refuses it too)', request: { ...request, sealed: tampered }, error: 'intake/bad-request-signature' },
    { description: 'one byte of sealed flipped and the outer object re-signed by bob', request: signAs({ ...unsignedRequest, sealed: tampered }, w.bob.keys), error: 'intake/open-failed' },
    { description: 'signed by dave\'s key, not the key of bob\'s certificate', request: signAs(unsignedRequest, w.dave.keys), error: 'intake/bad-request-signature' },
    { description: 'outer object names version 2, which the opener does not hold (re-signed by bob)', request: signAs({ ...unsignedRequest, version: 2 }, w.bob.keys), error: 'intake/unknown-version' },
    { description: 'inner context names desk desk-b7 (sealed by bob to desk-a1\'s key, outer desk-a1, signed by bob)', request: signAs({ ...unsignedRequest, requestId: 'req-3', time: T0 + 5002, sealed: otherDeskInner }, w.bob.keys), error: 'intake/context-mismatch' },
  ];

  const forgedByAlice = { ...stmt1, signature: labelledSign(INTAKE_KEY_LABEL, intakeKeyStatementFields(unsigned1), w.alice.keys.signSecretKey) };
  const { signature: _bs, ...byBobUnsigned } = createIntakeKeyStatement({ deskId, channelId, key: key1, createdAt: T0 + 100 }, w.bob.keys);
  const byBobForAgencyA = { ...byBobUnsigned, agencyId: 'agency-a' };
  const wrongAgency: IntakeKeyStatement = { ...byBobForAgencyA, signature: labelledSign(INTAKE_KEY_LABEL, intakeKeyStatementFields(byBobForAgencyA), w.bob.keys.signSecretKey) };
  const equivocating = createIntakeKeyStatement({ deskId, channelId, key: generateIntakeKey(deskId, 2, seededRng('desk-intake-key-2-other')), createdAt: T0 + 301 }, w.carol.keys);
  const pin2 = { version: 2, dhPublicKey: hex(key2.publicKey) };
  const badStatements = [
    { description: 'signed by alice\'s key, naming carol as signer', statement: forgedByAlice, signerCertificate: w.carol.cert, agencyRoot: rootA, pinned: null, error: 'intake/bad-signature' },
    { description: 'carol\'s certificate checked under agency B\'s root', statement: stmt1, signerCertificate: w.carol.cert, agencyRoot: rootB, pinned: null, error: 'intake/signer-not-certified' },
    { description: 'alice\'s certificate offered for carol\'s statement', statement: stmt1, signerCertificate: w.alice.cert, agencyRoot: rootA, pinned: null, error: 'intake/signer-not-certified' },
    { description: 'signed by bob (agency B) for a desk of agency A', statement: wrongAgency, signerCertificate: w.bob.cert, agencyRoot: rootB, pinned: null, error: 'intake/wrong-agency' },
    { description: 'version 1 after the client pinned version 2', statement: stmt1, signerCertificate: w.carol.cert, agencyRoot: rootA, pinned: pin2, error: 'intake/rollback' },
    { description: 'another key for the pinned version 2', statement: equivocating, signerCertificate: w.carol.cert, agencyRoot: rootA, pinned: pin2, error: 'intake/equivocation' },
  ];

  return {
    description:
      'Desk intake (PROTOCOL.md §11): intake key statement Sig("liaison/v2/desk-intake-key", fields) by a supervisor; the intake secret as a desk-intake-key payload in the desk channel; a request sealed (crypto_box_seal format, ephemeral key from the seeded rng) over E("liaison/v2/desk-request-inner", …) and signed Sig("liaison/v2/desk-request", …) by the requester',
    vectors: [
      {
        name: 'intake key statement, version 1, signed by supervisor carol',
        agencyRoot: rootA,
        signerCertificate: certificateCodec.toWire(w.carol.cert),
        intakeSecretKey: hex(key1.secretKey),
        intakePublicKey: hex(key1.publicKey),
        signedBytes: hex(encodeFields(INTAKE_KEY_LABEL, intakeKeyStatementFields(unsigned1))),
        statement: intakeKeyStatementCodec.toWire(stmt1),
        verifiedAt: now,
      },
      {
        name: 'the intake secret of version 1 in the desk channel: desk-intake-key payload, handling TLP:RED',
        channelId,
        handling: INTAKE_KEY_HANDLING,
        payload: { kind: 'desk-intake-key', deskId, version: 1, secretKey: toB64(key1.secretKey) },
        payloadBytes: hex(encodePayload(secretPayload)),
      },
      {
        name: 'request from bob (agency B) sealed to version 1: opens to the payload',
        requesterCertificate: certificateCodec.toWire(w.bob.cert),
        requesterAgencyRoot: rootB,
        ephemeralSecretKey: hex(seededRng('desk-request-vector')(32)),
        innerBytes: hex(deskRequestInner(request, encodePayload(payload))),
        signedBytes: hex(encodeFields(DESK_REQUEST_LABEL, deskRequestFields(unsignedRequest))),
        request: deskRequestCodec.toWire(request),
        payload,
        openedAt: now,
      },
      { name: 'rejected requests (opened by the desk-a1 holder of version 1, at openedAt)', rejected: badRequests.map((r) => ({ description: r.description, request: deskRequestCodec.toWire(r.request), error: r.error })) },
      { name: 'rotation: version 2, signed by carol', intakeSecretKey: hex(key2.secretKey), intakePublicKey: hex(key2.publicKey), statement: intakeKeyStatementCodec.toWire(stmt2) },
      {
        name: 'rejected statements (verified at verifiedAt)',
        rejected: badStatements.map((b) => ({ description: b.description, statement: intakeKeyStatementCodec.toWire(b.statement), signerCertificate: certificateCodec.toWire(b.signerCertificate), agencyRoot: b.agencyRoot, pinned: b.pinned, error: b.error })),
      },
    ],
  };
}

function statusWire(s: DeviceStatus | null): { signPublicKey: string; addedAt: number; revokedAt: number | null } | null {
  return s && { signPublicKey: hex(s.signPublicKey), addedAt: s.addedAt, revokedAt: s.revokedAt };
}

/** The attachment plaintext of the attachment vector. */
export function attachmentVectorPlaintext(size: number): Uint8Array {
  return new Uint8Array(size).map((_, i) => i % 251);
}

/**
 * v1.1 (issue 12): on top of the three-member chain, alice makes carol an owner and removes herself. The
 * epoch's author is not a member, so the remaining owner (carol, although bob's id is smaller) keys it,
 * here from another device than the one in the fixtures. The same envelope re-signed by alice is refused.
 */
function alternateDistributorVector(w: ReturnType<typeof makeWorld>, s2: ChannelState): Record<string, unknown> {
  const setRole = setRoleEvent(s2, w.alice, w.carol, 'owner', T0 + 10);
  const s3 = applyEvent(s2, setRole, w.ctx);
  const leave = removeEvent(s3, w.alice, w.alice, T0 + 11);
  const s4 = applyEvent(s3, leave, w.ctx);
  const { envelope, epochSecret } = createKeyEnvelope({ state: s4, sender: w.carol.keys, deviceId: 'carol-dev2', rng: seededRng('epoch-alternate-vector') });
  const { signature: _s, ...unsigned } = { ...envelope, senderOfficerId: 'alice', senderDeviceId: w.alice.deviceId };
  const byLeaver = { ...unsigned, signature: labelledSign('liaison/v1/key-envelope', keyEnvelopeFields(unsigned), w.alice.keys.signSecretKey) };
  return {
    name: 'epoch whose author left (self-removal after making carol an owner): keyed by the remaining owner from any device',
    events: [setRole, leave].map((e) => ({ event: membershipEventCodec.toWire(e), eventHash: hex(membershipEventHash(e)) })),
    distributor: epochDistributor(s4.current),
    epochSecret: hex(epochSecret),
    recipientsDhSecretKeys: { bob: hex(w.bob.keys.dhSecretKey), carol: hex(w.carol.keys.dhSecretKey) },
    keyEnvelope: keyEnvelopeCodec.toWire(envelope),
    rejected: { description: 'the same recipients, signed by the officer who left', keyEnvelope: keyEnvelopeCodec.toWire(byLeaver), error: 'epoch/not-distributor' },
  };
}

/** v2 (PROTOCOL.md §4.4): agency A's root set moves from adminA alone to {adminA, B, C} 2-of-3, then to {B, C}. */
function rootSetVectors(w: ReturnType<typeof makeWorld>): VectorFile {
  const b = generateIdentity({ officerId: 'admin-b2', agencyId: 'agency-a' }, seededRng('root-set-b'));
  const c = generateIdentity({ officerId: 'admin-c2', agencyId: 'agency-a' }, seededRng('root-set-c'));
  const member = (k: { officerId: string; signPublicKey: Uint8Array }) => ({ officerId: k.officerId, signPublicKey: k.signPublicKey });
  const genesis = genesisRootSet('agency-a', member(w.adminA.keys));
  const u1 = proposeRootSet(genesis, { members: [member(w.adminA.keys), member(b), member(c)], threshold: 2, time: T0 + 10 });
  const v1 = withSignature(u1, signRootSet(u1, w.adminA.keys));
  const u2 = proposeRootSet(v1, { members: [member(b), member(c)], threshold: 2, time: T0 + 20 });
  const v2 = withSignature(withSignature(u2, signRootSet(u2, b)), signRootSet(u2, c));
  const event = createKeyEvent({ kind: 'root-set', officerId: w.adminA.keys.officerId, agencyId: 'agency-a', signPublicKey: w.adminA.keys.signPublicKey, dhPublicKey: new Uint8Array(32), recordHash: rootSetId(u1), time: T0 + 10 }, w.adminA.keys);
  const entry = (name: string, set: typeof v1) => ({ name, rootSet: rootSetCodec.toWire(set), signedBytes: hex(encodeFields(ROOT_SET_LABEL, rootSetFields(set))), id: hex(rootSetId(set)) });
  return {
    description: 'Root sets: signed bytes E("liaison/v2/root-set", fields), id = H("liaison/v2/root-set-id", fields); version 0 is implicit (the v1 root key, threshold 1)',
    vectors: [
      { name: 'version 0 (implicit)', agencyId: 'agency-a', root: { officerId: w.adminA.keys.officerId, signPublicKey: hex(w.adminA.keys.signPublicKey) }, id: hex(rootSetId(genesis)) },
      entry('version 1: {adminA, B, C}, 2 of 3, signed by the version-0 root', v1),
      { name: 'the root-set key event logging version 1', keyEvent: keyEventCodec.toWire(event), eventHash: hex(keyEventHash(event)) },
      entry('version 2: {B, C}, 2 of 2, signed by B and C (2 of version 1)', v2),
      { name: 'version 2 with only one signature', rootSet: rootSetCodec.toWire({ ...v2, signatures: v2.signatures.slice(0, 1) }), error: 'root/insufficient-signatures' },
      { name: 'version 2 signed by a key outside version 1', rootSet: rootSetCodec.toWire(withSignature(u2, signRootSet(u2, w.adminB.keys))), error: 'root/bad-signature' },
    ],
  };
}

/** Padded inner plaintexts that are not the canonical padding of anything. */
function badPaddings(): [string, Uint8Array][] {
  const nonMinimal = new Uint8Array(512);
  nonMinimal[0] = 0x80;
  const noMarker = new Uint8Array(256);
  const afterMarker = new Uint8Array(256);
  afterMarker[10] = 0x80;
  afterMarker[255] = 0x01;
  const notBucket = new Uint8Array(255);
  notBucket[0] = 0x80;
  return [
    ['not the smallest bucket (0 bytes padded to 512)', nonMinimal],
    ['no 0x80 marker (all zeros)', noMarker],
    ['a non-zero byte after the marker', afterMarker],
    ['length not a bucket size (255)', notBucket],
  ];
}

function padError(bytes: Uint8Array): string {
  try {
    unpad(bytes);
    return 'none';
  } catch (e) {
    return (e as { code: string }).code;
  }
}

/**
 * v2 (issue 14, PROTOCOL.md §9.2): a request and each state change (encoded as `encodePayload` writes it), an urgent
 * request without its reasons refused, and deadlines (Art. 5(1)) for receipt instants around Lisbon's DST change.
 */
function requestVectors(): Record<string, unknown>[] {
  const ref = 'PT-2027-0412-r1';
  const lifecycle: Payload[] = [
    {
      kind: 'request',
      requestRef: ref,
      template: 'eu-2023-977',
      urgency: 'urgent',
      urgencyReasons: 'Imminent threat to life: the suspect announced an attack for tonight.',
      dataAccess: 'direct',
      purpose: 'Identify the holder of a phone number used to coordinate the attack.',
      legalBasis: 'Directive (EU) 2023/977 Art. 4; Lei n.º 49/2008',
      dataCategories: ['subscriber data', 'address'],
      requestedInformation: 'Holder and registered address of +34 600 000 000.',
      caseRef: 'PT-2027/0412',
    },
    { kind: 'request-clarification', requestRef: ref, step: 'asked', text: 'Which period of subscription?' },
    { kind: 'request-clarification', requestRef: ref, step: 'given', text: 'March 2027.' },
    { kind: 'request-answer', requestRef: ref, completeness: 'partial', text: 'Holder: J. D.; address follows.' },
    { kind: 'request-answer', requestRef: ref, completeness: 'partial', text: 'Two facts.', items: [{ text: 'Holder: J. D.', evaluation: 'B2' }, { text: 'Contract since March 2027' }] },
    { kind: 'request-judicial-pending', requestRef: ref, text: 'Address data needs a judge’s order.', expectedBy: Date.UTC(2027, 2, 29, 12) },
    { kind: 'request-answer', requestRef: ref, completeness: 'full', text: 'Address: Calle Mayor 1, Madrid.' },
    { kind: 'request-refusal', requestRef: 'PT-2027-0412-r2', ground: 'g', text: 'Not a criminal offence under Spanish law.' },
    { kind: 'request-withdrawal', requestRef: 'PT-2027-0412-r3', text: 'The suspect was arrested.' },
  ];
  const refused = { kind: 'request', requestRef: 'r4', template: 'liaison', urgency: 'urgent', dataAccess: 'indirect', purpose: 'p', legalBasis: 'b', dataCategories: ['c'], requestedInformation: 'i' };
  // Lisbon moves from UTC+0 to UTC+1 at 01:00 UTC on Sunday 28 March 2027.
  const deadlines = [
    { receivedAt: Date.UTC(2027, 2, 27, 10), urgency: 'non-urgent', dataAccess: 'indirect', zone: 'Europe/Lisbon' },
    { receivedAt: Date.UTC(2027, 2, 27, 10), urgency: 'non-urgent', dataAccess: 'direct', zone: 'Europe/Lisbon' },
    { receivedAt: Date.UTC(2027, 2, 27, 22), urgency: 'urgent', dataAccess: 'direct', zone: 'Europe/Lisbon' },
    { receivedAt: Date.UTC(2027, 2, 27, 22), urgency: 'urgent', dataAccess: 'indirect', zone: 'Europe/Lisbon' },
    { receivedAt: Date.UTC(2027, 2, 27, 10), urgency: 'non-urgent', dataAccess: 'indirect', zone: 'UTC' },
    { receivedAt: Date.UTC(2027, 9, 30, 23, 30), urgency: 'non-urgent', dataAccess: 'direct', zone: 'Europe/Madrid' },
  ] as const;
  return [
    ...lifecycle.map((p) => ({ name: `${p.kind} payload`, payload: p, encoded: hex(encodePayload(p)) })),
    { name: 'urgent request without urgencyReasons refused', payload: refused, error: 'payload/invalid' },
    {
      name: 'deadlines (Art. 5(1), ms since the Unix epoch)',
      cases: deadlines.map((d) => ({ ...d, deadline: computeDeadline(d.receivedAt, d.urgency, d.dataAccess, d.zone), shown: formatDeadline(computeDeadline(d.receivedAt, d.urgency, d.dataAccess, d.zone), d.zone) })),
    },
  ];
}

/**
 * v2 (issue 14, PROTOCOL.md §9.1): reported-site addresses as typed → the normalised `url` sent, or the refusal code;
 * encoded payloads (UTF-8 JSON as `encodePayload` writes it) of a normalised reported site and of a
 * controlled-delivery update with the CND 45/9 fields; a v1 reported-site payload that still decodes unchanged.
 */
function payloadVectors(): VectorFile {
  const refusal = (input: string): string => {
    try {
      normaliseSiteAddress(input);
    } catch (e) {
      return (e as { code: string }).code;
    }
    throw new Error(`payload vector: ${input} was not refused`);
  };
  const sent = [
    'duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion',
    'HTTP://2GZYXA5IHM7NSGGFXNU52RCK2VV4RVMDLKIU3ZZUI5DU4XYCLEN53WID.ONION/download/',
    'Bücher.Example',
    'HTTPS://Bücher.Example:443/a?q=1&utm_source=x&fbclid=y#top',
    'https://shop.example/s?q=a%20b+c&x=&gclid=1&lang=pt',
    'http://a.example:8080',
  ].map((input) => ({ input, url: normaliseSiteAddress(input) }));
  const refused = [
    'xyz.onion',
    'expyuzz4wqqyqhjn.onion',
    // DuckDuckGo's address with its first character changed.
    'euckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion',
    'ftp://a.example/',
    'a.example/path',
    'http://user:pw@a.example/',
  ].map((input) => ({ input, error: refusal(input) }));
  const site: Payload = { kind: 'reported-site', url: 'HTTPS://Bücher.Example/shop?utm_medium=tg#x', category: 'vendor-shop' };
  const cdu: Payload = {
    kind: 'controlled-delivery-update',
    operationRef: 'OP-2026-PT-ES-7',
    status: 'in-transit',
    substitution: 'partially-replaced',
    country: 'ES',
    checkpoint: 'Algeciras port, container terminal',
    consents: [
      { country: 'ES', reference: 'AN-2026/114' },
      { country: 'PT', reference: '55/2026-DCIAP' },
    ],
  };
  const legacy = '{"kind":"reported-site","url":"http://XYZ.onion/?utm_source=a#f","category":"forum","notes":null}';
  return {
    description:
      'PROTOCOL.md §9.1 v2: reported-site send rule (typed → normalised url, or refusal code), encoded payloads (UTF-8 JSON, hex), and a v1 reported-site payload the receive rule still opens unchanged',
    vectors: [
      { name: 'reported-site addresses sent', cases: sent },
      { name: 'reported-site addresses refused', cases: refused },
      { name: 'reported-site payload', payload: site, encoded: hex(encodePayload(site)) },
      { name: 'controlled-delivery-update payload', payload: cdu, encoded: hex(encodePayload(cdu)) },
      { name: 'v1 reported-site payload', encoded: hex(utf8(legacy)), decoded: decodePayload(utf8(legacy)) },
      ...requestVectors(),
      ...correctionVectors(),
    ],
  };
}

/**
 * v2 (issue 15, PROTOCOL.md §9.3): a reply with mentions, an edit and a redaction (encoded as `encodePayload` writes
 * them), and `replyExcerpt` at its boundary (160 UTF-16 code units; a surrogate pair is not split).
 */
function correctionVectors(): Record<string, unknown>[] {
  const original = 'Shipment leaves Antwerp on Tuesday.';
  const payloads: Payload[] = [
    { kind: 'text', text: 'Which terminal?', replyTo: { messageId: 'm-1', senderId: 'alice', excerpt: replyExcerpt(original) }, mentions: ['alice'] },
    { kind: 'edit', target: 'm-1', text: 'Shipment leaves Antwerp on Wednesday.', reason: 'Wrong day.' },
    { kind: 'redaction', target: 'm-1', reason: 'Sent to the wrong channel.' },
  ];
  const long = `${'a'.repeat(159)}😀tail`;
  return [
    ...payloads.map((p) => ({ name: `${p.kind} payload (§9.3)${p.kind === 'text' ? ': reply with a mention' : ''}`, payload: p, encoded: hex(encodePayload(p)) })),
    { name: 'replyExcerpt (§9.3 R1)', cases: [original, 'x'.repeat(200), long].map((input) => ({ input, excerpt: replyExcerpt(input) })) },
  ];
}
