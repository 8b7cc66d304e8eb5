import { Type, type Static } from 'typebox';
import { MAX_ROTA_ENTRIES } from '../desks/rota.ts';
import { SpecialisationSchema } from './directory.ts';
import { Id, Timestamp } from './common.ts';

const Clock = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'Local wall time HH:MM (00:00–23:59)' });
const TimeZone = Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. Europe/Lisbon' });
const Officers = Type.Array(Id, { maxItems: 200, uniqueItems: true });

export const WeeklyShift = Type.Object(
  {
    officerId: Id,
    days: Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), { minItems: 1, maxItems: 7, uniqueItems: true, description: 'ISO weekdays: 1 = Monday … 7 = Sunday' }),
    start: Clock,
    end: Type.String({ ...Clock, description: 'HH:MM; at or before start = overnight, ending the next day' }),
  },
  { additionalProperties: false },
);

const OverrideFields = {
  officerId: Id,
  start: Timestamp,
  end: Timestamp,
  replaces: Type.Optional(Type.String({ ...Id, description: "A swap: officerId takes this officer's duty in [start, end)" })),
};

export const RotaOverride = Type.Object({ id: Id, ...OverrideFields }, { additionalProperties: false });
export const NewRotaOverride = Type.Object(OverrideFields, { additionalProperties: false });
export type NewRotaOverride = Static<typeof NewRotaOverride>;

export const Rota = Type.Object(
  {
    timeZone: TimeZone,
    weekly: Type.Array(WeeklyShift, { maxItems: MAX_ROTA_ENTRIES }),
    overrides: Type.Array(RotaOverride, { maxItems: MAX_ROTA_ENTRIES }),
  },
  { additionalProperties: false, description: `Weekly shifts in the desk's time zone plus dated overrides; at most ${MAX_ROTA_ENTRIES} entries in all` },
);
export type RotaBody = Static<typeof Rota>;

const Name = Type.String({ minLength: 2, maxLength: 160 });
const Phone = Type.String({ minLength: 8, maxLength: 32, description: '24/7 fallback number, international format, e.g. +351 21 864 1000' });
const Languages = Type.Array(Type.String({ minLength: 2, maxLength: 35, description: 'BCP 47 language tag, e.g. pt or pt-BR' }), {
  maxItems: 20,
  uniqueItems: true,
});
/** The desk's escalation ladder (docs/DESKS.md "Paging and escalation"). */
export const Escalation = Type.Object(
  { ackMinutes: Type.Integer({ minimum: 1, maximum: 120, description: 'Minutes a page waits for an acknowledgement before the next step (default 5)' }) },
  { additionalProperties: false },
);
export type Escalation = Static<typeof Escalation>;

const Specialisations = Type.Array(SpecialisationSchema, { maxItems: 32, uniqueItems: true });

export const CreateDeskBody = Type.Object(
  {
    name: Name,
    specialisations: Type.Optional(Specialisations),
    languages: Type.Optional(Languages),
    phone: Phone,
    timeZone: TimeZone,
    supervisors: Type.Optional(Officers),
    members: Type.Optional(Officers),
    backupDeskId: Type.Optional(Type.Union([Id, Type.Null()])),
    escalation: Type.Optional(Escalation),
  },
  { additionalProperties: false },
);
export type CreateDeskBody = Static<typeof CreateDeskBody>;

export const UpdateDeskBody = Type.Object(
  {
    name: Type.Optional(Name),
    specialisations: Type.Optional(Specialisations),
    languages: Type.Optional(Languages),
    phone: Type.Optional(Phone),
    timeZone: Type.Optional(Type.String({ ...TimeZone, description: 'IANA time zone; the rota keeps its wall times in the new zone' })),
    supervisors: Type.Optional(Officers),
    members: Type.Optional(Officers),
    backupDeskId: Type.Optional(Type.Union([Id, Type.Null()])),
    escalation: Type.Optional(Escalation),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateDeskBody = Static<typeof UpdateDeskBody>;

export const Desk = Type.Object({
  id: Id,
  agencyId: Id,
  name: Type.String(),
  specialisations: Type.Array(Type.String()),
  languages: Type.Array(Type.String()),
  phone: Type.String(),
  timeZone: Type.String(),
  supervisors: Type.Array(Id),
  members: Type.Array(Id),
  backupDeskId: Type.Union([Id, Type.Null()]),
  rota: Rota,
  escalation: Escalation,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Desk = Static<typeof Desk>;

export const DeskBody = Type.Object({ desk: Desk });
export const DeskList = Type.Object({ desks: Type.Array(Desk) });

export const OverrideParams = Type.Object({ id: Id, overrideId: Id }, { additionalProperties: false });

export const OnDutyQuery = Type.Object({ at: Type.Optional(Timestamp) }, { additionalProperties: false });
export const OnDuty = Type.Object({
  at: Timestamp,
  officerIds: Type.Array(Id, { description: 'In escalation order: overrides first, then weekly shifts in rota order' }),
  fromBackupDesk: Type.Boolean({ description: "Nobody of this desk is on duty: these are the backup desk's on-duty officers" }),
});
export type OnDuty = Static<typeof OnDuty>;

export const MyShiftsQuery = Type.Object({ from: Timestamp, to: Timestamp }, { additionalProperties: false });
export const MyShift = Type.Object({
  deskId: Id,
  deskName: Type.String(),
  start: Timestamp,
  end: Timestamp,
  source: Type.Union([Type.Literal('weekly'), Type.Literal('override')]),
  overrideId: Type.Optional(Id),
});
export type MyShift = Static<typeof MyShift>;
export const MyShifts = Type.Object({ shifts: Type.Array(MyShift) });
