import { useEffect, useState } from 'preact/hooks';
import type { AuditEvent, AuditVerification } from '../../../../shared/schemas/audit.ts';
import { useChat } from '../app-context.ts';
import { ErrorBox, Notice, submitHandler, useAction } from '../components/form.tsx';
import { errorCode, errorText } from '../lib/errors.ts';
import { formatDateTime } from '../lib/format.ts';
import { useObservable } from '../state/observable.ts';

export function AdminAudit() {
  const chat = useChat();
  const names = useObservable(chat.names);
  const [events, setEvents] = useState<AuditEvent[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [action, setAction] = useState('');
  const [verification, setVerification] = useState<AuditVerification | null>(null);
  const [load, loading, loadError] = useAction(async (more = false) => {
    const page = await chat.api.audit({ limit: 100, ...(action.trim() ? { action: action.trim() } : {}), ...(more && next !== null ? { afterSeq: next } : {}) });
    setEvents(more ? [...events, ...page.events] : page.events);
    setNext(page.nextAfterSeq);
  });
  // The highest signed head this browser has seen: a shorter chain later is a rollback alarm.
  const [headAlarm, setHeadAlarm] = useState<string | null>(null);
  const [verify, verifying, verifyError] = useAction(async () => {
    try {
      await chat.api.auditHead();
      setHeadAlarm(null);
    } catch (err) {
      if (!errorCode(err)?.startsWith('audit/')) throw err;
      setHeadAlarm(`${errorText(err)} ${(err as Error).message}`);
    }
    setVerification(await chat.api.auditVerify());
  });
  useEffect(() => {
    void load();
    void verify();
  }, []);
  return (
    <section aria-labelledby="audit-title">
      <h2 id="audit-title">Audit log</h2>
      <div class="audit-verify">
        {headAlarm && (
          <p class="notice notice-danger" role="alert">
            AUDIT TRAIL ROLLED BACK: {headAlarm}
          </p>
        )}
        {verification ? (
          verification.ok ? (
            <Notice kind="ok">
              Hash chain verified: {verification.eventsChecked} events, {verification.checkpointsChecked} signed checkpoints, up to #{verification.lastSeq}.
            </Notice>
          ) : (
            <p class="notice notice-danger" role="alert">
              Chain verification FAILED at event #{verification.problem?.seq}: {verification.problem?.message}
            </p>
          )
        ) : (
          <p aria-busy="true">Verifying the hash chain…</p>
        )}
        <button type="button" class="secondary" disabled={verifying} onClick={() => void verify()}>
          Verify again
        </button>
        <ErrorBox error={verifyError} />
      </div>
      <form class="inline-form" role="search" onSubmit={submitHandler(() => void load())}>
        <label class="field">
          <span class="field-label">Action</span>
          <input name="action" value={action} onInput={(e) => setAction(e.currentTarget.value)} placeholder="e.g. auth.login" />
        </label>
        <button type="submit">Filter</button>
      </form>
      <ErrorBox error={loadError} />
      <div class="table-wrap">
        <table class="audit">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Time</th>
              <th scope="col">Actor</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
              <th scope="col">Outcome</th>
              <th scope="col">Hash</th>
            </tr>
          </thead>
          <tbody>
            {events.map((e) => (
              <tr key={e.seq} class={`outcome-${e.outcome}`}>
                <td>{e.seq}</td>
                <td>{formatDateTime(e.at)}</td>
                <td>{e.actorId ? (names[e.actorId] ?? e.actorId.slice(0, 8)) : 'system'}</td>
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
      </div>
      {next !== null && (
        <button type="button" class="secondary" disabled={loading} onClick={() => void load(true)}>
          More events
        </button>
      )}
    </section>
  );
}
