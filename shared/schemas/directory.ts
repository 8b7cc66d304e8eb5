import { Type, type Static } from 'typebox';
import { SPECIALISATIONS } from '../directory/vocabulary.ts';
import { AgencyKindSchema, CountryCode, DisplayName } from './accounts.ts';
import { Id, Timestamp } from './common.ts';
import { WireObject } from './keys.ts';

export const SpecialisationSchema = Type.Enum(SPECIALISATIONS, { description: 'Fixed vocabulary of specialisations' });
export const LanguageCode = Type.String({ pattern: '^[a-z]{2}$', description: 'ISO 639-1 language code, lower case' });
const Clock = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'Local wall-clock time HH:MM' });
const ClockEnd = Type.String({
  pattern: '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$',
  description: 'HH:MM or 24:00; earlier than start = runs overnight into the next day',
});

export const Slot = Type.Object(
  {
    day: Type.Integer({ minimum: 0, maximum: 6, description: '0 = Monday … 6 = Sunday' }),
    start: Clock,
    end: ClockEnd,
  },
  { additionalProperties: false },
);

export const Availability = Type.Union(
  [
    Type.Object({ kind: Type.Literal('24/7') }, { additionalProperties: false }),
    Type.Object(
      {
        kind: Type.Literal('schedule'),
        timeZone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. Europe/Lisbon' }),
        slots: Type.Array(Slot, { minItems: 1, maxItems: 42 }),
      },
      { additionalProperties: false },
    ),
  ],
  { description: "Always on duty, or a weekly schedule in the entry's time zone (daylight-saving aware)" },
);
export type AvailabilityBody = Static<typeof Availability>;

const Title = Type.String({ minLength: 2, maxLength: 160, description: 'Desk name or job title' });
const Phone = Type.String({ minLength: 8, maxLength: 32, description: 'International format, e.g. +351 21 864 1000' });
const Notes = Type.String({ maxLength: 2000 });
const DeskLink = Type.Union([Id, Type.Null()], {
  description: 'A desk of the same agency (docs/DESKS.md): availableNow then means someone is on its rota (or its backup desk\'s) now',
});
const Specialisations = Type.Array(SpecialisationSchema, { maxItems: SPECIALISATIONS.length, uniqueItems: true });
const Languages = Type.Array(LanguageCode, { minItems: 1, maxItems: 20, uniqueItems: true });

export const CreateDirectoryEntryBody = Type.Object(
  {
    /** Defaults to the caller's agency; only platform admins may name another. */
    agencyId: Type.Optional(Id),
    title: Title,
    officerId: Type.Optional(Type.Union([Id, Type.Null()], { description: 'A linked officer of the same agency (omit for a rota desk)' })),
    deskId: Type.Optional(DeskLink),
    specialisations: Specialisations,
    languages: Languages,
    availability: Availability,
    phone: Type.Optional(Type.Union([Phone, Type.Null()])),
    notes: Type.Optional(Notes),
  },
  { additionalProperties: false },
);
export type CreateDirectoryEntryBody = Static<typeof CreateDirectoryEntryBody>;

