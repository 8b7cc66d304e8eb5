import { useEffect, useRef, useState } from 'preact/hooks';
import { NotifySettings } from '../components/notify-settings.tsx';
import type { Session } from '../../../../shared/schemas/auth.ts';
import type { DeviceView } from '../../../../shared/schemas/keys.ts';
import type { CertificateStatus } from '../../../sdk/index.ts';
import { useChat, useSession } from '../app-context.ts';
import { ErrorBox, useAction, TableWrap } from '../components/form.tsx';
import { LanguagePicker } from '../components/language-picker.tsx';
import { useT, type TFunction } from '../i18n/i18n.ts';
import { errorCode } from '../lib/errors.ts';
import { formatDateTime, formatDuration, formatRelative } from '../lib/format.ts';
import type { AccountTab } from '../lib/router.ts';
import { NotificationSettingsScreen } from './notifications.tsx';
import { ThemePicker } from '../components/theme-picker.tsx';

const TABS: { tab: AccountTab; label: string; to: string }[] = [
  { tab: 'overview', label: 'tabOverview', to: '#/account' },
  { tab: 'notifications', label: 'tabNotifications', to: '#/account/notifications' },
];

/** The role as the account page names it ("agency admin"). */
const ROLE_KEY: Record<string, string> = { officer: 'roleOfficer', agency_admin: 'roleAgencyAdmin', platform_admin: 'rolePlatformAdmin' };

export function AccountScreen({ tab }: { tab: AccountTab }) {
  const t = useT('account');
  return (
    <div class="account">
      <nav class="tabs" aria-label={t('nav')}>
        {TABS.map((x) => (
          <a key={x.tab} href={x.to} aria-current={x.tab === tab ? 'page' : undefined}>
            {t(x.label)}
          </a>
        ))}
      </nav>
      {tab === 'notifications' ? (
        <>
          <NotificationSettingsScreen />
          <NotifySettings />
        </>
      ) : (
        <AccountOverview />
      )}
    </div>
  );
}

function AccountOverview() {
  const chat = useChat();
  const session = useSession();
  const [sessions, setSessions] = useState<Session[]>([]);
  const [cert, setCert] = useState<CertificateStatus | null>(null);
  const [load, , loadError] = useAction(async () => {
    setSessions(await chat.api.sessions());
    // Also asks for a renewal when it is due (PROTOCOL.md §4.2); null while the keys are locked.
    setCert(await chat.client.certificate({ refresh: true }).catch(() => null));
  });
  const [revoke, , revokeError] = useAction(async (id: string) => {
    await chat.api.revokeSession(id);
    await load();
  });
  useEffect(() => void load(), []);
  const t = useT('account');
  const role = chat.me.officer.role;
  return (
    <section class="card" aria-labelledby="account-title">
      <h1 id="account-title">{t('title')}</h1>
      <dl>
        <dt>{t('name')}</dt>
        <dd>{chat.me.officer.displayName}</dd>
        <dt>{t('username')}</dt>
        <dd>{chat.me.officer.username}</dd>
        <dt>{t('agency')}</dt>
        <dd>
          {chat.me.agency.name} ({chat.me.agency.country})
        </dd>
        <dt>{t('role')}</dt>
        <dd>{ROLE_KEY[role] ? t(ROLE_KEY[role]) : role.replace('_', ' ')}</dd>
        {cert && (
          <>
            <dt>{t('certificate')}</dt>
            <dd data-testid="certificate-status">
              {t(cert.expired ? 'certExpired' : 'certValidUntil', { date: formatDateTime(cert.expiresAt) })}
              {cert.renewalRequestedAt !== null
                ? t('certRenewalRequested', { date: formatDateTime(cert.renewalRequestedAt) })
                : t('certRenewsFrom', { date: formatDateTime(cert.renewalDueAt) })}
            </dd>
          </>
        )}
        <dt>{t('idleLock')}</dt>
        <dd>{t('idleAfter', { duration: formatDuration(session.idleMs) })}</dd>
      </dl>
      <LanguagePicker id="account-language" />
      <ThemePicker />
      <h2>{t('yourSessions')}</h2>
      <ErrorBox error={loadError ?? revokeError} />
      <ul class="sessions">
        {sessions.map((s) => (
          <li key={s.id}>
            {s.deviceLabel}
            {s.current && <strong>{t('thisBrowser')}</strong>}
            {t('sessionMeta', { address: s.ip ?? t('unknownAddress'), since: formatDateTime(s.createdAt), lastUsed: formatRelative(s.lastUsedAt) })}
            {!s.current && (
              <button type="button" class="secondary" onClick={() => void revoke(s.id)}>
                {t('end')}
              </button>
            )}
          </li>
        ))}
      </ul>
      <button type="button" class="danger" onClick={() => void session.signOut(true)}>
        {t('signOutEverywhere')}
      </button>
      <DevicesSection />
    </section>
  );
}

