import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { OverdueBoard } from './requests.tsx';
import type { Officer } from '../../../../shared/schemas/accounts.ts';
import type { Desk, MyShift, OnDuty } from '../../../../shared/schemas/desks.ts';
import type { Page, TestPageResult } from '../../../../shared/schemas/pages.ts';
import { useChat } from '../app-context.ts';
import { DeskReachability } from './desk-reachability.tsx';
import { DeskDetailsEditor } from './desk-details.tsx';
import { ErrorBox, Field, useAction, TableWrap } from '../components/form.tsx';
import { deliveryText } from '../lib/notification-settings.ts';
import { inboxText } from '../lib/desk-inbox.ts';
import { absoluteTime, pagedOutcome, parseAckMinutes, PRIORITY_TEXT, REASON_TEXT, sinceText, STATE_TEXT, stepText } from '../lib/pages.ts';
import { navigate } from '../lib/router.ts';
import { addWeeks, daysText, rowsOf, shiftSpan, weekColumns, weeklyOf, weekStart, WEEKDAYS, zoneDescription, type EditorRow } from '../lib/rota-week.ts';
import { browserTimeZone, supportedTimeZones, timeZoneOptions } from '../lib/zones.ts';
import { fixedT, useLanguage } from '../i18n/i18n.ts';
import { useObservable } from '../state/observable.ts';
import { DeskInbox, Handovers, IntakeSetup } from './desk-inbox.tsx';
import { DeskOverrides } from './desk-overrides.tsx';
import { DeskStaffing } from './desk-staffing.tsx';
import { MyRequests } from './my-requests.tsx';

const DAY_MS = 86_400_000;

const t = (key: string, values?: Record<string, unknown>) => fixedT('desks')(key, values);

/** An object whose every property reads its text (a key of the `desks` namespace) at access time, so a language switch applies. */
function translated<K extends string>(keys: Record<K, string>): Readonly<Record<K, string>> {
  const out = {} as Record<K, string>;
  for (const k of Object.keys(keys) as K[]) Object.defineProperty(out, k, { enumerable: true, get: () => t(keys[k]) });
  return out;
}

/** The desk's pages, escalation and test page strings, read in the current language (DesksScreen re-renders on a switch). */
const text = Object.assign(
  translated({
    history: 'history',
    historyHint: 'historyHint',
    historyNone: 'historyNone',
    refresh: 'refresh',
    escalation: 'escalation',
    escalationHint: 'escalationHint',
    ackMinutes: 'ackMinutes',
    save: 'save',
    saving: 'saving',
    ackMinutesInvalid: 'ackMinutesInvalid',
    testPage: 'testPage',
    testPaging: 'testPaging',
    testPageHint: 'testPageHint',
    testResults: 'testResults',
    testNobody: 'testNobody',
    testBackup: 'testBackup',
    quietHours: 'quietHours',
    noTransport: 'noTransport',
  }),
  {
    historyCaption: (title: string) => t('historyCaption', { title }),
    historyColumns: translated({ when: 'columnWhen', officer: 'columnOfficer', step: 'columnStep', outcome: 'columnOutcome' }),
    pageTitle: (p: Page) => t('pageTitle', { priority: PRIORITY_TEXT[p.priority], reason: REASON_TEXT[p.reason] }),
    pageSummary: (since: string, state: string) => t('pageSummary', { since, state }),
    ackedBy: (who: string, when: string) => t('ackedBy', { who, when }),
    saved: (n: number) => t('saved', { count: n }),
  },
);

/** `#/desks` (my desks, my shifts, my requests), `#/desks/new` (create, administrators), `#/desks/requests` (my requests to desks), `#/desks/<id>` (detail, inbox, week view, editors). */
const requestBoardText = translated({ desk: 'requestBoard' });

export function DesksScreen({ deskId }: { deskId: string | null }) {
  useLanguage(); // the texts read the current language: a switch re-renders the desk screens
  if (deskId === 'new') return <CreateDesk />;
  if (deskId === 'requests') {
    return (
      <section class="card">
        <p>
          <a href="#/desks">← {t('title')}</a>
        </p>
        <MyRequests headingLevel={1} />
      </section>
    );
  }
  if (deskId) return <DeskDetail deskId={deskId} />;
  return <DeskList />;
}

