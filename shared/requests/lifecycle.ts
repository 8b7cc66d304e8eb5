/**
 * Requests and their lifecycle (docs/REQUESTS.md, PROTOCOL.md §9.2): the vocabularies, the state machine and
 * the legal deadlines of Directive (EU) 2023/977, shared by the server (which enforces them on the declared
 * metadata) and the SDK (which checks the declared metadata against the signed payload).
 */
import { DateTime, IANAZone } from 'luxon';

export const REQUEST_TEMPLATES = ['budapest-29-preservation', 'budapest-31-stored-data', 'eu-2023-977', 'liaison'] as const;
export type RequestTemplate = (typeof REQUEST_TEMPLATES)[number];

export const REQUEST_URGENCIES = ['non-urgent', 'urgent'] as const;
export type RequestUrgency = (typeof REQUEST_URGENCIES)[number];

/** Art. 5(1)(b): the requested information is in a database the requested SPOC can access directly (3 days) or not (7 days). */
export const DATA_ACCESS = ['direct', 'indirect'] as const;
export type DataAccess = (typeof DATA_ACCESS)[number];

/** The kind of a request message, as declared beside its envelope (`request.kind` on the send body). */
export const REQUEST_MESSAGE_KINDS = ['request', 'answer', 'clarification', 'refusal', 'judicial-pending', 'withdrawal'] as const;
export type RequestMessageKind = (typeof REQUEST_MESSAGE_KINDS)[number];

export const ANSWER_COMPLETENESS = ['full', 'partial'] as const;
export const CLARIFICATION_STEPS = ['asked', 'given'] as const;

/**
 * Refusal grounds, Directive (EU) 2023/977 Art. 6(1)(a)–(h). The labels PARAPHRASE the article in plain language
 * (they are not the Official Journal's wording); docs/REQUESTS.md lists them with the same text. One place: the
 * server, the SDK and the web app read them from here.
 */
export const REFUSAL_GROUNDS = {
  a: 'The requested information is not available to the requested Single Point of Contact or the competent law enforcement authorities of its state (Art. 6(1)(a))',
  b: 'The request does not meet the requirements of Article 4 (Art. 6(1)(b))',
  c: 'The judicial authorisation required under national law (Art. 9) was refused (Art. 6(1)(c))',
  d: 'The requested information is personal data outside the categories of Article 10(b) (Art. 6(1)(d))',
  e: 'The requested information was found inaccurate, incomplete or no longer up to date and cannot be provided (Art. 6(1)(e))',
  f: 'Providing it would harm essential national security interests, jeopardise an ongoing criminal investigation or the safety of an individual, or unduly harm the protected important interests of a legal person (Art. 6(1)(f))',
  g: 'The request concerns an offence punishable by imprisonment of one year or less, or a matter that is not a criminal offence under the requested state’s law (Art. 6(1)(g))',
  h: 'The information was first obtained from another Member State or a third country that did not consent to its provision (Art. 6(1)(h))',
} as const;
export type RefusalGround = keyof typeof REFUSAL_GROUNDS;
export const REFUSAL_GROUND_CODES = Object.keys(REFUSAL_GROUNDS) as RefusalGround[];

/**
 * The state of a request. `open` and `answered-partial` run the clock; `clarification-asked` suspends it (Art. 6(3));
 * `judicial-pending` may exceed it (Art. 5(2)); the last three are terminal.
 */
export const REQUEST_STATES = ['open', 'clarification-asked', 'judicial-pending', 'answered-partial', 'answered-full', 'refused', 'withdrawn'] as const;
export type RequestState = (typeof REQUEST_STATES)[number];
export const TERMINAL_STATES: readonly RequestState[] = ['answered-full', 'refused', 'withdrawn'];
/** States whose deadline counts as running for the overdue board. */
export const RUNNING_STATES: readonly RequestState[] = ['open', 'answered-partial'];

/** Which party sends a state change: the requesting agency's officers or the requested agency's. */
export type RequestSide = 'requester' | 'requested';

/** A state change as declared: the kind and, for an answer or a clarification, its sub-state. */
export interface RequestChange {
  kind: Exclude<RequestMessageKind, 'request'>;
  state?: string;
}

