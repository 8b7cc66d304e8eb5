import { Type, type Static } from 'typebox';
import { AGREEMENT_SCOPES } from '../crypto/agreement.ts';
import { Id, Timestamp } from './common.ts';

/** The scope vocabulary is the protocol's (signed into the agreement's canonical bytes). */
export { AGREEMENT_SCOPES };
export const AgreementScopeSchema = Type.Enum(AGREEMENT_SCOPES);

/** Stored states plus the ones derived from the validity window. */
export const AGREEMENT_STATUSES = ['proposed', 'scheduled', 'active', 'suspended', 'terminated', 'expired'] as const;

export const ProposeAgreementBody = Type.Object(
  {
    parties: Type.Array(Id, { minItems: 2, maxItems: 50, uniqueItems: true, description: 'Agency ids; must include your own' }),
    scope: Type.Array(AgreementScopeSchema, { minItems: 1, uniqueItems: true }),
    validFrom: Timestamp,
    validUntil: Timestamp,
    title: Type.String({ minLength: 1, maxLength: 200 }),
    text: Type.String({ minLength: 1, maxLength: 100_000 }),
  },
  { additionalProperties: false },
);
export type ProposeAgreementBody = Static<typeof ProposeAgreementBody>;

export const AgreementParty = Type.Object({
  agencyId: Id,
  signedBy: Type.Union([Id, Type.Null()]),
  signedAt: Type.Union([Timestamp, Type.Null()]),
  signature: Type.Union([Type.String(), Type.Null()]),
  signerPublicKey: Type.Union([Type.String(), Type.Null()]),
});

export const AgreementSuspension = Type.Object({
  agencyId: Id,
  officerId: Id,
  suspendedAt: Timestamp,
  reason: Type.Union([Type.String(), Type.Null()]),
});

export const Agreement = Type.Object({
  id: Id,
  version: Type.Integer(),
  parties: Type.Array(AgreementParty),
  scope: Type.Array(Type.String()),
  validFrom: Timestamp,
  validUntil: Timestamp,
  title: Type.String(),
  text: Type.String(),
  textHash: Type.String({ description: 'base64url BLAKE2b of the text (agreementTextHash)' }),
  status: Type.Enum(AGREEMENT_STATUSES),
  suspendedBy: Type.Array(AgreementSuspension, {
    description: 'Parties holding the agreement suspended; each lifts only its own suspension, and it is active again when none remains',
  }),
  proposedBy: Id,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Agreement = Static<typeof Agreement>;

export const SignAgreementBody = Type.Object(
  { signature: Type.String({ description: 'base64url signAgreement() over the canonical terms' }) },
  { additionalProperties: false },
);

export const AgreementStatusBody = Type.Object(
  { reason: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
);

export const GrantExtendedAccessBody = Type.Object(
  {
    agencyId: Id,
    scope: Type.Array(AgreementScopeSchema, { minItems: 1, uniqueItems: true }),
    expiresAt: Type.Integer({ minimum: 0, description: 'Milliseconds since the Unix epoch (UTC); in the future and at most EXTENDED_ACCESS_MAX_DAYS (default 365) days ahead' }),
  },
  { additionalProperties: false },
);

export const ExtendedAccessGrant = Type.Object({
  id: Id,
  sponsorAgencyId: Id,
  agencyId: Id,
  scope: Type.Array(Type.String()),
  expiresAt: Timestamp,
  createdBy: Id,
  createdAt: Timestamp,
  revokedAt: Type.Union([Timestamp, Type.Null()]),
  active: Type.Boolean(),
});

export const ExtendedAccessList = Type.Object({
  grants: Type.Array(ExtendedAccessGrant),
  maxDays: Type.Integer({ minimum: 1, description: 'Longest grant the server issues, in days from issue (EXTENDED_ACCESS_MAX_DAYS); renew with a new grant' }),
});
