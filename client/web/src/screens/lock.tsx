import { useState } from 'preact/hooks';
import { useSession } from '../app-context.ts';
import { ErrorBox, Field, Notice, submitHandler, useAction } from '../components/form.tsx';
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
  return (
    <main class="card narrow lock" id="main" data-testid="lock-screen">
      <h1>Unlock your keys</h1>
      {notice && <Notice>{notice}</Notice>}
      {me && (
        <p>
          Signed in as <strong>{me.officer.displayName}</strong> ({me.officer.username}), {me.agency.name}.
        </p>
      )}
      <form onSubmit={submitHandler(() => void unlock())}>
        <Field label="Key-backup passphrase" name="passphrase" type="password" autoComplete="current-password" required autoFocus value={passphrase} onInput={(e) => setPassphrase(e.currentTarget.value)} />
        <ErrorBox error={error} />
        <button type="submit" disabled={busy}>
          {busy ? 'Unlocking…' : 'Unlock'}
        </button>
      </form>
      <p>
        <button type="button" class="link" onClick={() => void session.signOut()}>
          Sign out
        </button>
      </p>
    </main>
  );
}
