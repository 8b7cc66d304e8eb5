import { useEffect } from 'preact/hooks';
import { formatDeadline } from '../../../../shared/requests/lifecycle.ts';
import { useChat } from '../app-context.ts';
import { ACTION_LABEL, STATE_LABEL, TEMPLATE_LABEL, URGENCY_LABEL, clockStatus, refusalLabel, type RequestPayloadKind } from '../lib/requests.ts';
import type { Payload } from '../../../../shared/crypto/payload.ts';
import { href } from '../lib/router.ts';
import { useT } from '../i18n/i18n.ts';
import { useObservable } from '../state/observable.ts';
import { requestsStateOf } from '../state/requests.ts';

type RequestMessagePayload = Extract<Payload, { kind: RequestPayloadKind }>;

/** A request or one of its steps in the channel: its fields, and (when my agency is a party) the state and deadline. */
export function RequestCard({ payload: p, channelId }: { payload: RequestMessagePayload; channelId: string }) {
  const chat = useChat();
  const t = useT('request-card');
  const state = requestsStateOf(chat.client);
  useObservable(state.list);
  useEffect(() => state.watch(), [state]);
  const view = state.find(channelId, p.requestRef);
  const status = view && (
    <>
      <dt>{t('state')}</dt>
      <dd data-testid="request-card-state">{STATE_LABEL[view.state]}</dd>
      <dt>{t('deadline')}</dt>
      <dd>
        {formatDeadline(view.deadline, view.timeZone)} · {clockStatus(view, Date.now()).text}
      </dd>
    </>
  );
  const link = view && (
    <p>
      <a href={href({ name: 'requests', requestId: view.id })}>{t('open')}</a>
    </p>
  );
  switch (p.kind) {
    case 'request':
      return (
        <div class="structured request-card" data-kind="request" data-testid="request-card">
          <h3>{t('request', { template: TEMPLATE_LABEL[p.template] })}</h3>
          <dl>
            <dt>{t('urgency')}</dt>
            <dd>{URGENCY_LABEL[p.urgency]}</dd>
            {p.urgencyReasons && (
              <>
                <dt>{t('urgencyReasons')}</dt>
                <dd>{p.urgencyReasons}</dd>
              </>
            )}
            <dt>{t('purpose')}</dt>
            <dd>{p.purpose}</dd>
            <dt>{t('legalBasis')}</dt>
            <dd>{p.legalBasis}</dd>
            <dt>{t('dataCategories')}</dt>
            <dd>{p.dataCategories.join(', ')}</dd>
            <dt>{t('requestedInformation')}</dt>
            <dd>{p.requestedInformation}</dd>
            {p.caseRef && (
              <>
                <dt>{t('caseRef')}</dt>
                <dd>{p.caseRef}</dd>
              </>
            )}
            <dt>{t('directAccess')}</dt>
            <dd>{p.dataAccess === 'direct' ? t('direct') : t('indirect')}</dd>
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
              ? ACTION_LABEL[p.completeness === 'full' ? 'answer-full' : 'answer-partial']
              : p.kind === 'request-clarification'
                ? t(p.step === 'asked' ? 'clarificationAsked' : 'clarificationGiven')
                : p.kind === 'request-refusal'
                  ? t('refusal')
                  : p.kind === 'request-judicial-pending'
                    ? t('judicial')
                    : t('withdrawal')}
          </h3>
          {p.kind === 'request-refusal' && (
            <p>
              <strong>{t('ground')}:</strong> ({p.ground}) {refusalLabel(p.ground)}
            </p>
          )}
          {p.kind === 'request-judicial-pending' && p.expectedBy !== undefined && (
            <p>
              <strong>{t('expectedBy')}:</strong> {formatDeadline(p.expectedBy, view?.timeZone ?? 'UTC')}
            </p>
          )}
          <p class="text">{p.text}</p>
          {view && <dl>{status}</dl>}
          {link}
        </div>
      );
  }
}
