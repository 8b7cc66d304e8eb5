import { useEffect, useState } from 'preact/hooks';
import type { DeadlineViews } from '../../../sdk/index.ts';
import { formatDeadline, REFUSAL_GROUND_CODES, REQUEST_STATES, type RefusalGround, type RequestState } from '../../../../shared/requests/lifecycle.ts';
import type { RequestDetail, RequestView } from '../../../../shared/schemas/requests.ts';
import { useChat } from '../app-context.ts';
import { ErrorBox, submitHandler, useAction } from '../components/form.tsx';
import { formatDateTime } from '../lib/format.ts';
import { ACTION_LABEL, STATE_LABEL, TEMPLATE_LABEL, URGENCY_LABEL, allowedActions, clockStatus, refusalLabel, sideOf, type RequestAction } from '../lib/requests.ts';
import { href } from '../lib/router.ts';
import { useT, type TFunction } from '../i18n/i18n.ts';
import { useObservable } from '../state/observable.ts';
import { requestsStateOf } from '../state/requests.ts';

const EVENT_KEY: Record<string, string> = {
  request: 'eventRequest',
  'answer:full': 'eventAnswerFull',
  'answer:partial': 'eventAnswerPartial',
  'clarification:asked': 'eventClarificationAsked',
  'clarification:given': 'eventClarificationGiven',
  'judicial-pending': 'eventJudicialPending',
  withdrawal: 'eventWithdrawal',
};

/** A timeline event in words: its kind and sub-state, a refusal with its ground; an unknown kind as it is. */
function eventText(t: TFunction, kind: string, detail: string | null): string {
  if (kind === 'refusal' && detail && (REFUSAL_GROUND_CODES as string[]).includes(detail)) return t('eventRefusal', { ground: detail });
  const key = EVENT_KEY[`${kind}${detail ? `:${detail}` : ''}`];
  return key ? t(key) : kind;
}

/** My agency's request zone (for deadlines in my zone), read once per session. */
function useMyZone(): string | null {
  const chat = useChat();
  const [zone, setZone] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void chat.client.requests.timeZoneOf(chat.me.agency.id).then((z) => live && setZone(z), () => live && setZone('UTC'));
    return () => {
      live = false;
    };
  }, [chat]);
  return zone;
}

export function RequestsScreen({ requestId }: { requestId: string | null }) {
  if (requestId) return <RequestDetailView requestId={requestId} />;
  return <RequestsList />;
}

function RequestsList() {
  const t = useT('requests');
  const chat = useChat();
  const state = requestsStateOf(chat.client);
  const list = useObservable(state.list);
  const zone = useMyZone();
  const [role, setRole] = useState<'all' | 'sent' | 'received'>('all');
  const [st, setSt] = useState<RequestState | ''>('');
  const [overdueOnly, setOverdueOnly] = useState(false);
  useEffect(() => state.watch(), [state]);
  const [refresh, busy, error] = useAction(() => state.refresh());
  const mine = chat.me.agency.id;
  const shown = (list ?? []).filter(
    (r) => (role === 'all' || (role === 'sent' ? r.requesterAgencyId === mine : r.requestedAgencyId === mine)) && (!st || r.state === st) && (!overdueOnly || r.overdue),
  );
  const admin = chat.me.officer.role !== 'officer';
  return (
    <>
      <section class="card" aria-labelledby="requests-title">
        <h2 id="requests-title">{t('title')}</h2>
        <div class="filters">
          <label class="field">
            <span class="field-label">{t('role')}</span>
            <select name="role" value={role} onChange={(e) => setRole(e.currentTarget.value as typeof role)}>
              <option value="all">{t('roleAll')}</option>
              <option value="sent">{t('roleSent')}</option>
              <option value="received">{t('roleReceived')}</option>
            </select>
          </label>
          <label class="field">
            <span class="field-label">{t('state')}</span>
            <select name="state" value={st} onChange={(e) => setSt(e.currentTarget.value as RequestState | '')}>
              <option value="">{t('stateAny')}</option>
              {REQUEST_STATES.map((s) => (
                <option key={s} value={s}>
                  {STATE_LABEL[s]}
                </option>
              ))}
            </select>
          </label>
          <label class="check">
            <input type="checkbox" name="overdue" checked={overdueOnly} onChange={(e) => setOverdueOnly(e.currentTarget.checked)} />
            {t('overdueOnly')}
          </label>
          <button type="button" disabled={busy} onClick={() => void refresh()}>
            {t('refresh')}
          </button>
        </div>
        <ErrorBox error={error} />
        {list === null ? <p>{t('loading')}</p> : <RequestTable rows={shown} zone={zone} testId="requests-list" />}
      </section>
      {admin && <OverdueBoard title={t('agencyBoard')} testId="agency-overdue" load={() => chat.client.requests.agencyOverdue(chat.me.agency.id)} />}
    </>
  );
}

