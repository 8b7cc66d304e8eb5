import { useEffect, useState } from 'preact/hooks';
import type { Session } from '../../../../shared/schemas/auth.ts';
import type { CertificateStatus } from '../../../sdk/index.ts';
import { useChat, useSession } from '../app-context.ts';
import { ErrorBox, useAction } from '../components/form.tsx';
import { formatDateTime, formatDuration, formatRelative } from '../lib/format.ts';

export function AccountScreen() {
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
    </section>
  );
}
