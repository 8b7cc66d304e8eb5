/**
 * Requests and their lifecycle in the web app (docs/REQUESTS.md, PROTOCOL.md §9.2): labels, which steps a side may
 * take in which state (read from the shared state machine, never restated), and the deadline in words.
 */
import {
  DIRECT_ACCESS_DEADLINE_DAYS,
  OTHER_DEADLINE_DAYS,
  REFUSAL_GROUNDS,
  REQUEST_STATES,
  TERMINAL_STATES,
  URGENT_DEADLINE_HOURS,
  nextRequestState,
  type RefusalGround,
  type RequestChange,
  type RequestSide,
  type RequestState,
  type RequestTemplate,
  type RequestUrgency,
} from '../../../../shared/requests/lifecycle.ts';
import type { Payload } from '../../../../shared/crypto/payload.ts';
import type { RequestView } from '../../../../shared/schemas/requests.ts';

export const REQUEST_PAYLOAD_KINDS = ['request', 'request-answer', 'request-clarification', 'request-refusal', 'request-judicial-pending', 'request-withdrawal'] as const;
export type RequestPayloadKind = (typeof REQUEST_PAYLOAD_KINDS)[number];

export function isRequestPayload(p: Payload): p is Extract<Payload, { kind: RequestPayloadKind }> {
  return (REQUEST_PAYLOAD_KINDS as readonly string[]).includes(p.kind);
}

/** The lifecycle steps the web app offers. */
export const REQUEST_ACTIONS = ['answer-full', 'answer-partial', 'clarify-ask', 'refuse', 'judicial-pending', 'clarify-give', 'withdraw'] as const;
export type RequestAction = (typeof REQUEST_ACTIONS)[number];

const CHANGE: Record<RequestAction, RequestChange> = {
  'answer-full': { kind: 'answer', state: 'full' },
  'answer-partial': { kind: 'answer', state: 'partial' },
  'clarify-ask': { kind: 'clarification', state: 'asked' },
  refuse: { kind: 'refusal' },
  'judicial-pending': { kind: 'judicial-pending' },
  'clarify-give': { kind: 'clarification', state: 'given' },
  withdraw: { kind: 'withdrawal' },
};

/** The steps `side` may take on a request in `state`: those the shared state machine accepts. */
export function allowedActions(state: RequestState, side: RequestSide | null): RequestAction[] {
  if (!side) return [];
  return REQUEST_ACTIONS.filter((a) => {
    const next = nextRequestState(state, CHANGE[a], side);
    return (REQUEST_STATES as readonly string[]).includes(next);
  });
}

/** My side of a request, from my agency; null for a third agency (it may read, not act). */
export function sideOf(r: Pick<RequestView, 'requesterAgencyId' | 'requestedAgencyId'>, myAgencyId: string): RequestSide | null {
  if (r.requesterAgencyId === myAgencyId) return 'requester';
  if (r.requestedAgencyId === myAgencyId) return 'requested';
  return null;
}

const pl = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** "2 days 3 h", "5 h 12 min", "4 min", "less than a minute". */
export function durationText(ms: number): string {
  const m = Math.floor(Math.abs(ms) / 60_000);
  if (m < 1) return requestText.lessThanMinute;
  const d = Math.floor(m / 1440);
  const h = Math.floor((m % 1440) / 60);
  const min = m % 60;
  if (d > 0) return h > 0 ? `${pl(d, 'day', 'days')} ${h} h` : pl(d, 'day', 'days');
  if (h > 0) return min > 0 ? `${h} h ${min} min` : `${h} h`;
  return `${min} min`;
}

/** The rule that will apply to a new request, in words (Art. 5(1)): counted from the server's receipt. */
export function deadlineRuleText(urgency: RequestUrgency, directAccess: boolean): string {
  if (urgency === 'urgent') return requestText.ruleUrgent(URGENT_DEADLINE_HOURS);
  return directAccess ? requestText.ruleDirect(DIRECT_ACCESS_DEADLINE_DAYS) : requestText.ruleOther(OTHER_DEADLINE_DAYS);
}

export type ClockStatus = { kind: 'closed' | 'paused-clarification' | 'paused-judicial' | 'running' | 'overdue'; text: string };

/**
 * Where the request's clock stands at `now`: closed, paused (a clarification asked suspends it, Art. 6(3); judicial
 * authorisation pending may exceed it, Art. 5(2)), running with the time left, or overdue by how much (or just overdue
 * when the server says so before this browser's clock reaches the deadline).
 */
export function clockStatus(r: Pick<RequestView, 'state' | 'deadline' | 'clarificationSince'> & { overdue?: boolean }, now: number): ClockStatus {
  if (TERMINAL_STATES.includes(r.state)) return { kind: 'closed', text: requestText.clockClosed };
  if (r.state === 'clarification-asked') return { kind: 'paused-clarification', text: requestText.clockPausedClarification(durationText(r.deadline - (r.clarificationSince ?? now))) };
  if (r.state === 'judicial-pending') return { kind: 'paused-judicial', text: requestText.clockPausedJudicial };
  const left = r.deadline - now;
  if (left < 0) return { kind: 'overdue', text: requestText.overdueBy(durationText(left)) };
  // The server's flag decides when this browser's clock lags behind the server's.
  if (r.overdue) return { kind: 'overdue', text: requestText.overdue };
  return { kind: 'running', text: requestText.left(durationText(left)) };
}

export const TEMPLATE_LABEL: Record<RequestTemplate, string> = {
  'budapest-29-preservation': 'Budapest Convention Art. 29 — expedited preservation of stored data',
  'budapest-31-stored-data': 'Budapest Convention Art. 31 — access to stored data',
  'eu-2023-977': 'Directive (EU) 2023/977 — information request',
  liaison: 'Free liaison request',
};

export const URGENCY_LABEL: Record<RequestUrgency, string> = { urgent: 'Urgent', 'non-urgent': 'Non-urgent' };

export const STATE_LABEL: Record<RequestState, string> = {
  open: 'Open',
  'clarification-asked': 'Clarification asked',
  'judicial-pending': 'Judicial authorisation pending',
  'answered-partial': 'Partially answered',
  'answered-full': 'Answered',
  refused: 'Refused',
  withdrawn: 'Withdrawn',
};

export const ACTION_LABEL: Record<RequestAction, string> = {
  'answer-full': 'Answer (full)',
  'answer-partial': 'Answer (partial)',
  'clarify-ask': 'Ask for clarification',
  refuse: 'Refuse',
  'judicial-pending': 'Declare judicial authorisation pending',
  'clarify-give': 'Give clarification',
  withdraw: 'Withdraw',
};

export function refusalLabel(g: RefusalGround): string {
  return REFUSAL_GROUNDS[g];
}

export const requestText = {
  lessThanMinute: 'less than a minute',
  ruleUrgent: (h: number) => `Urgent: the answer is due ${h} hours after the server receives the request.`,
  ruleDirect: (d: number) => `Non-urgent, direct database access: due ${d} calendar days after the server receives the request, counted in the requested side’s time zone.`,
  ruleOther: (d: number) => `Non-urgent: due ${d} calendar days after the server receives the request, counted in the requested side’s time zone.`,
  clockClosed: 'Closed',
  clockPausedClarification: (left: string) => `Paused while a clarification is asked (${left} left when it resumes)`,
  clockPausedJudicial: 'Judicial authorisation pending: the deadline may be exceeded as strictly necessary',
  overdueBy: (d: string) => `Overdue by ${d}`,
  overdue: 'Overdue',
  left: (d: string) => `${d} left`,
};