/** The display name of an officer, through the app's people lookup (own agency for administrators, the directory otherwise). */
function useNames(): (id: string) => string {
  const chat = useChat();
  const names = useObservable(chat.names);
  return (id) => names[id] ?? chat.nameOf(id);
}

function onDutyText(d: OnDuty | undefined, nameOf: (id: string) => string): string {
  if (!d) return t('checkingDuty');
  if (d.officerIds.length === 0) return t('nobodyOnDuty');
  const names = d.officerIds.map(nameOf).join(', ');
  return d.fromBackupDesk ? t('onDutyBackup', { names }) : t('onDuty', { names });
}

function DeskList() {
  const chat = useChat();
  const nameOf = useNames();
  const [desks, setDesks] = useState<Desk[] | null>(null);
  const [duty, setDuty] = useState<Record<string, OnDuty>>({});
  const [load, , error] = useAction(async () => {
    const list = await chat.api.desks();
    setDesks(list);
    const entries = await Promise.all(list.map(async (d) => [d.id, await chat.api.onDuty(d.id).catch(() => null)] as const));
    setDuty(Object.fromEntries(entries.filter((e): e is readonly [string, OnDuty] => e[1] !== null)));
  });
  useEffect(() => void load(), []);
  const admin = chat.me.officer.role !== 'officer';
  return (
    <section class="card" aria-labelledby="desks-title">
      <h1 id="desks-title">{t('title')}</h1>
      <p class="hint">{t('intro')}</p>
      {admin && (
        <p>
          <a class="button" href="#/desks/new">
            {t('newDesk')}
          </a>
        </p>
      )}
      <ErrorBox error={error} />
      {desks && desks.length === 0 && <p>{t('noDesks')}</p>}
      {desks && desks.length > 0 && (
        <ul class="desk-list" data-testid="desk-list">
          {desks.map((d) => (
            <li key={d.id}>
              <a href={`#/desks/${encodeURIComponent(d.id)}`}>{d.name}</a>
              <span class="meta"> · {d.timeZone}</span>
              <div class={duty[d.id]?.officerIds.length ? 'on-duty' : 'meta'}>{onDutyText(duty[d.id], nameOf)}</div>
            </li>
          ))}
        </ul>
      )}
      <MyShifts />
      <MyRequests />
    </section>
  );
}

/** The caller's shifts over the next 7 days, in their own zone. */
function MyShifts() {
  const chat = useChat();
  const zone = browserTimeZone();
  const [shifts, setShifts] = useState<MyShift[] | null>(null);
  const [load, , error] = useAction(async () => {
    const now = Date.now();
    setShifts(await chat.api.myShifts(now, now + 7 * DAY_MS));
  });
  useEffect(() => void load(), []);
  return (
    <section aria-labelledby="my-shifts-title">
      <h2 id="my-shifts-title">{t('myShifts')}</h2>
      <ErrorBox error={error} />
      {shifts && shifts.length === 0 && <p>{t('noShifts')}</p>}
      {shifts && shifts.length > 0 && (
        <ul data-testid="my-shifts">
          {shifts.map((s) => (
            <li key={`${s.deskId}-${s.start}-${s.overrideId ?? ''}`}>
              {shiftSpan(s.start, s.end, zone)} · {s.deskName}
              {s.source === 'override' && ` ${t('swapOrExtra')}`}
            </li>
          ))}
        </ul>
      )}
      <p class="hint">{t('timesInYourZone', { zone: zoneDescription(zone, Date.now()) })}</p>
    </section>
  );
}

