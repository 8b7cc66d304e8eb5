import { useState } from 'preact/hooks';
import { useSession } from '../app-context.ts';
import { ErrorBox, Field, Notice, submitHandler, useAction } from '../components/form.tsx';
import { useT } from '../i18n/i18n.ts';
import { tRich } from './enrolment-link.tsx';
import { useObservable } from '../state/observable.ts';

/** Signed in, keys not in memory: after sign-in, a reload, or the idle lock. */
export function LockScreen() {
  const session = useSession();
  const { me, notice } = useObservable(session.state);
  const [passphrase, setPassphrase] = useState('');
  const [unlock, busy, error] = useAction(async () => {
    await session.unlock(passphrase);
    setPassphrase('');
    if (!location.hash || location.hash === '#/') location.hash = '#/channels';
  });
  const t = useT('lock');
  return (
    <main class="card narrow lock" id="main" data-testid="lock-screen">
      <h1>{t('title')}</h1>
      {notice && <Notice>{notice}</Notice>}
      {me && (
        <p>{tRich(t, 'signedInAs', { name: <strong>{me.officer.displayName}</strong> }, { username: me.officer.username, agency: me.agency.name })}</p>
      )}
      <form onSubmit={submitHandler(() => void unlock())}>
        <Field label={t('passphrase')} name="passphrase" type="password" autoComplete="current-password" required autoFocus value={passphrase} onInput={(e) => setPassphrase(e.currentTarget.value)} />
        <ErrorBox error={error} />
        <button type="submit" disabled={busy}>
          {busy ? t('unlocking') : t('unlock')}
        </button>
      </form>
      <p>
        <button type="button" class="link" onClick={() => void session.signOut()}>
          {t('signOut')}
        </button>
      </p>
    </main>
  );
}
