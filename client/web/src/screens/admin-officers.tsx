import { useEffect, useState } from 'preact/hooks';
import type { Agency, Enrolment, Officer } from '../../../../shared/schemas/accounts.ts';
import type { Session } from '../../../../shared/schemas/auth.ts';
import type { PendingOfficerKeys, PendingReason } from '../../../../shared/schemas/keys.ts';
import { useChat } from '../app-context.ts';
import { ErrorBox, Field, Notice, submitHandler, useAction, TableWrap } from '../components/form.tsx';
import { usePoll } from '../components/use-poll.ts';
import { AGENCIES_POLL_MS } from './admin-agencies.tsx';
import { useT } from '../i18n/i18n.ts';
import { formatDateTime, formatRelative, groupFingerprint } from '../lib/format.ts';
import { useObservable } from '../state/observable.ts';
import { EnrolmentLink, tRich } from './enrolment-link.tsx';
import { LiaisonClientError } from '../../../sdk/errors.ts';
import { errorCode } from '../lib/errors.ts';
import { ROLE_LABEL, assignableRoles } from '../lib/people.ts';

/** Why an officer is in the certification queue (PROTOCOL.md §4.2): the key of its text. */
const PENDING_REASON: Record<PendingReason, string> = {
  'new-keys': 'reasonNewKeys',
  renewal: 'reasonRenewal',
  expired: 'reasonExpired',
  'role-changed': 'reasonRoleChanged',
  'root-rotated': 'reasonRootRotated',
};

