import { useEffect, useState } from 'preact/hooks';
import { useSession } from '../app-context.ts';
import { ErrorBox, Field, submitHandler, useAction } from '../components/form.tsx';
import { PasswordStrength } from '../components/password-strength.tsx';
import { QrCode } from '../components/qr-code.tsx';
import { lookupEnrolment, type EnrolmentInfo } from '../state/api.ts';
import { passwordProblem } from '../lib/password.ts';
import { formatDateTime } from '../lib/format.ts';

type Step = { name: 'password' } | { name: 'totp'; otpauthUri: string; secret: string };

/** Steps 1–2 of enrolment: password, then the TOTP second factor. Step 3 (keys) is CreateIdentity. */
export function EnrolScreen({ token }: { token: string }) {
  const session = useSession();
  const [info, setInfo] = useState<EnrolmentInfo | null>(null);
  const [lookupError, setLookupError] = useState<unknown>(null);
  const [step, setStep] = useState<Step>({ name: 'password' });
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [code, setCode] = useState('');
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    lookupEnrolment(token).then(setInfo, setLookupError);
  }, [token]);

  const [begin, beginBusy, beginError] = useAction(async () => {
    const p = passwordProblem(password, confirm, info!.username);
    setProblem(p);
    if (p) return;
    const client = session.clientFor(info!.username);
    const res = await client.enrolBegin(token, password);
    setStep({ name: 'totp', otpauthUri: res.otpauthUri, secret: res.totpSecret });
  });

  const [complete, completeBusy, completeError] = useAction(async () => {
    await session.client!.enrolComplete(token, code.trim());
    // The token is spent: drop it from the address bar and history.
    history.replaceState(null, '', `${location.pathname}${location.search}#/channels`);
    await session.enrolled(info!.username);
  });

  if (lookupError) {
    return (
      <main class="card narrow" id="main">
        <h1>Enrolment link not valid</h1>
        <p>This link is unknown, expired or already used. Ask your administrator for a new one.</p>
        <p>
          <a href="#/">Go to sign-in</a>
        </p>
      </main>
    );
  }
  if (!info) return <main class="card narrow" id="main" aria-busy="true"><p>Checking your enrolment link…</p></main>;

  return (
    <main class="card narrow" id="main">
      <h1>Welcome to Liaison</h1>
      <p>
        Enrolment for <strong>{info.displayName}</strong> ({info.username}) at <strong>{info.agencyName}</strong>. Link valid until{' '}
        {formatDateTime(info.expiresAt)}.
      </p>
      {step.name === 'password' && (
        <form onSubmit={submitHandler(() => void begin())} aria-labelledby="enrol-pw">
          <h2 id="enrol-pw">Step 1 of 3: choose a password</h2>
          <p class="hint">At least 12 characters. A few unrelated words make a strong, memorable password.</p>
          <Field label="New password" name="password" type="password" autoComplete="new-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
          <PasswordStrength password={password} owner={{ username: info.username, displayName: info.displayName, agencyName: info.agencyName }} />
          <Field label="Repeat the password" name="password-confirm" type="password" autoComplete="new-password" required value={confirm} onInput={(e) => setConfirm(e.currentTarget.value)} />
          {problem && <p class="error" role="alert">{problem}</p>}
          <ErrorBox error={beginError} />
          <button type="submit" disabled={beginBusy}>
            {beginBusy ? 'Saving…' : 'Continue'}
          </button>
        </form>
      )}
      {step.name === 'totp' && (
        <form onSubmit={submitHandler(() => void complete())} aria-labelledby="enrol-totp">
          <h2 id="enrol-totp">Step 2 of 3: set up your authentication code</h2>
          <p>Scan this code with an authenticator app (FreeOTP, Aegis, Google Authenticator…), then type the 6-digit code it shows.</p>
          <div class="totp-setup">
            <QrCode text={step.otpauthUri} label="QR code for your authenticator app" />
            <div>
              <p>Cannot scan? Enter this key manually (time-based, 6 digits, 30 s):</p>
              <code class="secret" data-testid="totp-secret">
                {step.secret}
              </code>
            </div>
          </div>
          <Field label="Code from the app" name="totp" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" maxLength={6} required value={code} onInput={(e) => setCode(e.currentTarget.value)} />
          <ErrorBox error={completeError} />
          <button type="submit" disabled={completeBusy}>
            {completeBusy ? 'Checking…' : 'Confirm code'}
          </button>
        </form>
      )}
    </main>
  );
}
