import { useState } from 'preact/hooks';
import { useSession } from '../app-context.ts';
import { ErrorBox, Field, Notice, submitHandler, useAction } from '../components/form.tsx';
import { useObservable } from '../state/observable.ts';

export function SignInScreen() {
  const session = useSession();
  const { notice } = useObservable(session.state);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [signIn, busy, error] = useAction(() => session.signIn({ username: username.trim(), password, totp: totp.trim() }));
  return (
    <main class="card narrow" id="main">
      <h1>Sign in to Liaison</h1>
      {notice && <Notice>{notice}</Notice>}
      <form onSubmit={submitHandler(() => void signIn())}>
        <Field label="Username" name="username" autoComplete="username" required value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
        <Field label="Password" name="password" type="password" autoComplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        <Field label="Authentication code" name="totp" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" maxLength={6} required value={totp} onInput={(e) => setTotp(e.currentTarget.value)} hint="The 6-digit code from your authenticator app." />
        <ErrorBox error={error} />
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p class="hint">New officer? Open the enrolment link your administrator gave you.</p>
    </main>
  );
}
