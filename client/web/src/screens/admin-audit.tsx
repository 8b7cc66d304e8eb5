import { useEffect, useState } from 'preact/hooks';
import type { AuditEvent, AuditVerification } from '../../../../shared/schemas/audit.ts';
import { useChat } from '../app-context.ts';
import { ErrorBox, Notice, submitHandler, useAction, TableWrap } from '../components/form.tsx';
import { useT } from '../i18n/i18n.ts';
import { errorCode, errorText } from '../lib/errors.ts';
import { formatDateTime } from '../lib/format.ts';
import { useObservable } from '../state/observable.ts';
import type { AuditHeadCheck } from '../../../sdk/index.ts';

export function AdminAudit() {
  const chat = useChat();
  const names = useObservable(chat.names);
  const [events, setEvents] = useState<AuditEvent[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [action, setAction] = useState('');
  const [verification, setVerification] = useState<AuditVerification | null>(null);
  // Agency administrators check the signed head (signature, no rollback); recomputing the whole chain,
  // which spans every agency, is the platform administrators' (GET /audit/verify, docs/AUDIT.md).
  const platform = chat.me.officer.role === 'platform_admin';
  const [headCheck, setHeadCheck] = useState<AuditHeadCheck | null>(null);
  const [load, loading, loadError] = useAction(async (more = false) => {
    const page = await chat.api.audit({ limit: 100, ...(action.trim() ? { action: action.trim() } : {}), ...(more && next !== null ? { afterSeq: next } : {}) });
    setEvents(more ? [...events, ...page.events] : page.events);
    setNext(page.nextAfterSeq);
  });
  // The highest signed head this browser has seen: a shorter chain later is a rollback alarm.
  const [headAlarm, setHeadAlarm] = useState<string | null>(null);
  const [verify, verifying, verifyError] = useAction(async () => {
    try {
      setHeadCheck(await chat.api.auditHead());
      setHeadAlarm(null);
    } catch (err) {
      if (!errorCode(err)?.startsWith('audit/')) throw err;
      setHeadAlarm(`${errorText(err)} ${(err as Error).message}`);
      return;
    }
    if (platform) setVerification(await chat.api.auditVerify());
  });
  useEffect(() => {
    void load();
    void verify();
  }, []);
  const t = useT('admin-audit');
  return (
    <section aria-labelledby="audit-title">
      <h2 id="audit-title">{t('title')}</h2>
      <div class="audit-verify">
        {headAlarm && (
          <p class="notice notice-danger" role="alert">
            {t('rolledBack', { alarm: headAlarm })}
          </p>
        )}
        {!platform ? (
          headCheck ? (
            <Notice kind="ok">
              {headCheck.head ? t('headVerified', { seq: headCheck.head.seq, at: formatDateTime(headCheck.head.at) }) : t('noHead')} {t('chainByPlatform')}
            </Notice>
          ) : (
            !headAlarm && !verifyError && <p aria-busy="true">{t('checkingHead')}</p>
          )
        ) : verification ? (
          verification.ok ? (
            <Notice kind="ok">
              {t('verified', {
                events: t('events', { count: verification.eventsChecked }),
                checkpoints: t('checkpoints', { count: verification.checkpointsChecked }),
                seq: verification.lastSeq,
              })}
            </Notice>
          ) : (
            <p class="notice notice-danger" role="alert">
              {t('failed', { seq: verification.problem?.seq, message: verification.problem?.message })}
            </p>
          )
        ) : (
          !headAlarm && !verifyError && <p aria-busy="true">{t('verifying')}</p>
        )}
        <button type="button" class="secondary" disabled={verifying} onClick={() => void verify()}>
          {t('verifyAgain')}
        </button>
        <ErrorBox error={verifyError} />
      </div>
      <form class="inline-form" role="search" onSubmit={submitHandler(() => void load())}>
        <label class="field">
          <span class="field-label">{t('action')}</span>
          <input name="action" value={action} onInput={(e) => setAction(e.currentTarget.value)} placeholder={t('actionPlaceholder')} />
        </label>
        <button type="submit">{t('filter')}</button>
      </form>
      <ErrorBox error={loadError} />
      <TableWrap label={t('title')}>
        <table class="audit">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">{t('colTime')}</th>
              <th scope="col">{t('colActor')}</th>
              <th scope="col">{t('action')}</th>
              <th scope="col">{t('colTarget')}</th>
              <th scope="col">{t('colOutcome')}</th>
              <th scope="col">{t('colHash')}</th>
            </tr>
          </thead>
          <tbody>
            {events.map((e) => (
              <tr key={e.seq} class={`outcome-${e.outcome}`}>
                <td>{e.seq}</td>
                <td>{formatDateTime(e.at)}</td>
                <td>{e.actorId ? (names[e.actorId] ?? e.actorId.slice(0, 8)) : t('system')}</td>
                <td>{e.action}</td>
                <td>{e.targetType ? `${e.targetType} ${e.targetId?.slice(0, 8) ?? ''}` : ''}</td>
                <td>{e.outcome}</td>
                <td>
                  <code title={e.hash}>{e.hash.slice(0, 10)}…</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      {next !== null && (
        <button type="button" class="secondary" disabled={loading} onClick={() => void load(true)}>
          {t('moreEvents')}
        </button>
      )}
    </section>
  );
}