export const UpdateDirectoryEntryBody = Type.Object(
  {
    title: Type.Optional(Title),
    officerId: Type.Optional(Type.Union([Id, Type.Null()])),
    deskId: Type.Optional(DeskLink),
    specialisations: Type.Optional(Specialisations),
    languages: Type.Optional(Languages),
    availability: Type.Optional(Availability),
    phone: Type.Optional(Type.Union([Phone, Type.Null()])),
    notes: Type.Optional(Notes),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateDirectoryEntryBody = Static<typeof UpdateDirectoryEntryBody>;

export const DirectoryEntry = Type.Object({
  id: Id,
  agency: Type.Object({
    id: Id,
    name: Type.String(),
    kind: AgencyKindSchema,
    country: CountryCode,
    sponsor: Type.Union([Type.Object({ id: Id, name: Type.String() }), Type.Null()], {
      description: 'The sponsoring NCB of an authorised national institution (extended access)',
    }),
  }),
  country: CountryCode,
  title: Type.String(),
  officer: Type.Union([
    Type.Object({
      id: Id,
      displayName: DisplayName,
      status: Type.Union([Type.Literal('invited'), Type.Literal('active'), Type.Literal('suspended')]),
      fingerprint: Type.Union([Type.String({ description: 'Identity-key fingerprint (hex)' }), Type.Null()]),
    }),
    Type.Null(),
  ]),
  specialisations: Type.Array(SpecialisationSchema),
  languages: Type.Array(LanguageCode),
  deskId: Type.Union([Id, Type.Null()], { description: 'The linked desk, whose rota decides availableNow' }),
  availability: Availability,
  availableNow: Type.Boolean({ description: 'Linked desk: someone is on duty there (or at its backup desk); otherwise the schedule covers now' }),
  phone: Type.Union([Type.String(), Type.Null()]),
  notes: Type.String(),
  lastConfirmedAt: Timestamp,
  stale: Type.Boolean({ description: 'Not re-confirmed for 180 days' }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type DirectoryEntry = Static<typeof DirectoryEntry>;

export const DirectoryEntryDetail = Type.Object({
  entry: DirectoryEntry,
  nextChange: Type.Union([Type.Object({ at: Timestamp, available: Type.Boolean() }), Type.Null()], {
    description: 'When availability next flips (within 8 days); null for 24/7, none, or a desk-linked entry',
  }),
});

const Cursor = Type.String({ minLength: 1, maxLength: 1024, pattern: '^[A-Za-z0-9_-]+$', description: 'Opaque; from nextCursor' });

export const DirectorySearchQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 200, description: 'Free text over title, agency, notes and officer name (word prefixes)' })),
    country: Type.Optional(CountryCode),
    specialisation: Type.Optional(SpecialisationSchema),
    language: Type.Optional(LanguageCode),
    agencyKind: Type.Optional(AgencyKindSchema),
    availableNow: Type.Optional(Type.Boolean({ description: 'true = only entries on duty now; false = no filter' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 25 })),
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);
export type DirectorySearchQuery = Static<typeof DirectorySearchQuery>;

export const DirectoryPage = Type.Object({
  entries: Type.Array(DirectoryEntry),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
  asOf: Type.Integer({ description: 'The instant staleness and availability were evaluated at (fixed for a paging session)' }),
});
export type DirectoryPage = Static<typeof DirectoryPage>;

export const StaleQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })), cursor: Type.Optional(Cursor) },
  { additionalProperties: false },
);
export const StalePage = Type.Object({ entries: Type.Array(DirectoryEntry), nextCursor: Type.Union([Type.String(), Type.Null()]) });

// ---- Contact requests (reach an entry's officer; docs/MESSAGING.md "Contact requests") ----

export const ContactRecipient = Type.Object({
  officerId: Id,
  agencyId: Id,
  displayName: DisplayName,
  role: Type.Enum(['officer', 'agency_admin', 'platform_admin'] as const),
});

export const ContactTarget = Type.Object({
  entryId: Id,
  /** Who may be contacted: the linked officer, or (a desk without one) the agency's active, keyed administrators. */
  recipients: Type.Array(ContactRecipient, { minItems: 1 }),
  /** An effective agreement covering both agencies (the channel is then an ordinary direct channel), or null. */
  agreementId: Type.Union([Id, Type.Null()]),
  /** True when the channel will be a contact request: other agency and no covering agreement. */
  contactRequest: Type.Boolean(),
  /** True when the entry's desk has an intake key: "Send a request to the desk" seals a request to it (docs/DESKS.md). */
  deskRequests: Type.Boolean(),
});
export type ContactTarget = Static<typeof ContactTarget>;

export const ContactBody = Type.Object(
  {
    recipientId: Id,
    /** The signed create event of a `direct` channel, plus the recipient's add when they are of the caller's agency. */
    events: Type.Array(WireObject('membershipEventCodec'), { minItems: 1, maxItems: 2 }),
    /** Another agency: the recipient's add (seq 1), signed by the caller, awaiting the recipient's co-signature. */
    invite: Type.Optional(WireObject('membershipEventCodec')),
    keyEnvelope: Type.Optional(WireObject('keyEnvelopeCodec')),
    encryptedMeta: Type.String({ maxLength: 16_384 }),
  },
  { additionalProperties: false },
);
export type ContactBody = Static<typeof ContactBody>;