function DeskDetail({ deskId }: { deskId: string }) {
  const chat = useChat();
  const nameOf = useNames();
  const [desk, setDesk] = useState<Desk | null>(null);
  const [duty, setDuty] = useState<OnDuty | undefined>(undefined);
  /** Bumped by a test page, so the desk's page history re-reads. */
  const [pagesVersion, setPagesVersion] = useState(0);
  /** The newest intake key version (0: no encrypted inbox yet; null: not known yet). */
  const [intakeVersion, setIntakeVersion] = useState<number | null>(null);
  const [load, , error] = useAction(async () => {
    const d = await chat.api.desk(deskId);
    setDesk(d);
    const keys = await chat.api.intakeKeys(deskId).catch(() => null);
    setIntakeVersion(keys ? (keys[keys.length - 1]?.version ?? 0) : null);
    setDuty(await chat.api.onDuty(deskId));
  });
  useEffect(() => void load(), [deskId]);
  if (!desk) {
    return (
      <section class="card">
        <p>
          <a href="#/desks">← {t('title')}</a>
        </p>
        {error ? <ErrorBox error={error} /> : <p aria-busy="true">{t('loading')}</p>}
      </section>
    );
  }
  const me = chat.me.officer;
  const admin = me.role !== 'officer' && chat.me.agency.id === desk.agencyId;
  const supervisor = desk.supervisors.includes(me.id);
  const canEdit = admin || supervisor;
  const onRoster = supervisor || desk.members.includes(me.id);
  return (
    <section class="card" aria-labelledby="desk-title">
      <p>
        <a href="#/desks">← {t('title')}</a>
      </p>
      <h1 id="desk-title">{desk.name}</h1>
      <ErrorBox error={error} />
      <dl>
        <dt>{t('timeZone')}</dt>
        <dd>{zoneDescription(desk.timeZone, Date.now())}</dd>
        <dt>{t('phone')}</dt>
        <dd>{desk.phone}</dd>
        <dt>{t('supervisors')}</dt>
        <dd>{desk.supervisors.length ? desk.supervisors.map(nameOf).join(', ') : 'none'}</dd>
        <dt>{t('members')}</dt>
        <dd>{desk.members.length ? desk.members.map(nameOf).join(', ') : 'none'}</dd>
      </dl>
      <p class={duty?.officerIds.length ? 'on-duty' : 'notice notice-warn'} data-testid="on-duty">
        {onDutyText(duty, nameOf)}
      </p>
      <IntakeSetup desk={desk} version={intakeVersion} supervisor={supervisor} onChanged={setIntakeVersion} />
      {intakeVersion !== null && intakeVersion > 0 && !onRoster && <p class="hint">{inboxText.notMember}</p>}
      {intakeVersion !== null && intakeVersion > 0 && onRoster && <DeskInbox desk={desk} nameOf={nameOf} onChange={() => setPagesVersion((v) => v + 1)} />}
      {intakeVersion !== null && intakeVersion > 0 && onRoster && <Handovers desk={desk} nameOf={nameOf} />}
      <WeekView desk={desk} nameOf={nameOf} />
      <DeskPages desk={desk} nameOf={nameOf} version={pagesVersion} />
      {(onRoster || admin) && <OverdueBoard title={requestBoardText.desk} testId="desk-overdue" load={() => chat.client.requests.deskOverdue(desk.id)} />}
      {(canEdit || desk.members.includes(me.id)) && (
        <DeskOverrides
          desk={desk}
          nameOf={nameOf}
          canEdit={canEdit}
          onSaved={(d) => {
            setDesk(d);
            void chat.api.onDuty(d.id).then(setDuty, () => undefined);
          }}
        />
      )}
      {canEdit && (
        <DeskStaffing
          desk={desk}
          nameOf={nameOf}
          admin={admin}
          hasInbox={Boolean(intakeVersion)}
          onSaved={setDesk}
          onSynced={() => void chat.api.intakeKeys(desk.id).then((keys) => setIntakeVersion(keys[keys.length - 1]?.version ?? 0), () => undefined)}
        />
      )}
      {canEdit && <DeskDetailsEditor desk={desk} onSaved={setDesk} />}
      {canEdit && <EscalationSettings desk={desk} onSaved={setDesk} />}
      {canEdit && <TestPage desk={desk} nameOf={nameOf} onSent={() => setPagesVersion((v) => v + 1)} />}
      <DeskReachability desk={desk} canRun={canEdit} nameOf={nameOf} />
      {canEdit && (
        <RotaEditor
          desk={desk}
          nameOf={nameOf}
          onSaved={(d) => {
            setDesk(d);
            void chat.api.onDuty(d.id).then(setDuty, () => undefined);
          }}
        />
      )}
    </section>
  );
}

