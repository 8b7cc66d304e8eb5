import { useState } from 'preact/hooks';
import { useSession } from '../app-context.ts';
import { ErrorBox, Field, Notice, submitHandler, useAction } from '../components/form.tsx';
import { passphraseProblem } from '../lib/password.ts';
import { useObservable } from '../state/observable.ts';

/** Step 3 of enrolment: keys are generated here; only the backup sealed under the passphrase is uploaded. */
export function CreateIdentityScreen() {
  const session = useSession();
  const { me } = useObservable(session.state);
  const [passphrase, setPassphrase] = useState('');
  const [confirm, setConfirm] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [create, busy, error] = useAction(async () => {
    const p = passphraseProblem(passphrase, confirm);
    setProblem(p);
    if (p) return;
    await session.createIdentity(passphrase);
    location.hash = '#/channels';
  });
  return (
    <main class="card narrow" id="main">
      <h1>Step 3 of 3: your encryption keys</h1>
      <p>
        Your browser now creates your encryption keys{me ? ` for ${me.officer.displayName}` : ''}. They never leave it unprotected: the server only keeps a
        backup sealed with the passphrase you choose here, so you can unlock your keys on another device.
      </p>
      <Notice kind="warn">Nobody can recover this passphrase for you — not your administrator, not the server. Write it down and keep it safe.</Notice>
      <form onSubmit={submitHandler(() => void create())}>
        <Field label="Key-backup passphrase" name="passphrase" type="password" autoComplete="new-password" required value={passphrase} onInput={(e) => setPassphrase(e.currentTarget.value)} hint="At least 12 characters; different from your password." />
        <Field label="Repeat the passphrase" name="passphrase-confirm" type="password" autoComplete="new-password" required value={confirm} onInput={(e) => setConfirm(e.currentTarget.value)} />
        {problem && <p class="error" role="alert">{problem}</p>}
        <ErrorBox error={error} />
        <button type="submit" disabled={busy}>
          {busy ? 'Generating keys…' : 'Create my keys'}
        </button>
        {busy && <p class="hint" aria-live="polite">Sealing the backup takes a few seconds (deliberately slow to resist guessing).</p>}
      </form>
    </main>
  );
}