/** "Revoke Firefox on Windows"; the added time joins the name when two devices share it. */
function revokeLabel(t: TFunction, d: DeviceView, all: readonly DeviceView[]): string {
  const name = d.current ? t('thisDeviceNamed', { name: d.name }) : d.name;
  const twin = all.some((o) => o.deviceId !== d.deviceId && o.name === d.name);
  return twin ? t('deviceAdded', { name, date: formatDateTime(d.addedAt) }) : name;
}

/**
 * The officer's devices (PROTOCOL.md §4.5): each SDK installation signs with its own key, certified by
 * the identity key. Revoking one withdraws that key with a signed device-revoke event: the device is
 * signed out and can no longer send, and what it sent before stays valid.
 */
function DevicesSection() {
  const chat = useChat();
  const session = useSession();
  const [devices, setDevices] = useState<DeviceView[] | null>(null);
  const [confirming, setConfirming] = useState<DeviceView | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const confirmRef = useRef<HTMLDivElement>(null);
  const t = useT('account');
  const [load, , loadError] = useAction(async () => {
    setDevices(await chat.client.devices.list());
  });
  const [revoke, revoking, revokeError] = useAction(async (d: DeviceView, label: string) => {
    setDone(null);
    try {
      await chat.client.devices.revoke(d.deviceId);
    } catch (err) {
      // Revoked meanwhile from another device, or gone: the list shows what is true now.
      if (errorCode(err) === 'device_revoked' || errorCode(err) === 'not_found') void load();
      throw err;
    } finally {
      setConfirming(null);
    }
    // The server ended this browser's sessions with its device: drop the local session too.
    if (d.current) return session.signOut(false, t('thisDeviceRevoked', { name: d.name }));
    setDone(t('revokedDone', { label }));
    await load();
  });
  useEffect(() => void load(), []);
  // The confirm step takes focus, so keyboard and screen-reader users land on its question.
  useEffect(() => confirmRef.current?.focus(), [confirming]);
  const ask = (d: DeviceView) => {
    setDone(null);
    setConfirming(d);
  };
  // Back to the row's Revoke button, where the officer was.
  const cancel = () => {
    const id = confirming?.deviceId;
    setConfirming(null);
    if (id) document.querySelector<HTMLButtonElement>(`tr[data-device-id="${CSS.escape(id)}"] button`)?.focus();
  };
  return (
    <section aria-labelledby="devices-title">
      <h2 id="devices-title">{t('devices')}</h2>
      <p class="hint">{t('devicesHint')}</p>
      <ErrorBox error={loadError ?? revokeError} />
      <div role="status" aria-live="polite">
        {done && <p class="notice notice-ok">{done}</p>}
      </div>
      {devices && devices.length === 0 && <p>{t('noDevices')}</p>}
      {devices && devices.length > 0 && (
        <TableWrap label={t('devices')}>
          <table data-testid="devices">
            <caption class="sr-only">{t('devicesCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('colDevice')}</th>
                <th scope="col">{t('colAdded')}</th>
                <th scope="col">{t('colLastSeen')}</th>
                <th scope="col">{t('colStatus')}</th>
                <th scope="col">{t('colActions')}</th>
              </tr>
            </thead>
            <tbody>
              {devices.map((d) => (
                <tr key={d.deviceId} data-device-id={d.deviceId}>
                  <th scope="row">{d.name}</th>
                  <td>{formatDateTime(d.addedAt)}</td>
                  <td title={formatDateTime(d.lastSeenAt)}>{formatRelative(d.lastSeenAt)}</td>
                  <td>
                    {d.revokedAt !== null ? (
                      <span class="status status-terminated">{t('revokedOn', { date: formatDateTime(d.revokedAt) })}</span>
                    ) : d.current ? (
                      <strong>{t('thisDevice')}</strong>
                    ) : (
                      <span class="status status-active">{t('active')}</span>
                    )}
                  </td>
                  <td>
                    {d.revokedAt === null && (
                      <button
                        type="button"
                        class={d.current ? 'danger' : 'secondary'}
                        aria-label={t('revokeLabel', { label: revokeLabel(t, d, devices) })}
                        aria-expanded={confirming?.deviceId === d.deviceId}
                        aria-controls="revoke-confirm"
                        disabled={revoking}
                        onClick={() => ask(d)}
                      >
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
      {confirming && devices && (
        <div
          id="revoke-confirm"
          class="notice notice-warn"
          role="group"
          aria-labelledby="revoke-question"
          tabIndex={-1}
          ref={confirmRef}
          onKeyDown={(e) => e.key === 'Escape' && !revoking && cancel()}
        >
          <p id="revoke-question">
            {confirming.current ? (
              <>
                <strong>{t('revokeThisQuestion', { name: confirming.name })}</strong>
                {t('revokeThisWarning')}
              </>
            ) : (
              t('revokeOtherQuestion', { name: confirming.name })
            )}
          </p>
          <button type="button" class="danger" disabled={revoking} onClick={() => void revoke(confirming, revokeLabel(t, confirming, devices))}>
            {t('yesRevoke', { label: revokeLabel(t, confirming, devices) })}
          </button>{' '}
          <button type="button" class="secondary" disabled={revoking} onClick={cancel}>
            {t('cancel')}
          </button>
        </div>
      )}
    </section>
  );
}
