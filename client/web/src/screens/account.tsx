import { useEffect, useRef, useState } from 'preact/hooks';
import type { Session } from '../../../../shared/schemas/auth.ts';
import type { DeviceView } from '../../../../shared/schemas/keys.ts';
import type { CertificateStatus } from '../../../sdk/index.ts';
import { useChat, useSession } from '../app-context.ts';
import { ErrorBox, useAction } from '../components/form.tsx';
import { errorCode } from '../lib/errors.ts';
import { formatDateTime, formatDuration, formatRelative } from '../lib/format.ts';
import type { AccountTab } from '../lib/router.ts';
import { NotificationSettingsScreen } from './notifications.tsx';
import { ThemePicker } from '../components/theme-picker.tsx';

const TABS: { tab: AccountTab; label: string; to: string }[] = [
  { tab: 'overview', label: 'Overview', to: '#/account' },
  { tab: 'notifications', label: 'Notifications', to: '#/account/notifications' },
];

export function AccountScreen({ tab }: { tab: AccountTab }) {
  return (
    <div class="account">
      <nav class="tabs" aria-label="Account">
        {TABS.map((t) => (
          <a key={t.tab} href={t.to} aria-current={t.tab === tab ? 'page' : undefined}>
            {t.label}
          </a>
        ))}
      </nav>
      {tab === 'notifications' ? <NotificationSettingsScreen /> : <AccountOverview />}
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
  return (
    <section class="card" aria-labelledby="account-title">
      <h1 id="account-title">Account</h1>
      <dl>
        <dt>Name</dt>
        <dd>{chat.me.officer.displayName}</dd>
        <dt>Username</dt>
        <dd>{chat.me.officer.username}</dd>
        <dt>Agency</dt>
        <dd>
          {chat.me.agency.name} ({chat.me.agency.country})
        </dd>
        <dt>Role</dt>
        <dd>{chat.me.officer.role.replace('_', ' ')}</dd>
        {cert && (
          <>
            <dt>Certificate</dt>
            <dd data-testid="certificate-status">
              {cert.expired ? 'expired ' : 'valid until '}
              {formatDateTime(cert.expiresAt)}
              {cert.renewalRequestedAt !== null ? ` · renewal requested ${formatDateTime(cert.renewalRequestedAt)}` : ` · renews from ${formatDateTime(cert.renewalDueAt)}`}
            </dd>
          </>
        )}
        <dt>Idle lock</dt>
        <dd>after {formatDuration(session.idleMs)} without activity</dd>
      </dl>
      <ThemePicker />
      <h2>Your sessions</h2>
      <ErrorBox error={loadError ?? revokeError} />
      <ul class="sessions">
        {sessions.map((s) => (
          <li key={s.id}>
            {s.deviceLabel}
            {s.current && <strong> (this browser)</strong>} · {s.ip ?? 'unknown address'} · since {formatDateTime(s.createdAt)} · last used {formatRelative(s.lastUsedAt)}
            {!s.current && (
              <button type="button" class="secondary" onClick={() => void revoke(s.id)}>
                End
              </button>
            )}
          </li>
        ))}
      </ul>
      <button type="button" class="danger" onClick={() => void session.signOut(true)}>
        Sign out everywhere
      </button>
      <DevicesSection />
    </section>
  );
}

/** "Revoke Firefox on Windows"; the added time joins the name when two devices share it. */
function revokeLabel(d: DeviceView, all: readonly DeviceView[]): string {
  const name = d.current ? `this device (${d.name})` : d.name;
  const twin = all.some((o) => o.deviceId !== d.deviceId && o.name === d.name);
  return twin ? `${name}, added ${formatDateTime(d.addedAt)}` : name;
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
    if (d.current) return session.signOut(false, `This device (${d.name}) was revoked and signed out.`);
    setDone(`Revoked ${label}. It is signed out and can no longer send.`);
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
      <h2 id="devices-title">Devices</h2>
      <p class="hint">Each browser or app you unlock Liaison in is a device with its own signing key. Revoke one you no longer use or have lost.</p>
      <ErrorBox error={loadError ?? revokeError} />
      <div role="status" aria-live="polite">
        {done && <p class="notice notice-ok">{done}</p>}
      </div>
      {devices && devices.length === 0 && <p>No devices yet.</p>}
      {devices && devices.length > 0 && (
        <div class="table-wrap">
          <table data-testid="devices">
            <caption class="sr-only">Your devices, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Device</th>
                <th scope="col">Added</th>
                <th scope="col">Last seen</th>
                <th scope="col">Status</th>
                <th scope="col">Actions</th>
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
                      <span class="status status-terminated">Revoked on {formatDateTime(d.revokedAt)}</span>
                    ) : d.current ? (
                      <strong>This device</strong>
                    ) : (
                      <span class="status status-active">Active</span>
                    )}
                  </td>
                  <td>
                    {d.revokedAt === null && (
                      <button
                        type="button"
                        class={d.current ? 'danger' : 'secondary'}
                        aria-label={`Revoke ${revokeLabel(d, devices)}`}
                        aria-expanded={confirming?.deviceId === d.deviceId}
                        aria-controls="revoke-confirm"
                        disabled={revoking}
                        onClick={() => ask(d)}
                      >
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
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
                <strong>Revoke this device ({confirming.name})?</strong> This browser will be signed out at once and its key can no longer send. Messages it sent before stay valid.
              </>
            ) : (
              <>
                Revoke {confirming.name}? It will be signed out and can no longer send. Messages it sent before stay valid.
              </>
            )}
          </p>
          <button type="button" class="danger" disabled={revoking} onClick={() => void revoke(confirming, revokeLabel(confirming, devices))}>
            {`Yes, revoke ${revokeLabel(confirming, devices)}`}
          </button>{' '}
          <button type="button" class="secondary" disabled={revoking} onClick={cancel}>
            Cancel
          </button>
        </div>
      )}
    </section>
  );
}
