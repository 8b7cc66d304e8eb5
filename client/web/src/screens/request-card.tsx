import { useEffect } from 'preact/hooks';
import { formatDeadline } from '../../../../shared/requests/lifecycle.ts';
import { useChat } from '../app-context.ts';
import { ACTION_LABEL, STATE_LABEL, TEMPLATE_LABEL, URGENCY_LABEL, clockStatus, refusalLabel, type RequestPayloadKind } from '../lib/requests.ts';
import type { Payload } from '../../../../shared/crypto/payload.ts';
import { href } from '../lib/router.ts';
import { useObservable } from '../state/observable.ts';
import { requestsStateOf } from '../state/requests.ts';

const text = {
  request: (template: string) => `Request · ${template}`,
  urgency: 'Urgency',
  urgencyReasons: 'Reasons for urgency',
  purpose: 'Purpose',
  legalBasis: 'Legal basis',
  dataCategories: 'Categories of personal data',
  requestedInformation: 'Requested information',
  caseRef: 'Case reference',
  directAccess: 'Database access',
  direct: 'direct (3-day rule)',
  indirect: 'not direct (7-day rule)',
  state: 'State',
  deadline: 'Deadline',
  open: 'Open the request',
  answer: (c: 'full' | 'partial') => (c === 'full' ? ACTION_LABEL['answer-full'] : ACTION_LABEL['answer-partial']),
  clarification: (s: 'asked' | 'given') => (s === 'asked' ? 'Clarification asked' : 'Clarification given'),
  refusal: 'Refusal',
  ground: 'Ground',
  judicial: 'Judicial authorisation pending',
  expectedBy: 'Expected by',
  withdrawal: 'Withdrawal',
};

type RequestMessagePayload = Extract<Payload, { kind: RequestPayloadKind }>;

/** A request or one of its steps in the channel: its fields, and (when my agency is a party) the state and deadline. */
export function RequestCard({ payload: p, channelId }: { payload: RequestMessagePayload; channelId: string }) {
  const chat = useChat();
  const state = requestsStateOf(chat.client);
  useObservable(state.list);
  useEffect(() => state.watch(), [state]);
  const view = state.find(channelId, p.requestRef);
  const status = view && (
    <>
      <dt>{text.state}</dt>
      <dd data-testid="request-card-state">{STATE_LABEL[view.state]}</dd>
      <dt>{text.deadline}</dt>
      <dd>
        {formatDeadline(view.deadline, view.timeZone)} · {clockStatus(view, Date.now()).text}
      </dd>
    </>
  );
  const link = view && (
    <p>
      <a href={href({ name: 'requests', requestId: view.id })}>{text.open}</a>
    </p>
  );
  switch (p.kind) {
    case 'request':
      return (
        <div class="structured request-card" data-kind="request" data-testid="request-card">
          <h3>{text.request(TEMPLATE_LABEL[p.template])}</h3>
          <dl>
            <dt>{text.urgency}</dt>
            <dd>{URGENCY_LABEL[p.urgency]}</dd>
            {p.urgencyReasons && (
              <>
                <dt>{text.urgencyReasons}</dt>
                <dd>{p.urgencyReasons}</dd>
              </>
            )}
            <dt>{text.purpose}</dt>
            <dd>{p.purpose}</dd>
            <dt>{text.legalBasis}</dt>
            <dd>{p.legalBasis}</dd>
            <dt>{text.dataCategories}</dt>
            <dd>{p.dataCategories.join(', ')}</dd>
            <dt>{text.requestedInformation}</dt>
            <dd>{p.requestedInformation}</dd>
            {p.caseRef && (
              <>
                <dt>{text.caseRef}</dt>
                <dd>{p.caseRef}</dd>
              </>
            )}
            <dt>{text.directAccess}</dt>
            <dd>{p.dataAccess === 'direct' ? text.direct : text.indirect}</dd>
            {status}
          </dl>
          {link}
        </div>
      );
    case 'request-answer':
    case 'request-clarification':
    case 'request-refusal':
    case 'request-judicial-pending':
    case 'request-withdrawal':
      return (
        <div class="structured request-card" data-kind={p.kind} data-testid="request-step-card">
          <h3>
            {p.kind === 'request-answer'
              ? text.answer(p.completeness)
              : p.kind === 'request-clarification'
                ? text.clarification(p.step)
                : p.kind === 'request-refusal'
                  ? text.refusal
                  : p.kind === 'request-judicial-pending'
                    ? text.judicial
                    : text.withdrawal}
          </h3>
          {p.kind === 'request-refusal' && (
            <p>
              <strong>{text.ground}:</strong> ({p.ground}) {refusalLabel(p.ground)}
            </p>
          )}
          {p.kind === 'request-judicial-pending' && p.expectedBy !== undefined && (
            <p>
              <strong>{text.expectedBy}:</strong> {formatDeadline(p.expectedBy, view?.timeZone ?? 'UTC')}
            </p>
          )}
          <p class="text">{p.text}</p>
          {view && <dl>{status}</dl>}
          {link}
        </div>
      );
  }
}