export type TransitionRefusal = 'request_terminal' | 'request_wrong_side' | 'invalid_request_transition';

/**
 * The state machine (PROTOCOL.md §9.2): the next state, or why the change is refused. `resumeState` is the
 * state a given clarification returns to (the state before it was asked).
 */
export function nextRequestState(current: RequestState, change: RequestChange, side: RequestSide, resumeState: RequestState = 'open'): RequestState | TransitionRefusal {
  if (TERMINAL_STATES.includes(current)) return 'request_terminal';
  const requestedOnly = change.kind === 'answer' || change.kind === 'refusal' || change.kind === 'judicial-pending' || (change.kind === 'clarification' && change.state === 'asked');
  if (requestedOnly ? side !== 'requested' : side !== 'requester') return 'request_wrong_side';
  switch (change.kind) {
    case 'answer':
      if (current === 'clarification-asked') return 'invalid_request_transition';
      return change.state === 'full' ? 'answered-full' : 'answered-partial';
    case 'refusal':
      return 'refused';
    case 'judicial-pending':
      return current === 'open' || current === 'answered-partial' ? 'judicial-pending' : 'invalid_request_transition';
    case 'clarification':
      if (change.state === 'asked') return current === 'clarification-asked' ? 'invalid_request_transition' : 'clarification-asked';
      return current === 'clarification-asked' ? resumeState : 'invalid_request_transition';
    case 'withdrawal':
      return 'withdrawn';
  }
}

/** Art. 5(1)(a): urgent requests for directly accessible information. */
export const URGENT_DEADLINE_HOURS = 8;
/** Art. 5(1)(b): urgent requests for indirectly accessible information. */
export const URGENT_INDIRECT_DEADLINE_DAYS = 3;
/** Art. 5(1)(c): all other requests. */
export const OTHER_DEADLINE_DAYS = 7;
/** @deprecated the 3-day limit is for urgent requests for indirectly accessible information (Art. 5(1)(b)). */
export const DIRECT_ACCESS_DEADLINE_DAYS = URGENT_INDIRECT_DEADLINE_DAYS;

/** True for an IANA zone luxon knows. */
export function isTimeZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

/**
 * Directive (EU) 2023/977 Art. 5(1): the deadline counted from the server-stamped receipt.
 * (a) Urgent, directly accessible information: 8 hours of elapsed time. (b) Urgent, indirectly accessible
 * information: 3 calendar days. (c) Every other request: 7 calendar days. Calendar days are counted in the requested
 * side's time zone, so the deadline falls at the same wall-clock time on the last day whatever DST did in between.
 */
export function computeDeadline(receivedAt: number, urgency: RequestUrgency, access: DataAccess, zone: string): number {
  if (urgency === 'urgent' && access === 'direct') return receivedAt + URGENT_DEADLINE_HOURS * 3600_000;
  const days = urgency === 'urgent' ? URGENT_INDIRECT_DEADLINE_DAYS : OTHER_DEADLINE_DAYS;
  const start = DateTime.fromMillis(receivedAt, { zone });
  if (!start.isValid) throw new RangeError(`computeDeadline: unknown time zone ${zone}`);
  return start.plus({ days }).toMillis();
}

/**
 * "2027-04-03 10:00 Europe/Lisbon (UTC+01:00)": the deadline as wall-clock time in a zone, with the zone and its
 * offset at that instant written out (no localised abbreviation: the same text in every runtime).
 */
export function formatDeadline(deadline: number, zone: string): string {
  const t = DateTime.fromMillis(deadline, { zone });
  if (!t.isValid) throw new RangeError(`formatDeadline: unknown time zone ${zone}`);
  return `${t.toFormat('yyyy-MM-dd HH:mm')} ${zone} (UTC${t.toFormat('ZZ')})`;
}

/**
 * The desk-request id of a request's Art. 4(1) copy to the requesting agency's SPOC desk (PROTOCOL.md §9.2
 * "SPOC copy"): binds the sealed copy to its channel and requestRef.
 */
export function spocCopyRequestId(channelId: string, requestRef: string): string {
  return `spoc-copy:${channelId}:${requestRef}`;
}
