import { Type, type Static } from 'typebox';
import { Id, Timestamp } from './common.ts';

/**
 * Crypto objects travel as the JSON wire shapes of shared/crypto's codecs (binary fields base64url).
 * Route schemas accept them as objects; services parse them strictly with the codec.
 */
export const WireObject = (description: string) => Type.Record(Type.String(), Type.Unknown(), { description });

export const RegisterKeysBody = Type.Object(
  {
    keyEvent: WireObject('keyEventCodec: the officer-signed "enrol" key event'),
    prekey: WireObject('signedPrekeyCodec'),
    backup: WireObject('backupBlobCodec: identity keys sealed under the officer\'s passphrase'),
  },
  { additionalProperties: false },
);

export const CertifyBody = Type.Object(
  {
    certificate: WireObject('certificateCodec, issued by the agency root'),
    keyEvent: WireObject('keyEventCodec: the root-signed "cert-issue" key event'),
  },
  { additionalProperties: false },
);

export const RotatePrekeyBody = Type.Object(
  { prekey: WireObject('signedPrekeyCodec'), keyEvent: WireObject('keyEventCodec: "prekey-rotate"') },
  { additionalProperties: false },
);

export const OfficerKeys = Type.Object({
  officerId: Id,
  agencyId: Id,
  signPublicKey: Type.String(),
  dhPublicKey: Type.String(),
  prekey: WireObject('signedPrekeyCodec'),
  certificate: Type.Union([WireObject('certificateCodec'), Type.Null()]),
  /** Hex identity fingerprint for display (directory, safety numbers). */
  fingerprint: Type.String(),
  /** When the officer asked to renew its current certificate (PROTOCOL.md §4.2); null otherwise. */
  renewalRequestedAt: Type.Union([Timestamp, Type.Null()]),
});
export type OfficerKeys = Static<typeof OfficerKeys>;

export const RenewalRequestBody = Type.Object(
  { request: WireObject('renewalRequestCodec: the officer-signed "liaison/v2/cert-renewal-request" over its current certificate') },
  { additionalProperties: false },
);

/** Why an officer is in the certification queue (PROTOCOL.md §4.2). */
export const PendingReason = Type.Union(
  [Type.Literal('new-keys'), Type.Literal('renewal'), Type.Literal('expired'), Type.Literal('role-changed'), Type.Literal('root-rotated')],
  {
    description:
      'new-keys: registered keys without a certificate; renewal: the officer asked to renew (80 % of the lifetime); ' +
      'expired: the certificate expired without a renewal; role-changed: the certificate role is not the account role; ' +
      'root-rotated: the certificate was issued by a key no longer in the agency root set (PROTOCOL.md §4.4)',
  },
);
export type PendingReason = Static<typeof PendingReason>;

export const PendingOfficerKeys = Type.Object({ ...OfficerKeys.properties, reason: PendingReason });
export type PendingOfficerKeys = Static<typeof PendingOfficerKeys>;

export const AgencyRoot = Type.Object({ agencyId: Id, officerId: Id, signPublicKey: Type.String(), createdAt: Timestamp });

/** PROTOCOL.md §4.4: version 0 is `root`; `rootSets` are the applied sets from version 1 on, oldest first. */
export const AgencyRootView = Type.Object({
  root: AgencyRoot,
  rootSets: Type.Array(WireObject('rootSetCodec: a v2 root set with the signatures that made it valid')),
});

export const RootSetProposal = Type.Object({
  rootSet: WireObject('rootSetCodec, with the signatures collected so far'),
  proposedBy: Id,
  createdAt: Timestamp,
});

export const ProposeRootSetBody = Type.Object(
  {
    rootSet: WireObject('rootSetCodec: the successor of the set in force, signed by the proposer'),
    keyEvent: WireObject('keyEventCodec: the proposer-signed "root-set" key event whose recordHash is the set id'),
  },
  { additionalProperties: false },
);

