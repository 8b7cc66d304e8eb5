import { useState } from 'preact/hooks';
import { useSession } from '../app-context.ts';
import { ErrorBox, Field, Notice, submitHandler, useAction } from '../components/form.tsx';
import { useT } from '../i18n/i18n.ts';
import { passphraseProblem } from '../lib/password.ts';
import { useObservable } from '../state/observable.ts';

/** Step 3 of enrolment: keys are generated here; only the backup sealed under the passphrase is uploaded. */
export function CreateIdentityScreen() {
  const session = useSession();
  const { me } = useObservable(session.state);
  const [passphrase, setPassphrase] = useState('');
  const [confirm, setConfirm] = useState('');
  // The passphrase must differ from the sign-in password (the server sees that one); after a resumed
  // session the SDK does not know it, so it is asked for here. The SDK refuses a reuse either way.
  const [askPassword] = useState(() => session.needsPasswordForKeys);
  const [password, setPassword] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [create, busy, error] = useAction(async () => {
    const p = passphraseProblem(passphrase, confirm, askPassword ? password : undefined);
    setProblem(p);
    if (p) return;
    // The app shell appears as soon as the keys exist, while the rest of the unlock (connect, first
    // load) still runs: land on the channels only if the officer has not already gone elsewhere.
    const from = location.hash;
    await session.createIdentity(passphrase, askPassword ? password : undefined);
    if (location.hash === from && !from.startsWith('#/channels')) location.hash = '#/channels';
  });
  const t = useT('create-identity');
  return (
    <main class="card narrow" id="main">
      <h1>{t('title')}</h1>
      <p>{me ? t('introFor', { name: me.officer.displayName }) : t('intro')}</p>
      <Notice kind="warn">{t('noRecovery')}</Notice>
      <form onSubmit={submitHandler(() => void create())}>
        {askPassword && (
          <Field label={t('password')} name="password" type="password" autoComplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} hint={t('passwordHint')} />
        )}
        <Field label={t('passphrase')} name="passphrase" type="password" autoComplete="new-password" required value={passphrase} onInput={(e) => setPassphrase(e.currentTarget.value)} hint={t('passphraseHint')} />
        <Field label={t('repeat')} name="passphrase-confirm" type="password" autoComplete="new-password" required value={confirm} onInput={(e) => setConfirm(e.currentTarget.value)} />
        {problem && <p class="error" role="alert">{problem}</p>}
        <ErrorBox error={error} />
        <button type="submit" disabled={busy}>
          {busy ? t('generating') : t('create')}
        </button>
        {busy && <p class="hint" aria-live="polite">{t('sealing')}</p>}
      </form>
    </main>
  );
}