export function AdminOfficers() {
  const chat = useChat();
  const agencies = useObservable(chat.agencies);
  const certified = useObservable(chat.certified);
  const platform = chat.me.officer.role === 'platform_admin';
  const [agencyId, setAgencyId] = useState(chat.me.agency.id);
  // The platform administrator's agency picker follows agencies registered since the unlock.
  usePoll(async () => platform && chat.refreshAgencies(), AGENCIES_POLL_MS);
  const [officers, setOfficers] = useState<Officer[]>([]);
  // Polled by the navigation's badge (PendingCertBadge): a new request shows here without leaving the tab.
  const pending: PendingOfficerKeys[] = useObservable(chat.pendingCerts);
  const [created, setCreated] = useState<{ who: string; enrolment: Enrolment } | null>(null);
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [role, setRole] = useState<'officer' | 'agency_admin'>('officer');
  const [sessionsOf, setSessionsOf] = useState<{ officer: Officer; sessions: Session[] } | null>(null);

  const t = useT('admin-officers');
  const roles = assignableRoles(chat.me.officer.role);
  const [changeRole, , roleError] = useAction(async (o: Officer, role: Officer['role']) => {
    if (role === o.role || !confirm(t('confirmRole', { name: o.displayName, role: ROLE_LABEL[role].toLowerCase() }))) return load();
    try {
      await chat.api.setRole(o.id, role);
    } catch (err) {
      // The server refuses a role above your own with a generic 403.
      if (errorCode(err) === 'forbidden') throw new LiaisonClientError('role/above-own', 'role above own');
      throw err;
    } finally {
      await load();
    }
  });
  const [load, , loadError] = useAction(async () => {
    const list = await chat.api.officers(agencyId);
    setOfficers(list);
    chat.learnNames(Object.fromEntries(list.map((o) => [o.id, o.displayName])));
    if (agencyId === chat.me.agency.id) await chat.refreshPendingCerts().catch(() => undefined);
  });
  useEffect(() => void load(), [agencyId, certified.length]);
  // Someone new asks for certification: their row (status, name) is refreshed too.
  const pendingKey = pending.map((k) => k.officerId).join(',');
  useEffect(() => {
    if (pendingKey && !pending.every((k) => officers.some((o) => o.id === k.officerId))) void load();
  }, [pendingKey]);

  const [create, creating, createError] = useAction(async () => {
    const res = await chat.api.createOfficer(agencyId, { username: username.trim(), displayName: displayName.trim(), role });
    setCreated({ who: res.officer.displayName, enrolment: res.enrolment });
    setUsername('');
    setDisplayName('');
    setRole('officer');
    await load();
  });
  const [act, , actError] = useAction(async (o: Officer, action: 'suspend' | 'reactivate' | 'unlock') => {
    await chat.api.officerAction(o.id, action);
    // A suspension also revokes the officer's certificate when I hold the agency root (channel owners then remove them).
    if (action === 'suspend') await chat.revokePending();
    await load();
  });
  const [relink, , relinkError] = useAction(async (o: Officer) => setCreated({ who: o.displayName, enrolment: await chat.api.newEnrolment(o.id) }));
  const [showSessions, , sessionsError] = useAction(async (o: Officer) => setSessionsOf({ officer: o, sessions: await chat.api.officerSessions(o.id) }));
  const [endSessions, , endError] = useAction(async (o: Officer) => {
    await chat.api.revokeOfficerSessions(o.id);
    setSessionsOf({ officer: o, sessions: await chat.api.officerSessions(o.id) });
  });
  const [certify, certifying, certifyError] = useAction(async () => {
    await chat.certifyPending();
    await load();
  });

  return (
    <section aria-labelledby="officers-title">
      <h2 id="officers-title">{t('title')}</h2>
      {platform && (
        <label class="field">
          <span class="field-label">{t('agency')}</span>
          <select value={agencyId} onChange={(e) => setAgencyId(e.currentTarget.value)}>
            {Object.values(agencies).map((a: Agency) => (
              <option key={a.id} value={a.id}>
                {a.name} ({a.country})
              </option>
            ))}
          </select>
        </label>
      )}
      {agencyId === chat.me.agency.id && pending.length > 0 && (
        <div class="notice notice-warn" data-testid="pending-certifications">
          <p>{tRich(t, 'pendingIntro', { awaiting: <strong>{t('awaiting', { count: pending.length })}</strong> })}</p>
          <ul>
            {pending.map((k) => (
              <li key={k.officerId}>
                {officers.find((o) => o.id === k.officerId)?.displayName ?? k.officerId} <span class="meta">({t(PENDING_REASON[k.reason])})</span>: <code>{groupFingerprint(k.fingerprint)}</code>
              </li>
            ))}
          </ul>
          <button type="button" disabled={certifying} onClick={() => void certify()}>
            {t('certify')}
          </button>
          <ErrorBox error={certifyError} />
        </div>
      )}
      {certified.length > 0 && <Notice kind="ok">{t('certified', { count: certified.length })}</Notice>}
      <form class="card inline-form" onSubmit={submitHandler(() => void create())} aria-label={t('createTitle')}>
        <h3>{t('createTitle')}</h3>
        <Field label={t('username')} name="new-username" required minLength={3} pattern="[a-zA-Z0-9][a-zA-Z0-9._\-]*" value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
        <Field label={t('fullName')} name="new-display-name" required value={displayName} onInput={(e) => setDisplayName(e.currentTarget.value)} />
        <label class="field">
          <span class="field-label">{t('role')}</span>
          <select name="new-role" value={role} onChange={(e) => setRole(e.currentTarget.value as typeof role)}>
            <option value="officer">{t('roleOfficer')}</option>
            <option value="agency_admin">{t('roleAgencyAdmin')}</option>
          </select>
        </label>
        <button type="submit" disabled={creating}>
          {t('create')}
        </button>
        <ErrorBox error={createError} />
      </form>
      {created && <EnrolmentLink who={created.who} enrolment={created.enrolment} />}
      <ErrorBox error={loadError ?? roleError ?? actError ?? relinkError ?? sessionsError ?? endError} />
      <TableWrap label={t('title')}>
        <table>
          <caption class="sr-only">{t('caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('colName')}</th>
              <th scope="col">{t('username')}</th>
              <th scope="col">{t('role')}</th>
              <th scope="col">{t('colStatus')}</th>
              <th scope="col">{t('colActions')}</th>
            </tr>
          </thead>
          <tbody>
            {officers.map((o) => (
              <tr key={o.id} data-testid="officer-row">
                <td>{o.displayName}</td>
                <td>{o.username}</td>
                <td>
                  {o.id !== chat.me.officer.id && roles.length > 1 && roles.includes(o.role) ? (
                    <select aria-label={t('roleOf', { name: o.displayName })} value={o.role} onChange={(e) => void changeRole(o, e.currentTarget.value as Officer['role'])}>
                      {roles.map((r) => (
                        <option key={r} value={r}>
                          {ROLE_LABEL[r]}
                        </option>
                      ))}
                    </select>
                  ) : (
                    ROLE_LABEL[o.role]
                  )}
                </td>
                <td>
                  {o.status}
                  {o.locked && <span class="tag warn">{t('locked')}</span>}
                </td>
                <td class="actions">
                  {o.id !== chat.me.officer.id && (
                    <>
                      {o.status === 'active' && (
                        <button type="button" class="secondary" onClick={() => confirm(t('confirmSuspend', { name: o.displayName })) && void act(o, 'suspend')}>
                          {t('suspend')}
                        </button>
                      )}
                      {o.status === 'suspended' && (
                        <button type="button" class="secondary" onClick={() => void act(o, 'reactivate')}>
                          {t('reactivate')}
                        </button>
                      )}
                      {o.locked && (
                        <button type="button" class="secondary" onClick={() => void act(o, 'unlock')}>
                          {t('unlock')}
                        </button>
                      )}
                      {o.status === 'invited' && (
                        <button type="button" class="secondary" onClick={() => void relink(o)}>
                          {t('newLink')}
                        </button>
                      )}
                      <button type="button" class="secondary" onClick={() => void showSessions(o)}>
                        {t('sessions')}
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      {sessionsOf && (
        <section class="card" aria-label={t('sessionsOf', { name: sessionsOf.officer.displayName })}>
          <h3>{t('sessionsOf', { name: sessionsOf.officer.displayName })}</h3>
          {sessionsOf.sessions.length === 0 ? (
            <p>{t('noSessions')}</p>
          ) : (
            <ul>
              {sessionsOf.sessions.map((s) => (
                <li key={s.id}>
                  {t('sessionLine', { device: s.deviceLabel, address: s.ip ?? t('unknownAddress'), since: formatDateTime(s.createdAt), lastUsed: formatRelative(s.lastUsedAt) })}
                </li>
              ))}
            </ul>
          )}
          <button type="button" class="danger" onClick={() => void endSessions(sessionsOf.officer)}>
            {t('endAll')}
          </button>
        </section>
      )}
    </section>
  );
}
