import { describe, expect, it } from 'vitest';
import { allowedActions, clockStatus, deadlineRuleText, durationText, isRequestPayload, sideOf } from '../../client/web/src/lib/requests.ts';
import { buildRequestPayload } from '../../client/web/src/screens/request-composer.tsx';

const H = 3600_000;
const MIN = 60_000;
const AT = Date.UTC(2027, 2, 27, 22, 0);

describe('web requests: which steps a side may take', () => {
  it('follows the shared state machine for each side and state', () => {
    expect(allowedActions('open', 'requested')).toEqual(['answer-full', 'answer-partial', 'clarify-ask', 'refuse', 'judicial-pending']);
    expect(allowedActions('open', 'requester')).toEqual(['withdraw']);
    // A clarification asked: the requested side cannot answer or declare judicial authorisation; the requester gives it.
    expect(allowedActions('clarification-asked', 'requested')).toEqual(['refuse']);
    expect(allowedActions('clarification-asked', 'requester')).toEqual(['clarify-give', 'withdraw']);
    expect(allowedActions('judicial-pending', 'requested')).toEqual(['answer-full', 'answer-partial', 'clarify-ask', 'refuse']);
    expect(allowedActions('answered-partial', 'requested')).toEqual(['answer-full', 'answer-partial', 'clarify-ask', 'refuse', 'judicial-pending']);
    for (const closed of ['answered-full', 'refused', 'withdrawn'] as const) {
      expect(allowedActions(closed, 'requested')).toEqual([]);
      expect(allowedActions(closed, 'requester')).toEqual([]);
    }
    expect(allowedActions('open', null)).toEqual([]);
  });

  it('tells the sides apart by agency; a third agency is no side', () => {
    const r = { requesterAgencyId: 'es', requestedAgencyId: 'pt' };
    expect(sideOf(r, 'es')).toBe('requester');
    expect(sideOf(r, 'pt')).toBe('requested');
    expect(sideOf(r, 'fr')).toBeNull();
  });
});

describe('web requests: the deadline in words', () => {
  it('states the rule of Art. 5(1) before sending', () => {
    expect(deadlineRuleText('urgent', true)).toMatch(/^Urgent, directly accessible information: .*8 hours after the server receives/);
    expect(deadlineRuleText('urgent', false)).toMatch(/^Urgent, information not directly accessible: .*3 calendar days/);
    expect(deadlineRuleText('non-urgent', true)).toMatch(/^Non-urgent: .*7 calendar days/);
    expect(deadlineRuleText('non-urgent', false)).toMatch(/^Non-urgent: .*7 calendar days/);
  });

  it('writes durations', () => {
    expect(durationText(30_000)).toBe('less than a minute');
    expect(durationText(4 * MIN)).toBe('4 min');
    expect(durationText(5 * H + 12 * MIN)).toBe('5 h 12 min');
    expect(durationText(2 * H)).toBe('2 h');
    expect(durationText(-(26 * H))).toBe('1 day 2 h');
    expect(durationText(72 * H)).toBe('3 days');
  });

  it('says left, overdue by, paused or closed', () => {
    const base = { deadline: AT + 8 * H, clarificationSince: null };
    expect(clockStatus({ ...base, state: 'open' }, AT + 2 * H)).toEqual({ kind: 'running', text: '6 h left' });
    expect(clockStatus({ ...base, state: 'answered-partial' }, AT + 9 * H + 30 * MIN)).toEqual({ kind: 'overdue', text: 'Overdue by 1 h 30 min' });
    expect(clockStatus({ ...base, state: 'clarification-asked', clarificationSince: AT + 3 * H }, AT + 20 * H)).toEqual({
      kind: 'paused-clarification',
      text: 'Paused while a clarification is asked (5 h left when it resumes)',
    });
    expect(clockStatus({ ...base, state: 'judicial-pending' }, AT + 20 * H).kind).toBe('paused-judicial');
    // The server's overdue flag wins when this browser's clock lags behind.
    expect(clockStatus({ ...base, state: 'open', overdue: true }, AT + 2 * H)).toEqual({ kind: 'overdue', text: 'Overdue' });
    expect(clockStatus({ ...base, state: 'refused' }, AT + 20 * H)).toEqual({ kind: 'closed', text: 'Closed' });
  });
});

describe('web requests: the form', () => {
  const fields = { purpose: ' Identify ', legalBasis: 'Art. 4', dataCategories: 'subscriber data\n\n traffic data ', requestedInformation: 'Holder', caseRef: '', urgencyReasons: 'Threat to life' };

  it('builds the payload: categories per line, urgency reasons only when urgent, empty case reference omitted', () => {
    expect(buildRequestPayload('r1', 'eu-2023-977', 'urgent', true, fields)).toEqual({
      kind: 'request',
      requestRef: 'r1',
      template: 'eu-2023-977',
      urgency: 'urgent',
      urgencyReasons: 'Threat to life',
      dataAccess: 'direct',
      purpose: 'Identify',
      legalBasis: 'Art. 4',
      dataCategories: ['subscriber data', 'traffic data'],
      requestedInformation: 'Holder',
    });
    const p = buildRequestPayload('r2', 'liaison', 'non-urgent', false, { ...fields, caseRef: ' ES-1 ' });
    expect(p).toMatchObject({ dataAccess: 'indirect', caseRef: 'ES-1' });
    expect(p).not.toHaveProperty('urgencyReasons');
  });

  it('recognises request messages', () => {
    expect(isRequestPayload({ kind: 'request-answer', requestRef: 'r', completeness: 'full', text: 'x' })).toBe(true);
    expect(isRequestPayload({ kind: 'text', text: 'x' })).toBe(false);
  });
});
