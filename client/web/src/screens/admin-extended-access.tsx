import { useEffect, useState } from 'preact/hooks';
import { AGREEMENT_SCOPES, type AgreementScope } from '../../../../shared/crypto/agreement.ts';
import { useChat } from '../app-context.ts';
import { CheckboxGroup, ErrorBox, Field, submitHandler, useAction, TableWrap } from '../components/form.tsx';
import { useT } from '../i18n/i18n.ts';
import { formatDate } from '../lib/format.ts';
import type { ExtendedAccessGrant } from '../state/api.ts';
import { useObservable } from '../state/observable.ts';

/** An NCB lets institutions it sponsors work under its agreements, with scope and expiry. */
export function AdminExtendedAccess() {
  const chat = useChat();
  const agencies = useObservable(chat.agencies);
  const [grants, setGrants] = useState<ExtendedAccessGrant[]>([]);
  const sponsored = Object.values(agencies).filter((a) => a.sponsorAgencyId === chat.me.agency.id);
  const [agencyId, setAgencyId] = useState('');
  const [scope, setScope] = useState<string[]>([]);
  // Until the server says otherwise, the default maximum (EXTENDED_ACCESS_MAX_DAYS).
  const [maxDays, setMaxDays] = useState(365);
  const [expires, setExpires] = useState(isoDay(Math.min(180, maxDays)));
  const [load, , loadError] = useAction(async () => {
    const [res] = await Promise.all([chat.api.grants(), chat.refreshAgencies()]);
    setGrants(res.grants);
    setMaxDays(res.maxDays);
    if (expires > isoDay(res.maxDays)) setExpires(isoDay(res.maxDays));
  });
  useEffect(() => void load(), []);
  const [grant, busy, grantError] = useAction(async () => {
    // The checkboxes offer only AGREEMENT_SCOPES (and the server validates the body).
    await chat.api.grant({ agencyId: agencyId || sponsored[0]!.id, scope: scope as AgreementScope[], expiresAt: new Date(expires).getTime() });
    setAgencyId('');
    setScope([]);
    setExpires(isoDay(Math.min(180, maxDays)));
    await load();
  });
  const [revoke, , revokeError] = useAction(async (id: string) => {
    await chat.api.revokeGrant(id);
    await load();
  });
  const name = (id: string) => agencies[id]?.name ?? id;
  const t = useT('admin-extended-access');
  return (
    <section aria-labelledby="ea-title">
      <h2 id="ea-title">{t('title')}</h2>
      {chat.me.agency.kind !== 'ncb' ? (
        <p class="hint">{t('notNcb')}</p>
      ) : sponsored.length === 0 ? (
        <p class="hint">{t('noSponsored')}</p>
      ) : (
        <form class="card inline-form" onSubmit={submitHandler(() => void grant())} aria-label={t('grantLabel')}>
          <label class="field">
            <span class="field-label">{t('institution')}</span>
            <select value={agencyId} onChange={(e) => setAgencyId(e.currentTarget.value)}>
              {sponsored.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                </option>
              ))}
            </select>
          </label>
          <CheckboxGroup legend={t('scope')} options={AGREEMENT_SCOPES} selected={scope} onChange={setScope} />
          <Field
            label={t('expires')}
            name="expires"
            type="date"
            required
            min={isoDay(1)}
            max={isoDay(maxDays)}
            hint={t('expiresHint', { count: maxDays })}
            value={expires}
            onInput={(e) => setExpires(e.currentTarget.value)}
          />
          <button type="submit" disabled={busy || scope.length === 0}>
            {grants.some((g) => g.active && g.agencyId === (agencyId || sponsored[0]?.id)) ? t('renew') : t('grant')}
          </button>
        </form>
      )}
      <ErrorBox error={loadError ?? grantError ?? revokeError} />
      {grants.length === 0 ? (
        <p class="empty">{t('noGrants')}</p>
      ) : (
        <TableWrap label={t('title')}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('colSponsor')}</th>
                <th scope="col">{t('institution')}</th>
                <th scope="col">{t('scope')}</th>
                <th scope="col">{t('expires')}</th>
                <th scope="col">{t('colStatus')}</th>
                <th scope="col">{t('colActions')}</th>
              </tr>
            </thead>
            <tbody>
              {grants.map((g) => (
                <tr key={g.id}>
                  <td>{name(g.sponsorAgencyId)}</td>
                  <td>{name(g.agencyId)}</td>
                  <td>{g.scope.join(', ')}</td>
                  <td>{formatDate(g.expiresAt)}</td>
                  <td>{g.revokedAt ? t('stateRevoked') : g.active ? t('stateActive') : t('stateExpired')}</td>
                  <td>
                    {g.active && g.sponsorAgencyId === chat.me.agency.id && (
                      <button type="button" class="danger" onClick={() => confirm(t('confirmRevoke')) && void revoke(g.id)}>
                        {t('revoke')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
}

/** The calendar day (UTC, YYYY-MM-DD) `days` from now: the date input's value and bounds. */
function isoDay(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}
