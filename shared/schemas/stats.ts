import { Type, type Static } from 'typebox';
import { REFUSAL_GROUND_CODES } from '../requests/lifecycle.ts';
import { Id, Timestamp } from './common.ts';

/**
 * Statistics without content (docs/STATS.md). Every figure is a cell: a count 1..k−1 (k = STATS_MIN_COUNT) is served
 * as `{ value: null, suppressed: true }`; zero stays 0. Durations and shares computed from a suppressed number of
 * answers are suppressed with it.
 */
export const Figure = Type.Object({
  value: Type.Union([Type.Number(), Type.Null()]),
  suppressed: Type.Boolean(),
});
export type Figure = Static<typeof Figure>;

const Completeness = Type.Object({ full: Figure, partial: Figure });

export const RefusalFigures = Type.Object(Object.fromEntries(REFUSAL_GROUND_CODES.map((g) => [g, Figure])) as Record<(typeof REFUSAL_GROUND_CODES)[number], typeof Figure>);

/** The Directive (EU) 2023/977 Art. 18 figures of one side of the requests (those an agency received, or sent). */
export const SideFigures = Type.Object({
  /** Requests received by the server in the period (sent, or received, by the side). */
  total: Figure,
  answered: Completeness,
  answeredByUrgency: Type.Object({ urgent: Completeness, 'non-urgent': Completeness }),
  /** By the other party's country (ISO 3166-1 alpha-2): the requesting country for received requests. */
  answeredByCountry: Type.Record(Type.String(), Completeness),
  refusals: Type.Object({ total: Figure, byGround: RefusalFigures }),
  withdrawn: Figure,
  deadline: Type.Object({
    /** First answer after the deadline (the deadline as extended by clarification suspensions). */
    answeredLate: Figure,
    /** Still running (open or partially answered) with the deadline passed at the time of the report. */
    overdueOpen: Figure,
  }),
  /** Waiting for a judicial authorisation (Art. 5(2)) at the time of the report. */
  judicialPending: Figure,
});
export type SideFigures = Static<typeof SideFigures>;

export const ResponseTimeFigures = Type.Object({
  answered: Figure,
  medianMs: Figure,
  p90Ms: Figure,
  withinDeadline: Figure,
  /** withinDeadline / answered, 0..1. */
  withinDeadlineShare: Figure,
});
export const ResponseTimes = Type.Object({ all: ResponseTimeFigures, urgent: ResponseTimeFigures, 'non-urgent': ResponseTimeFigures });

export const CountryPair = Type.Object({
  /** Requesting country. */
  from: Type.String(),
  /** Requested country. */
  to: Type.String(),
  requests: Figure,
});

export const DirectoryHealth = Type.Object({
  /** Live directory entries not confirmed for 180 days (at the time of the report). */
  staleEntries: Figure,
  /** Desks whose most recent test page was not acknowledged (at the time of the report). */
  desksTestUnacknowledged: Figure,
  /** Pages opened in the period whose escalation ladder ran out. */
  exhaustedPages: Figure,
});

const Period = {
  year: Type.Integer(),
  /** [from, to): the calendar year in UTC. */
  from: Timestamp,
  to: Timestamp,
  generatedAt: Timestamp,
  /** k: counts 1..k−1 are suppressed. */
  minCount: Type.Integer({ minimum: 1 }),
};

export const AgencyStats = Type.Object({
  scope: Type.Literal('agency'),
  agencyId: Id,
  ...Period,
  /** Requests the agency received (as the requested party). */
  asRequested: SideFigures,
  /** Requests the agency sent (as the requesting party). */
  asRequesting: SideFigures,
  /** Requests between countries, of the requests the agency sent or received. */
  countryPairs: Type.Array(CountryPair),
  /** Of the requests the agency received and answered. */
  responseTimes: ResponseTimes,
  directoryHealth: DirectoryHealth,
});
export type AgencyStats = Static<typeof AgencyStats>;

export const NetworkStats = Type.Object({
  scope: Type.Literal('network'),
  ...Period,
  /** Every request once. */
  requests: SideFigures,
  agencies: Type.Array(Type.Object({ agencyId: Id, sent: Figure, received: Figure })),
  countryPairs: Type.Array(CountryPair),
  responseTimes: ResponseTimes,
  directoryHealth: DirectoryHealth,
});
export type NetworkStats = Static<typeof NetworkStats>;

export const StatsQuery = Type.Object({
  /** Calendar year (UTC); default the current year. */
  year: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2999 })),
  /** `csv`, or send `Accept: text/csv`: the figures as a flat CSV (docs/STATS.md "CSV"). */
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
});

export const ReportQuery = Type.Object({ year: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2999 })) });

export const SignedStatsReport = Type.Object({
  /** The NetworkStats as JSON text: exactly the signed bytes (UTF-8). */
  report: Type.String(),
  label: Type.Literal('liaison/stats-report/v1'),
  algorithm: Type.Literal('ed25519'),
  /** Hex Ed25519 signature over encodeFields(label, [utf8(report)]). */
  signature: Type.String(),
  /** Hex: the audit public key (the one that signs GET /audit/head). */
  publicKey: Type.String(),
});
