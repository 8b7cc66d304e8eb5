import { useState } from 'preact/hooks';
import type { AgencyKind, Enrolment } from '../../../../shared/schemas/accounts.ts';
import { useChat } from '../app-context.ts';
import { ErrorBox, Field, submitHandler, useAction, TableWrap } from '../components/form.tsx';
import { usePoll } from '../components/use-poll.ts';
import { useT } from '../i18n/i18n.ts';
import { formatDate } from '../lib/format.ts';
import { useObservable } from '../state/observable.ts';
import { EnrolmentLink } from './enrolment-link.tsx';

const KINDS = ['ncb', 'police', 'customs', 'border', 'prosecutor', 'fiu', 'other'] as const;
/** Agencies another administrator (or the CLI) registers or suspends show within this time. */
export const AGENCIES_POLL_MS = 30_000;
const EMPTY = { name: '', country: '', kind: 'police', sponsor: '', adminUsername: '', adminName: '' };

export function AdminAgencies() {
  const chat = useChat();
  const agencies = Object.values(useObservable(chat.agencies));
  const [f, setF] = useState(EMPTY);
  const [created, setCreated] = useState<{ who: string; enrolment: Enrolment } | null>(null);
  const set = (k: keyof typeof f) => (e: Event) => setF({ ...f, [k]: (e.currentTarget as HTMLInputElement).value });
  const reload = () => chat.refreshAgencies();
  usePoll(reload, AGENCIES_POLL_MS);
  const [create, busy, error] = useAction(async () => {
    const res = await chat.api.createAgency({
      name: f.name.trim(),
      country: f.country.trim().toUpperCase(),
      // The select offers only AGENCY_KINDS (and the server validates the body).
      kind: f.kind as AgencyKind,
      ...(f.sponsor ? { sponsorAgencyId: f.sponsor } : {}),
      admin: { username: f.adminUsername.trim(), displayName: f.adminName.trim() },
    });
    setCreated({ who: `${res.admin.displayName} (${res.agency.name})`, enrolment: res.enrolment });
    setF(EMPTY);
    await reload();
  });
  const t = useT('admin-agencies');
  const [setStatus, , statusError] = useAction(async (id: string, status: 'active' | 'suspended') => {
    await chat.api.setAgencyStatus(id, status);
    await reload();
  });
  return (
    <section aria-labelledby="agencies-title">
      <h2 id="agencies-title">{t('title')}</h2>
      <form class="card inline-form" onSubmit={submitHandler(() => void create())} aria-label={t('registerLabel')}>
        <h3>{t('registerTitle')}</h3>
        <Field label={t('agencyName')} name="agency-name" required value={f.name} onInput={set('name')} />
        <Field label={t('countryIso')} name="agency-country" required pattern="[A-Za-z]{2}" maxLength={2} value={f.country} onInput={set('country')} />
        <label class="field">
          <span class="field-label">{t('kind')}</span>
          <select name="agency-kind" value={f.kind} onChange={set('kind')}>
            {KINDS.map((k) => (
              <option key={k}>{k}</option>
            ))}
          </select>
        </label>
        <label class="field">
          <span class="field-label">{t('sponsor')}</span>
          <select name="agency-sponsor" value={f.sponsor} onChange={set('sponsor')}>
            <option value="">{t('none')}</option>
            {agencies
              .filter((a) => a.kind === 'ncb')
              .map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name} ({a.country})
                </option>
              ))}
          </select>
        </label>
        <Field label={t('adminUsername')} name="admin-username" required value={f.adminUsername} onInput={set('adminUsername')} />
        <Field label={t('adminName')} name="admin-name" required value={f.adminName} onInput={set('adminName')} />
        <button type="submit" disabled={busy}>
          {t('register')}
        </button>
        <ErrorBox error={error} />
      </form>
      {created && <EnrolmentLink who={created.who} enrolment={created.enrolment} />}
      <ErrorBox error={statusError} />
      <TableWrap label={t('title')}>
        <table>
          <thead>
            <tr>
              <th scope="col">{t('colAgency')}</th>
              <th scope="col">{t('colCountry')}</th>
              <th scope="col">{t('kind')}</th>
              <th scope="col">{t('colStatus')}</th>
              <th scope="col">{t('colSince')}</th>
              <th scope="col">{t('colActions')}</th>
            </tr>
          </thead>
          <tbody>
            {agencies.map((a) => (
              <tr key={a.id}>
                <td>{a.name}</td>
                <td>{a.country}</td>
                <td>{a.kind}</td>
                <td>{a.status}</td>
                <td>{formatDate(a.createdAt)}</td>
                <td>
                  {a.id !== chat.me.agency.id &&
                    (a.status === 'active' ? (
                      <button type="button" class="secondary" onClick={() => confirm(t('confirmSuspend', { name: a.name })) && void setStatus(a.id, 'suspended')}>
                        {t('suspend')}
                      </button>
                    ) : (
                      <button type="button" class="secondary" onClick={() => void setStatus(a.id, 'active')}>
                        {t('reactivate')}
                      </button>
                    ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
    </section>
  );
}