function RequestTable({ rows, zone, testId }: { rows: RequestView[]; zone: string | null; testId: string }) {
  const t = useT('requests');
  const chat = useChat();
  const agencies = useObservable(chat.agencies);
  const now = Date.now();
  if (rows.length === 0) return <p class="empty" data-testid={testId}>{t('none')}</p>;
  const name = (id: string) => agencies[id]?.name ?? id.slice(0, 8);
  return (
    <table class="table" data-testid={testId}>
      <thead>
        <tr>
          <th scope="col">{t('template')}</th>
          <th scope="col">{t('parties')}</th>
          <th scope="col">{t('urgency')}</th>
          <th scope="col">{t('state')}</th>
          <th scope="col">{t('deadline')}</th>
          <th scope="col">{t('status')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => {
          const clock = clockStatus(r, now);
          return (
            <tr key={r.id} data-testid="request-row" data-request-id={r.id} data-state={r.state} data-overdue={r.overdue ? 'true' : 'false'} class={r.overdue ? 'overdue' : undefined}>
              <td>
                <a href={href({ name: 'requests', requestId: r.id })}>{TEMPLATE_LABEL[r.template]}</a>
              </td>
              <td>
                {name(r.requesterAgencyId)} → {name(r.requestedAgencyId)}
              </td>
              <td>{URGENCY_LABEL[r.urgency]}</td>
              <td>{STATE_LABEL[r.state]}</td>
              <td>{formatDeadline(r.deadline, zone ?? r.timeZone)}</td>
              <td>
                {clock.text}
                {r.overdue && <span class="tag warn"> {t('overdueTag')}</span>}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/**
 * An overdue board (a desk's or the agency's): re-read whenever the shared request list refreshes, i.e. on every
 * request step the SDK delivers and every REQUESTS_POLL_MS (a deadline passing has no realtime event).
 */
export function OverdueBoard({ title, testId, load }: { title: string; testId: string; load: () => Promise<RequestView[]> }) {
  const t = useT('requests');
  const chat = useChat();
  const state = requestsStateOf(chat.client);
  const tick = useObservable(state.changed);
  const zone = useMyZone();
  const [rows, setRows] = useState<RequestView[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => state.watch(), [state]);
  useEffect(() => {
    let live = true;
    load().then(
      (r) => {
        if (!live) return;
        setRows(r);
        setError(null);
      },
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [tick]);
  const id = `${testId}-title`;
  return (
    <section class="card" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <p class="hint">{t('boardLive')}</p>
      <ErrorBox error={error} />
      {rows === null ? <p>{t('loading')}</p> : rows.length === 0 ? <p class="empty" data-testid={testId}>{t('boardEmpty')}</p> : <RequestTable rows={rows} zone={zone} testId={testId} />}
    </section>
  );
}

function RequestDetailView({ requestId }: { requestId: string }) {
  const t = useT('requests');
  const chat = useChat();
  const state = requestsStateOf(chat.client);
  const tick = useObservable(state.changed);
  const names = useObservable(chat.names);
  const agencies = useObservable(chat.agencies);
  const [detail, setDetail] = useState<RequestDetail | null>(null);
  const [zones, setZones] = useState<DeadlineViews | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => state.watch(), [state]);
  const reload = async () => {
    try {
      const d = await chat.client.requests.get(requestId);
      setDetail(d);
      setZones(await chat.client.requests.deadlines(d.request));
      setError(null);
    } catch (e) {
      setError(e);
    }
  };
  useEffect(() => void reload(), [requestId, tick]);
  if (!detail) return <section class="card">{error ? <ErrorBox error={error} /> : <p>{t('loading')}</p>}</section>;
  const r = detail.request;
  const side = sideOf(r, chat.me.agency.id);
  const clock = clockStatus(r, Date.now());
  const agency = (id: string) => agencies[id]?.name ?? id.slice(0, 8);
  return (
    <section class="card" aria-labelledby="request-title" data-testid="request-detail" data-state={r.state}>
      <a href="#/requests">← {t('back')}</a>
      <h2 id="request-title">{t('detailTitle', { template: TEMPLATE_LABEL[r.template] })}</h2>
      <dl class="request-facts">
        <dt>{t('parties')}</dt>
        <dd>
          {agency(r.requesterAgencyId)} ({r.requesterCountry}) → {agency(r.requestedAgencyId)} ({r.requestedCountry})
        </dd>
        <dt>{t('urgency')}</dt>
        <dd>{URGENCY_LABEL[r.urgency]}</dd>
        <dt>{t('state')}</dt>
        <dd data-testid="request-state">{STATE_LABEL[r.state]}</dd>
        <dt>{t('received')}</dt>
        <dd>{formatDeadline(r.receivedAt, zones?.requested.zone ?? r.timeZone)}</dd>
        <dt>{t('deadlineRequested')}</dt>
        <dd data-testid="deadline-requested">{zones?.requested.text ?? formatDeadline(r.deadline, r.timeZone)}</dd>
        <dt>{t('deadlineRequester')}</dt>
        <dd data-testid="deadline-requester">{zones?.requester.text ?? '…'}</dd>
        <dt>{t('status')}</dt>
        <dd data-testid="request-clock" data-kind={clock.kind}>
          {clock.text}
        </dd>
      </dl>
      {r.suspendedMs > 0 && <p class="hint">{t('suspended', { count: Math.round(r.suspendedMs / 60_000) })}</p>}
      <p>
        <a href={href({ name: 'channels', channelId: r.channelId })}>{t('channel')}</a>
      </p>
      <h3>{t('timeline')}</h3>
      <ol class="timeline" data-testid="request-timeline">
        {detail.timeline.map((e) => (
          <li key={e.messageId}>
            <time dateTime={new Date(e.at).toISOString()}>{formatDateTime(e.at)}</time> · {eventText(t, e.kind, e.detail)} · {names[e.actorId] ? t('eventBy', { who: names[e.actorId]!, agency: agency(e.agencyId) }) : chat.nameOf(e.actorId)} ·{' '}
            {STATE_LABEL[e.state]}
          </li>
        ))}
      </ol>
      <h3>{t('actions')}</h3>
      {side === null ? <p class="hint">{t('thirdParty')}</p> : <RequestActions request={r} actions={allowedActions(r.state, side)} onDone={() => void state.refresh().then(reload)} />}
      <ErrorBox error={error} />
    </section>
  );
}

function RequestActions({ request: r, actions, onDone }: { request: RequestView; actions: RequestAction[]; onDone: () => void }) {
  const t = useT('requests');
  const chat = useChat();
  const [action, setAction] = useState<RequestAction | null>(null);
  const [body, setBody] = useState('');
  const [ground, setGround] = useState<RefusalGround>('a');
  const [run, busy, error] = useAction(async () => {
    if (!action) return;
    const c = chat.client.requests;
    const said = body.trim();
    const { channelId, ref } = r;
    switch (action) {
      case 'answer-full':
      case 'answer-partial': {
        const completeness = action === 'answer-full' ? 'full' : 'partial';
        await chat.send(channelId, { kind: 'request-answer', requestRef: ref, completeness, text: said }, undefined, () => c.answer(channelId, ref, { completeness, text: said }));
        break;
      }
      case 'clarify-ask':
      case 'clarify-give': {
        const step = action === 'clarify-ask' ? 'asked' : 'given';
        await chat.send(channelId, { kind: 'request-clarification', requestRef: ref, step, text: said }, undefined, () => c.clarify(channelId, ref, { step, text: said }));
        break;
      }
      case 'refuse':
        await chat.send(channelId, { kind: 'request-refusal', requestRef: ref, ground, text: said }, undefined, () => c.refuse(channelId, ref, { ground, text: said }));
        break;
      case 'judicial-pending':
        await chat.send(channelId, { kind: 'request-judicial-pending', requestRef: ref, text: said }, undefined, () => c.judicialPending(channelId, ref, { text: said }));
        break;
      case 'withdraw':
        await chat.send(channelId, { kind: 'request-withdrawal', requestRef: ref, text: said }, undefined, () => c.withdraw(channelId, ref, { text: said }));
        break;
    }
    setAction(null);
    setBody('');
    onDone();
  });
  if (actions.length === 0) return <p class="hint">{t('noActions')}</p>;
  return (
    <div class="request-actions">
      <div class="button-row">
        {actions.map((a) => (
          <button key={a} type="button" aria-pressed={action === a} onClick={() => setAction(a)}>
            {ACTION_LABEL[a]}
          </button>
        ))}
      </div>
      {action && (
        <form class="inline-form" aria-label={ACTION_LABEL[action]} onSubmit={submitHandler(() => void run())}>
          {action === 'refuse' && (
            <label class="field">
              <span class="field-label">{t('ground')}</span>
              <select name="ground" value={ground} onChange={(e) => setGround(e.currentTarget.value as RefusalGround)}>
                {REFUSAL_GROUND_CODES.map((g) => (
                  <option key={g} value={g}>
                    ({g}) {refusalLabel(g)}
                  </option>
                ))}
              </select>
            </label>
          )}
          <label class="field">
            <span class="field-label">{t('stepText')}</span>
            <textarea name="step-text" rows={3} required value={body} onInput={(e) => setBody(e.currentTarget.value)} />
          </label>
          <button type="submit" disabled={busy}>
            {t('submit', { action: ACTION_LABEL[action] })}
          </button>
        </form>
      )}
      <ErrorBox error={error} />
    </div>
  );
}
