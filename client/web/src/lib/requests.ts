/**
 * Requests and their lifecycle in the web app (docs/REQUESTS.md, PROTOCOL.md §9.2): labels, which steps a side may
 * take in which state (read from the shared state machine, never restated), and the deadline in words.
 */
import {
  URGENT_INDIRECT_DEADLINE_DAYS,
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
import { fixedT, translatedLabels } from '../i18n/i18n.ts';

const t = (key: string, values?: Record<string, unknown>) => fixedT('request-lifecycle')(key, values);

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

/** "2 days 3 h", "5 h 12 min", "4 min", "less than a minute". */
export function durationText(ms: number): string {
  const m = Math.floor(Math.abs(ms) / 60_000);
  if (m < 1) return requestText.lessThanMinute;
  const d = Math.floor(m / 1440);
  const h = Math.floor((m % 1440) / 60);
  const min = m % 60;
  const days = t('days', { count: d });
  const hours = t('hours', { count: h });
  const minutes = t('minutes', { count: min });
  if (d > 0) return h > 0 ? t('join', { a: days, b: hours }) : days;
  if (h > 0) return min > 0 ? t('join', { a: hours, b: minutes }) : hours;
  return minutes;
}

/** The rule that will apply to a new request, in words (Art. 5(1)): counted from the server's receipt. */
export function deadlineRuleText(urgency: RequestUrgency, directAccess: boolean): string {
  // Directive (EU) 2023/977 Art. 5(1): (a) urgent, directly accessible; (b) urgent, indirectly accessible; (c) the rest.
  if (urgency === 'urgent') return directAccess ? requestText.ruleUrgent(URGENT_DEADLINE_HOURS) : requestText.ruleDirect(URGENT_INDIRECT_DEADLINE_DAYS);
  return requestText.ruleOther(OTHER_DEADLINE_DAYS);
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

const translated = <K extends string>(keys: Record<K, string>): Readonly<Record<K, string>> => translatedLabels('request-lifecycle', keys);

/** Template names in the reader's language (the shared code lists them in English). */
export const TEMPLATE_LABEL: Readonly<Record<RequestTemplate, string>> = translated({
  'budapest-29-preservation': 'templateBudapest29',
  'budapest-31-stored-data': 'templateBudapest31',
  'eu-2023-977': 'templateEu2023977',
  liaison: 'templateLiaison',
});

export const URGENCY_LABEL: Readonly<Record<RequestUrgency, string>> = translated({ urgent: 'urgencyUrgent', 'non-urgent': 'urgencyNonUrgent' });

export const STATE_LABEL: Readonly<Record<RequestState, string>> = translated({
  open: 'stateOpen',
  'clarification-asked': 'stateClarificationAsked',
  'judicial-pending': 'stateJudicialPending',
  'answered-partial': 'stateAnsweredPartial',
  'answered-full': 'stateAnsweredFull',
  refused: 'stateRefused',
  withdrawn: 'stateWithdrawn',
});

export const ACTION_LABEL: Readonly<Record<RequestAction, string>> = translated({
  'answer-full': 'actionAnswerFull',
  'answer-partial': 'actionAnswerPartial',
  'clarify-ask': 'actionClarifyAsk',
  refuse: 'actionRefuse',
  'judicial-pending': 'actionJudicialPending',
  'clarify-give': 'actionClarifyGive',
  withdraw: 'actionWithdraw',
});

/**
 * A refusal ground (Art. 6(1)(a)–(h)) in the reader's language: `ground.a` … `ground.h` of the namespace. The English
 * text is the shared paraphrase (REFUSAL_GROUNDS); the key falls back to it if a ground is ever added without a key.
 */
export function refusalLabel(g: RefusalGround): string {
  return t(`ground${g.toUpperCase()}`, { defaultValue: REFUSAL_GROUNDS[g] });
}

export const requestText = Object.assign(
  translated({
    lessThanMinute: 'lessThanMinute',
    clockClosed: 'clockClosed',
    clockPausedJudicial: 'clockPausedJudicial',
    overdue: 'overdue',
  }),
  {
    ruleUrgent: (h: number) => t('ruleUrgent', { count: h }),
    ruleDirect: (d: number) => t('ruleDirect', { count: d }),
    ruleOther: (d: number) => t('ruleOther', { count: d }),
    clockPausedClarification: (left: string) => t('clockPausedClarification', { left }),
    overdueBy: (d: string) => t('overdueBy', { duration: d }),
    left: (d: string) => t('left', { duration: d }),
  },
);