export const SignRootSetBody = Type.Object(
  {
    rootSetId: Type.String({ description: 'base64url id of the proposed set (PROTOCOL.md §4.4)' }),
    signature: Type.Object(
      { signPublicKey: Type.String(), signature: Type.String() },
      { additionalProperties: false, description: 'Signature of the set by a member of the set in force' },
    ),
  },
  { additionalProperties: false },
);

export const RootSetOutcome = Type.Object({
  version: Type.Integer({ minimum: 1 }),
  applied: Type.Boolean({ description: 'True once enough members of the set in force signed: the set is now in force' }),
  signatures: Type.Integer({ minimum: 0 }),
  threshold: Type.Integer({ minimum: 1, description: 'Signatures the set in force requires' }),
});

export const KeyLogPage = Type.Object({
  entries: Type.Array(WireObject('keyLogEntryCodec')),
  head: Type.Union([WireObject('treeHeadCodec'), Type.Null()]),
  serverSignPublicKey: Type.String({ description: 'Key-log signing key of this server (base64url)' }),
  size: Type.Integer({ minimum: 0, description: 'Current number of entries; `head` is the signed head at the end of this page' }),
});

export const KeyLogQuery = Type.Object(
  { from: Type.Optional(Type.Integer({ minimum: 0 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) },
  { additionalProperties: false },
);

export const PendingCertifications = Type.Object({ officers: Type.Array(PendingOfficerKeys) });

export const RegisteredKeys = Type.Object({
  keys: OfficerKeys,
  agencyRoot: Type.Boolean({ description: 'True when these keys are (now) the agency root' }),
  logIndex: Type.Union([Type.Integer(), Type.Null()], { description: 'Key-log index of the enrol entry; null for an idempotent retry' }),
});

export const KeyBackupBody = Type.Object({ backup: WireObject('backupBlobCodec') });

/** A cert-revoke the agency root signs (PROTOCOL.md §4.3 **Revocation**). */
export const RevokeCertificateBody = Type.Object(
  { keyEvent: WireObject('keyEventCodec: the root-signed "cert-revoke" key event for the officer\'s current certificate') },
  { additionalProperties: false },
);

/** Why the server asks the agency root to revoke a certificate. */
export const RevocationReason = Type.Union([Type.Literal('officer_suspended')]);

/** An officer whose certificate the agency root should revoke: the certificate and the reason. */
export const PendingRevocation = Type.Object({
  officerId: Id,
  agencyId: Id,
  signPublicKey: Type.String(),
  dhPublicKey: Type.String(),
  certificate: WireObject('certificateCodec: the certificate to revoke'),
  reason: RevocationReason,
});

export const PendingRevocations = Type.Object({ officers: Type.Array(PendingRevocation) });

// ---- devices (PROTOCOL.md §4.5) ----

export const DeviceIdParams = Type.Object({ deviceId: Id }, { additionalProperties: false });

export const AddDeviceBody = Type.Object(
  {
    deviceId: Id,
    name: Type.String({ minLength: 1, maxLength: 100, description: 'What the officer sees in the device list (e.g. "Chromium on Linux")' }),
    keyEvent: WireObject('keyEventCodec: the identity-signed "device-add" event; recordHash = deviceRecordHash(officerId, deviceId)'),
  },
  { additionalProperties: false },
);

export const RevokeDeviceBody = Type.Object(
  { keyEvent: WireObject('keyEventCodec: the identity-signed "device-revoke" event of that device key') },
  { additionalProperties: false },
);

export const DeviceView = Type.Object({
  deviceId: Id,
  name: Type.String(),
  signPublicKey: Type.String({ description: 'The device signing key (base64url)' }),
  addedAt: Timestamp,
  revokedAt: Type.Union([Timestamp, Type.Null()]),
  /** Last time a session of this device announced itself (add or re-add after sign-in). */
  lastSeenAt: Timestamp,
  /** True for the device of the session making this request. */
  current: Type.Boolean(),
});
export type DeviceView = Static<typeof DeviceView>;

export const DeviceBody = Type.Object({ device: DeviceView });
export const DeviceList = Type.Object({ devices: Type.Array(DeviceView) });