function WeekView({ desk, nameOf }: { desk: Desk; nameOf: (id: string) => string }) {
  const viewer = browserTimeZone();
  const [start, setStart] = useState(() => weekStart(Date.now(), desk.timeZone));
  useEffect(() => setStart(weekStart(Date.now(), desk.timeZone)), [desk.timeZone]);
  const columns = useMemo(() => weekColumns(desk.rota, start, viewer), [desk.rota, start, viewer]);
  const first = columns[0]!;
  const last = columns[6]!;
  return (
    <section aria-labelledby="week-title">
      <h2 id="week-title">{t('weekOf', { week: first.title })}</h2>
      <p class="hint" data-testid="week-zone">
        {t('timesInDeskZone', { zone: zoneDescription(desk.timeZone, start) })}
        {viewer !== desk.timeZone && ` ${t('inBrackets', { zone: zoneDescription(viewer, start) })}`}
      </p>
      <div class="actions">
        <button type="button" class="secondary" onClick={() => setStart(addWeeks(start, -1, desk.timeZone))}>
          {t('previousWeek')}
        </button>
        <button type="button" class="secondary" onClick={() => setStart(weekStart(Date.now(), desk.timeZone))}>
          {t('thisWeek')}
        </button>
        <button type="button" class="secondary" onClick={() => setStart(addWeeks(start, 1, desk.timeZone))}>
          {t('nextWeek')}
        </button>
      </div>
      <TableWrap label={t('weekOf', { week: first.title })}>
        <table class="rota-week" data-testid="rota-week">
          <caption class="sr-only">
            {t('weekCaption', { from: first.date, to: last.date })}
          </caption>
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c.date} scope="col">
                  {c.title}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            <tr>
              {columns.map((c) => (
                <td key={c.date}>
                  {c.shifts.length === 0 ? (
                    <span class="meta">{t('noOne')}</span>
                  ) : (
                    <ul class="shifts">
                      {c.shifts.map((s, i) => (
                        <li key={i} class={s.source === 'override' ? 'shift shift-override' : 'shift'}>
                          <strong>{nameOf(s.officerId)}</strong>
                          <br />
                          {s.deskLabel}
                          {s.viewerLabel && <span class="meta"> ({s.viewerLabel})</span>}
                          {s.source === 'override' && <span class="meta"> · {t('override')}</span>}
                        </li>
                      ))}
                    </ul>
                  )}
                </td>
              ))}
            </tr>
          </tbody>
        </table>
      </TableWrap>
    </section>
  );
}

