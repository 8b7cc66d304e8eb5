import { Type, type Static } from 'typebox';
import { Id, Timestamp } from './common.ts';

export const AGENCY_KINDS = ['ncb', 'police', 'customs', 'border', 'prosecutor', 'fiu', 'other'] as const;
export type AgencyKind = (typeof AGENCY_KINDS)[number];
export const ROLES = ['platform_admin', 'agency_admin', 'officer'] as const;
export type Role = (typeof ROLES)[number];
export const OFFICER_STATUSES = ['invited', 'active', 'suspended'] as const;
export type OfficerStatus = (typeof OFFICER_STATUSES)[number];

export const AgencyKindSchema = Type.Enum(AGENCY_KINDS);
export const RoleSchema = Type.Enum(ROLES);
export const CountryCode = Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2 country code' });
export const Username = Type.String({
  minLength: 3,
  maxLength: 64,
  pattern: '^[a-zA-Z0-9][a-zA-Z0-9._-]*$',
  description: 'Letters, digits, dot, underscore, hyphen; case-insensitive',
});
export const DisplayName = Type.String({ minLength: 1, maxLength: 120 });

export const Agency = Type.Object({
  id: Id,
  name: Type.String(),
  country: CountryCode,
  kind: AgencyKindSchema,
  status: Type.Union([Type.Literal('active'), Type.Literal('suspended')]),
  sponsorAgencyId: Type.Union([Id, Type.Null()]),
  createdAt: Timestamp,
});
export type Agency = Static<typeof Agency>;

export const Officer = Type.Object({
  id: Id,
  agencyId: Id,
  username: Type.String(),
  displayName: Type.String(),
  role: RoleSchema,
  status: Type.Enum(OFFICER_STATUSES),
  locked: Type.Boolean(),
  createdAt: Timestamp,
});
export type Officer = Static<typeof Officer>;

/**
 * Who an officer is, for display (GET /officers/profiles): name and agency, nothing an administrator alone may see
 * (no username, role, status or sessions). Certificates carry ids and keys only; this puts names on them.
 */
export const OfficerProfile = Type.Object({
  officerId: Id,
  displayName: Type.String(),
  agencyId: Id,
  agencyName: Type.String(),
  agencyCountry: Type.String(),
});
export type OfficerProfile = Static<typeof OfficerProfile>;

/** At most this many ids per GET /officers/profiles. */
export const MAX_PROFILE_IDS = 100;

export const Enrolment = Type.Object({
  token: Type.String({ description: 'One-time enrolment token (shown once)' }),
  link: Type.String({ description: 'Enrolment link to hand to the officer' }),
  expiresAt: Timestamp,
});
export type Enrolment = Static<typeof Enrolment>;

export const NewOfficerInput = Type.Object(
  { username: Username, displayName: DisplayName, role: Type.Optional(RoleSchema) },
  { additionalProperties: false },
);
export type NewOfficerInput = Static<typeof NewOfficerInput>;

export const CreateAgencyBody = Type.Object(
  {
    name: Type.String({ minLength: 2, maxLength: 200 }),
    country: CountryCode,
    kind: AgencyKindSchema,
    sponsorAgencyId: Type.Optional(Id),
    admin: Type.Object(
      { username: Username, displayName: DisplayName },
      { additionalProperties: false, description: 'The agency\'s first administrator' },
    ),
  },
  { additionalProperties: false },
);
export type CreateAgencyBody = Static<typeof CreateAgencyBody>;

export const CreatedAgency = Type.Object({ agency: Agency, admin: Officer, enrolment: Enrolment });
export const CreatedOfficer = Type.Object({ officer: Officer, enrolment: Enrolment });

export const UpdateAgencyBody = Type.Object(
  { status: Type.Union([Type.Literal('active'), Type.Literal('suspended')]) },
  { additionalProperties: false },
);

export const SetRoleBody = Type.Object({ role: RoleSchema }, { additionalProperties: false });

export const Me = Type.Object({ officer: Officer, agency: Agency, sessionId: Id });
export type Me = Static<typeof Me>;
