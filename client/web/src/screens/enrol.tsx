import { useEffect, useState } from 'preact/hooks';
import { useSession } from '../app-context.ts';
import { ErrorBox, Field, submitHandler, useAction } from '../components/form.tsx';
import { PasswordStrength } from '../components/password-strength.tsx';
import { QrCode } from '../components/qr-code.tsx';
import { useT } from '../i18n/i18n.ts';
import { tRich } from './enrolment-link.tsx';
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
  const t = useT('enrol');

  useEffect(() => {
    lookupEnrolment(token).then(setInfo, setLookupError);
  }, [token]);

  const [begin, beginBusy, beginError] = useAction(async () => {
    const p = passwordProblem(password, confirm, info!.username);
    setProblem(p);
    if (p) return;
    const client = await session.clientFor(info!.username);
    const res = await client.enrolBegin(token, password);
    setStep({ name: 'totp', otpauthUri: res.otpauthUri, secret: res.totpSecret });
  });

  const [complete, completeBusy, completeError] = useAction(async () => {
    await session.client!.enrolComplete(token, code.trim());
    // The token is spent: drop it from the address bar and history.
    history.replaceState(null, '', `${location.pathname}${location.search}#/channels`);
    // replaceState fires no hashchange: tell the router, or it keeps the spent enrolment route and signing
    // out shows "Enrolment link not valid".
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    await session.enrolled(info!.username);
  });

  if (lookupError) {
    return (
      <main class="card narrow" id="main">
        <h1>{t('invalidTitle')}</h1>
        <p>{t('invalidText')}</p>
        <p>
          <a href="#/">{t('goToSignIn')}</a>
        </p>
      </main>
    );
  }
  if (!info) return <main class="card narrow" id="main" aria-busy="true"><p>{t('checking')}</p></main>;

  return (
    <main class="card narrow" id="main">
      <h1>{t('title')}</h1>
      <p>
        {tRich(
          t,
          'enrolmentFor',
          { name: <strong>{info.displayName}</strong>, agency: <strong>{info.agencyName}</strong> },
          { username: info.username, until: formatDateTime(info.expiresAt) },
        )}
      </p>
      {step.name === 'password' && (
        <form onSubmit={submitHandler(() => void begin())} aria-labelledby="enrol-pw">
          <h2 id="enrol-pw">{t('step1')}</h2>
          <p class="hint">{t('passwordHint')}</p>
          <Field label={t('newPassword')} name="password" type="password" autoComplete="new-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
          <PasswordStrength password={password} owner={{ username: info.username, displayName: info.displayName, agencyName: info.agencyName }} />
          <Field label={t('repeatPassword')} name="password-confirm" type="password" autoComplete="new-password" required value={confirm} onInput={(e) => setConfirm(e.currentTarget.value)} />
          {problem && <p class="error" role="alert">{problem}</p>}
          <ErrorBox error={beginError} />
          <button type="submit" disabled={beginBusy}>
            {beginBusy ? t('saving') : t('continue')}
          </button>
        </form>
      )}
      {step.name === 'totp' && (
        <form onSubmit={submitHandler(() => void complete())} aria-labelledby="enrol-totp">
          <h2 id="enrol-totp">{t('step2')}</h2>
          <p>{t('scan')}</p>
          <div class="totp-setup">
            <QrCode text={step.otpauthUri} label={t('qrLabel')} />
            <div>
              <p>{t('manual')}</p>
              <code class="secret" data-testid="totp-secret">
                {step.secret}
              </code>
            </div>
          </div>
          <Field label={t('code')} name="totp" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" maxLength={6} required value={code} onInput={(e) => setCode(e.currentTarget.value)} />
          <ErrorBox error={completeError} />
          <button type="submit" disabled={completeBusy}>
            {completeBusy ? t('checkingCode') : t('confirmCode')}
          </button>
        </form>
      )}
    </main>
  );
}