/** The desk's pages, newest first, each with who was paged at which step and when, and the acknowledgement. */
function DeskPages({ desk, nameOf, version }: { desk: Desk; nameOf: (id: string) => string; version: number }) {
  const chat = useChat();
  const zone = browserTimeZone();
  const [pages, setPages] = useState<Page[] | null>(null);
  const [load, loading, error] = useAction(async () => setPages(await chat.api.deskPages(desk.id)));
  useEffect(() => void load(), [desk.id, version]);
  return (
    <section aria-labelledby="desk-pages-title" data-testid="desk-pages">
      <h2 id="desk-pages-title">{text.history}</h2>
      <p class="hint">{text.historyHint}</p>
      <div class="actions">
        <button type="button" class="secondary" onClick={() => void load()} disabled={loading}>
          {text.refresh}
        </button>
      </div>
      <ErrorBox error={error} />
      {pages && pages.length === 0 && <p>{text.historyNone}</p>}
      {pages?.map((p) => (
        <article key={p.id} class={`page-card page-${p.state}${p.priority === 'urgent' ? ' page-urgent' : ''}`} aria-labelledby={`desk-page-${p.id}`} data-page-id={p.id}>
          <h3 id={`desk-page-${p.id}`}>{text.pageTitle(p)}</h3>
          <p>
            {text.pageSummary(sinceText(p.createdAt, Date.now(), zone), STATE_TEXT[p.state])}
            {p.state === 'open' && p.reason !== 'test' && ` · ${stepText(p.step)}`}
          </p>
          {p.state === 'acknowledged' && p.ackedAt !== null && (
            <p class="notice notice-ok">{text.ackedBy(p.ackedBy ? nameOf(p.ackedBy) : '—', absoluteTime(p.ackedAt, zone))}</p>
          )}
          {p.paged && p.paged.length > 0 && (
            <TableWrap label={text.historyCaption(text.pageTitle(p))}>
              <table data-testid="page-deliveries">
                <caption class="sr-only">{text.historyCaption(text.pageTitle(p))}</caption>
                <thead>
                  <tr>
                    <th scope="col">{text.historyColumns.when}</th>
                    <th scope="col">{text.historyColumns.officer}</th>
                    <th scope="col">{text.historyColumns.step}</th>
                    <th scope="col">{text.historyColumns.outcome}</th>
                  </tr>
                </thead>
                <tbody>
                  {p.paged.map((d) => (
                    <tr key={`${d.step}-${d.officerId}`}>
                      <td>{absoluteTime(d.at, zone)}</td>
                      <th scope="row">{nameOf(d.officerId)}</th>
                      <td>{stepText(d.step)}</td>
                      <td>{pagedOutcome(d)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )}
        </article>
      ))}
    </section>
  );
}

/** Supervisors and administrators: minutes a page waits at each step (PATCH /desks/:id). */
function EscalationSettings({ desk, onSaved }: { desk: Desk; onSaved: (d: Desk) => void }) {
  const chat = useChat();
  const [value, setValue] = useState(String(desk.escalation.ackMinutes));
  const [invalid, setInvalid] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const savedRef = useRef<HTMLDivElement>(null);
  useEffect(() => setValue(String(desk.escalation.ackMinutes)), [desk.id, desk.escalation.ackMinutes]);
  const [save, saving, error] = useAction(async () => {
    setSaved(null);
    const ackMinutes = parseAckMinutes(value);
    setInvalid(ackMinutes === null);
    if (ackMinutes === null) {
      inputRef.current?.focus();
      return;
    }
    const d = await chat.api.updateDesk(desk.id, { escalation: { ackMinutes } });
    onSaved(d);
    setSaved(text.saved(d.escalation.ackMinutes));
    setTimeout(() => savedRef.current?.focus(), 0);
  });
  const describedBy = ['ack-minutes-hint', invalid || error ? 'ack-minutes-error' : ''].filter(Boolean).join(' ');
  return (
    <section aria-labelledby="escalation-title">
      <h2 id="escalation-title">{text.escalation}</h2>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <div class="field">
          <label class="field-label" for="ack-minutes">
            {text.ackMinutes}
          </label>
          <input
            id="ack-minutes"
            ref={inputRef}
            type="number"
            inputMode="numeric"
            min={1}
            max={120}
            step={1}
            required
            value={value}
            aria-invalid={invalid || Boolean(error)}
            aria-describedby={describedBy}
            onInput={(e) => setValue(e.currentTarget.value)}
          />
          <small id="ack-minutes-hint" class="hint">
            {text.escalationHint}
          </small>
          <div id="ack-minutes-error">
            {invalid && (
              <p class="field-error" role="alert">
                {text.ackMinutesInvalid}
              </p>
            )}
            <ErrorBox error={error} />
          </div>
        </div>
        <button type="submit" disabled={saving}>
          {saving ? text.saving : text.save}
        </button>
        <div role="status" aria-live="polite" tabIndex={-1} ref={savedRef}>
          {saved && <p class="notice notice-ok">{saved}</p>}
        </div>
      </form>
    </section>
  );
}

/** Supervisors and administrators: page the officers on duty now, and see each transport's outcome per officer. */
function TestPage({ desk, nameOf, onSent }: { desk: Desk; nameOf: (id: string) => string; onSent: () => void }) {
  const chat = useChat();
  const [result, setResult] = useState<TestPageResult | null>(null);
  const resultRef = useRef<HTMLDivElement>(null);
  const [send, sending, error] = useAction(async () => {
    setResult(null);
    setResult(await chat.api.testPage(desk.id));
    onSent();
    setTimeout(() => resultRef.current?.focus(), 0);
  });
  const line = (p: TestPageResult['paged'][number]) =>
    p.skipped === 'quiet_hours' ? text.quietHours : p.results.length === 0 ? text.noTransport : p.results.map(deliveryText).join('; ');
  return (
    <section aria-labelledby="test-page-title">
      <h2 id="test-page-title">{text.testPage}</h2>
      <p class="hint">{text.testPageHint}</p>
      <button type="button" onClick={() => void send()} disabled={sending}>
        {sending ? text.testPaging : text.testPage}
      </button>
      <ErrorBox error={error} />
      <div role="status" aria-live="polite" tabIndex={-1} ref={resultRef} data-testid="test-page-result">
        {result && (
          <div class="notice">
            <strong>{text.testResults}.</strong>
            {result.paged.length === 0 && <p>{text.testNobody}</p>}
            {result.fromBackupDesk && <p>{text.testBackup}</p>}
            {result.paged.length > 0 && (
              <ul>
                {result.paged.map((p) => (
                  <li key={p.officerId}>
                    {nameOf(p.officerId)}: {line(p)}
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
      </div>
    </section>
  );
}

let rowSeq = 0;

function RotaEditor({ desk, nameOf, onSaved }: { desk: Desk; nameOf: (id: string) => string; onSaved: (d: Desk) => void }) {
  const chat = useChat();
  const [rows, setRows] = useState<EditorRow[]>(() => rowsOf(desk.rota.weekly));
  const [saved, setSaved] = useState<string | null>(null);
  const savedRef = useRef<HTMLDivElement>(null);
  useEffect(() => setRows(rowsOf(desk.rota.weekly)), [desk.id, desk.updatedAt]);
  const [save, saving, error] = useAction(async () => {
    setSaved(null);
    const d = await chat.api.replaceRota(desk.id, { timeZone: desk.timeZone, weekly: weeklyOf(rows), overrides: desk.rota.overrides });
    onSaved(d);
    setSaved(t('rotaSaved', { count: d.rota.weekly.length }));
    setTimeout(() => savedRef.current?.focus(), 0);
  });
  const update = (key: string, patch: Partial<EditorRow>) => setRows(rows.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  const add = () => {
    const key = `n${++rowSeq}`;
    setRows([...rows, { key, officerId: desk.members[0] ?? '', days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' }]);
    // Focus the new row's first control.
    setTimeout(() => document.getElementById(`shift-officer-${key}`)?.focus(), 0);
  };
  return (
    <section aria-labelledby="rota-editor-title">
      <h2 id="rota-editor-title">{t('editRota')}</h2>
      <p class="hint">
        {t('rotaHint', { zone: desk.timeZone })}
      </p>
      {desk.members.length === 0 && <p class="notice notice-warn">{t('rotaNoMembers')}</p>}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        {rows.map((r, i) => (
          <fieldset key={r.key} class="rota-row">
            <legend>
              {t('shiftN', { n: i + 1 })}
              {r.officerId ? `: ${nameOf(r.officerId)}, ${daysText(r.days)}` : ''}
            </legend>
            <div class="inline-form">
              <div class="field">
                <label class="field-label" for={`shift-officer-${r.key}`}>
                  {t('columnOfficer')}
                </label>
                <select id={`shift-officer-${r.key}`} value={r.officerId} onChange={(e) => update(r.key, { officerId: e.currentTarget.value })}>
                  {!desk.members.includes(r.officerId) && <option value={r.officerId}>{r.officerId ? nameOf(r.officerId) : t('choose')}</option>}
                  {desk.members.map((m) => (
                    <option key={m} value={m}>
                      {nameOf(m)}
                    </option>
                  ))}
                </select>
              </div>
              <div class="field">
                <label class="field-label" for={`shift-start-${r.key}`}>
                  {t('start')}
                </label>
                <input id={`shift-start-${r.key}`} type="time" required value={r.start} onInput={(e) => update(r.key, { start: e.currentTarget.value })} />
              </div>
              <div class="field">
                <label class="field-label" for={`shift-end-${r.key}`}>
                  {t('end')}
                </label>
                <input id={`shift-end-${r.key}`} type="time" required value={r.end} onInput={(e) => update(r.key, { end: e.currentTarget.value })} />
              </div>
            </div>
            <div class="days" role="group" aria-label={t('daysOfShift', { n: i + 1 })}>
              {WEEKDAYS.map((w) => (
                <label key={w.day} class="check">
                  <input
                    type="checkbox"
                    aria-label={w.long}
                    checked={r.days.includes(w.day)}
                    onChange={(e) => update(r.key, { days: e.currentTarget.checked ? [...r.days, w.day] : r.days.filter((d) => d !== w.day) })}
                  />
                  <span aria-hidden="true">{w.short}</span>
                </label>
              ))}
            </div>
            <button type="button" class="secondary" onClick={() => setRows(rows.filter((x) => x.key !== r.key))}>
              {t('removeShift', { n: i + 1 })}
            </button>
          </fieldset>
        ))}
        <div class="actions">
          <button type="button" class="secondary" onClick={add} disabled={desk.members.length === 0}>
            {t('addShift')}
          </button>
          <button type="submit" disabled={saving}>
            {saving ? t('saving') : t('saveRota')}
          </button>
        </div>
        {desk.rota.overrides.length > 0 && <p class="hint">{t('overridesKept', { count: desk.rota.overrides.length })}</p>}
        <ErrorBox error={error} />
        <div role="status" aria-live="polite" tabIndex={-1} ref={savedRef}>
          {saved && <p class="notice notice-ok">{saved}</p>}
        </div>
      </form>
    </section>
  );
}

function CreateDesk() {
  const chat = useChat();
  const zone = browserTimeZone();
  const [officers, setOfficers] = useState<Officer[]>([]);
  const [name, setName] = useState('');
  const [phone, setPhone] = useState('');
  const [timeZone, setTimeZone] = useState(zone);
  const [members, setMembers] = useState<string[]>([]);
  const [supervisors, setSupervisors] = useState<string[]>([]);
  const zones = useMemo(() => timeZoneOptions(supportedTimeZones(), zone, timeZone), [zone, timeZone]);
  const [load, , loadError] = useAction(async () => {
    setOfficers((await chat.api.officers(chat.me.agency.id)).filter((o) => o.status === 'active'));
  });
  const [create, creating, createError] = useAction(async () => {
    const desk = await chat.api.createDesk({ name: name.trim(), phone: phone.trim(), timeZone, members, supervisors });
    navigate({ name: 'desks', deskId: desk.id });
  });
  useEffect(() => void load(), []);
  if (chat.me.officer.role === 'officer') return <p>{t('onlyAdmins')}</p>;
  const toggle = (list: string[], set: (v: string[]) => void, id: string, on: boolean) => set(on ? [...list, id] : list.filter((x) => x !== id));
  return (
    <section class="card" aria-labelledby="new-desk-title">
      <p>
        <a href="#/desks">← {t('title')}</a>
      </p>
      <h1 id="new-desk-title">{t('newDesk')}</h1>
      <ErrorBox error={loadError} />
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void create();
        }}
      >
        <Field label={t('name')} name="desk-name" required minLength={2} maxLength={160} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <Field
          label={t('phoneNumber')}
          name="desk-phone"
          type="tel"
          required
          minLength={8}
          maxLength={32}
          hint={t('phoneHint')}
          value={phone}
          onInput={(e) => setPhone(e.currentTarget.value)}
        />
        <div class="field">
          <label class="field-label" for="desk-zone">
            {t('timeZone')}
          </label>
          <select id="desk-zone" value={timeZone} onChange={(e) => setTimeZone(e.currentTarget.value)} aria-describedby="desk-zone-hint">
            {zones.map((z) => (
              <option key={z} value={z}>
                {z}
              </option>
            ))}
          </select>
          <small id="desk-zone-hint" class="hint">
            {t('zoneHint')}
          </small>
        </div>
        <fieldset>
          <legend>{t('membersAndSupervisors')}</legend>
          {officers.length === 0 && <p class="meta">{t('noOfficers')}</p>}
          {officers.length > 0 && (
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('columnOfficer')}</th>
                  <th scope="col">{t('columnMember')}</th>
                  <th scope="col">{t('columnSupervisor')}</th>
                </tr>
              </thead>
              <tbody>
                {officers.map((o) => (
                  <tr key={o.id}>
                    <th scope="row">{o.displayName}</th>
                    <td>
                      <input type="checkbox" aria-label={t('isMember', { name: o.displayName })} checked={members.includes(o.id)} onChange={(e) => toggle(members, setMembers, o.id, e.currentTarget.checked)} />
                    </td>
                    <td>
                      <input
                        type="checkbox"
                        aria-label={t('isSupervisor', { name: o.displayName })}
                        checked={supervisors.includes(o.id)}
                        onChange={(e) => toggle(supervisors, setSupervisors, o.id, e.currentTarget.checked)}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </fieldset>
        <ErrorBox error={createError} />
        <button type="submit" disabled={creating}>
          {creating ? t('creating') : t('createDesk')}
        </button>
      </form>
    </section>
  );
}
