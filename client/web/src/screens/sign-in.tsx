import { useEffect, useState } from 'preact/hooks';
import { useSession } from '../app-context.ts';
import { ErrorBox, Field, Notice, submitHandler, useAction } from '../components/form.tsx';
import { LanguagePicker } from '../components/language-picker.tsx';
import { useT } from '../i18n/i18n.ts';
import { errorCode, waitText } from '../lib/errors.ts';
import { useObservable } from '../state/observable.ts';

/** Seconds left of a sign-in back-off the server announced (0 when none), counting down. */
function useBackoff(error: unknown): number {
  const [left, setLeft] = useState(0);
  useEffect(() => {
    const seconds = (error as { details?: { retryAfterSeconds?: unknown } } | null)?.details?.retryAfterSeconds;
    if (errorCode(error) !== 'login_throttled' || typeof seconds !== 'number') return setLeft(0);
    const until = Date.now() + seconds * 1000;
    const tick = () => setLeft(Math.max(0, Math.ceil((until - Date.now()) / 1000)));
    tick();
    const timer = setInterval(tick, 1000);
    return () => clearInterval(timer);
  }, [error]);
  return left;
}

export function SignInScreen() {
  const session = useSession();
  const { notice } = useObservable(session.state);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [signIn, busy, error] = useAction(() => session.signIn({ username: username.trim(), password, totp: totp.trim() }));
  const wait = useBackoff(error);
  const t = useT('sign-in');
  return (
    <main class="card narrow" id="main">
      <h1>{t('title')}</h1>
      {notice && <Notice>{notice}</Notice>}
      <form onSubmit={submitHandler(() => void signIn())}>
        <Field label={t('username')} name="username" autoComplete="username" required value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
        <Field label={t('password')} name="password" type="password" autoComplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        <Field label={t('totp')} name="totp" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" maxLength={6} required value={totp} onInput={(e) => setTotp(e.currentTarget.value)} hint={t('totpHint')} />
        <ErrorBox error={error} />
        <button type="submit" disabled={busy || wait > 0}>
          {busy ? t('signingIn') : wait > 0 ? t('signInWait', { wait: waitText(wait) }) : t('signIn')}
        </button>
      </form>
      <p class="hint">{t('newOfficer')}</p>
      <LanguagePicker />
    </main>
  );
}
