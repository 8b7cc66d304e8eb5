import { Type, type Static } from 'typebox';
import { Id, Timestamp } from './common.ts';
import { DeliveryResult } from './notifications.ts';

export const PageState = Type.Union([Type.Literal('open'), Type.Literal('acknowledged'), Type.Literal('exhausted'), Type.Literal('cancelled')]);
export type PageState = Static<typeof PageState>;

/** One officer paged at one step: when, and each transport's outcome (none yet while sending; `skipped` for quiet hours). */
export const PageDelivery = Type.Object({
  step: Type.Integer({ minimum: 0, maximum: 3 }),
  officerId: Id,
  at: Timestamp,
  results: Type.Array(DeliveryResult),
  skipped: Type.Optional(Type.Literal('quiet_hours')),
});
export type PageDelivery = Static<typeof PageDelivery>;

/**
 * A page: a desk's escalation for one item, without content. Steps: 0 on-duty officers, 1 the next on
 * the rota, 2 the supervisors, 3 exhausted (the requester is shown the desk's phone number).
 */
export const Page = Type.Object({
  id: Id,
  deskId: Id,
  priority: Type.Union([Type.Literal('urgent'), Type.Literal('normal')]),
  ackRequested: Type.Boolean(),
  channelId: Type.Union([Id, Type.Null()]),
  reason: Type.Union([Type.Literal('contact_request'), Type.Literal('test'), Type.Literal('message'), Type.Literal('desk_request'), Type.Literal('deadline')]),
  createdAt: Timestamp,
  step: Type.Integer({ minimum: 0, maximum: 3 }),
  state: PageState,
  nextFireAt: Type.Union([Timestamp, Type.Null()]),
  ackedAt: Type.Union([Timestamp, Type.Null()]),
  ackedBy: Type.Union([Id, Type.Null()]),
  deskPhone: Type.Union([Type.String(), Type.Null()], { description: "The desk's 24/7 number once the page is exhausted (and always for the desk's own people); otherwise null" }),
  paged: Type.Optional(
    Type.Array(PageDelivery, { description: "Who was paged at which step and when, with each transport's outcome (GET /desks/:id/pages only)" }),
  ),
});
export type Page = Static<typeof Page>;

export const PageBody = Type.Object({ page: Page });
export const PageList = Type.Object({ pages: Type.Array(Page) });

export const PagesQuery = Type.Object({ state: Type.Optional(PageState) }, { additionalProperties: false });

export const PagedOfficer = Type.Object({ officerId: Id, results: Type.Array(DeliveryResult), skipped: Type.Optional(Type.Literal('quiet_hours')) });
export type PagedOfficer = Static<typeof PagedOfficer>;

export const TestPageResult = Type.Object({ page: Page, paged: Type.Array(PagedOfficer), fromBackupDesk: Type.Boolean() });
export type TestPageResult = Static<typeof TestPageResult>;

/**
 * A desk's reachability over a period (docs/DESKS.md "Reachability reports"): numbers and ids only.
 * Pages count by when they opened in the period and their state when the report was made; test pages
 * are listed apart and not counted.
 */
export const ReachabilityNumbers = Type.Object({
  pagesOpened: Type.Integer({ minimum: 0 }),
  acknowledged: Type.Integer({ minimum: 0 }),
  exhausted: Type.Integer({ minimum: 0 }),
  cancelled: Type.Integer({ minimum: 0 }),
  stillOpen: Type.Integer({ minimum: 0 }),
  medianAckMs: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description: 'Median time from opening to acknowledgement of the acknowledged pages (nearest rank); null when none' }),
  p90AckMs: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description: '90th percentile of the same (nearest rank); null when none' }),
  testPages: Type.Array(Type.Object({ pageId: Id, createdAt: Timestamp, acknowledged: Type.Boolean(), ackMs: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]) })),
  officersWithoutTransport: Type.Array(Id, { description: 'Active members and supervisors with neither a push subscription (push on) nor an e-mail address (e-mail on, SMTP configured)' }),
  uncoveredHours: Type.Number({ minimum: 0, description: "Hours of the period in which the desk's own rota has nobody on duty (two decimals)" }),
});
export type ReachabilityNumbers = Static<typeof ReachabilityNumbers>;

export const ReachabilityReport = Type.Object({
  id: Id,
  deskId: Id,
  periodStart: Timestamp,
  periodEnd: Timestamp,
  scheduled: Type.Boolean({ description: 'True for the periodic report, false for one run on demand' }),
  createdAt: Timestamp,
  numbers: ReachabilityNumbers,
});
export type ReachabilityReport = Static<typeof ReachabilityReport>;

export const ReachabilityList = Type.Object({ reports: Type.Array(ReachabilityReport) });
export const ReachabilityBody = Type.Object({ report: ReachabilityReport });

export const ReachabilityQuery = Type.Object(
  {
    from: Type.Optional(Type.Integer({ minimum: 0, description: 'Reports whose period ends after this instant (epoch ms)' })),
    to: Type.Optional(Type.Integer({ minimum: 0, description: 'Reports whose period ends at or before this instant (epoch ms)' })),
  },
  { additionalProperties: false },
);
