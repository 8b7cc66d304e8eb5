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
});
export type OfficerKeys = Static<typeof OfficerKeys>;

export const AgencyRoot = Type.Object({ agencyId: Id, officerId: Id, signPublicKey: Type.String(), createdAt: Timestamp });

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

export const PendingCertifications = Type.Object({ officers: Type.Array(OfficerKeys) });

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
