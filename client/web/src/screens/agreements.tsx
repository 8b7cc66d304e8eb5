import { useEffect, useState } from 'preact/hooks';
import { AGREEMENT_SCOPES } from '../../../../shared/crypto/agreement.ts';
import type { Agreement } from '../../../../shared/schemas/agreements.ts';
import type { AgreementVerification } from '../../../sdk/index.ts';
import { useChat } from '../app-context.ts';
import { CheckboxGroup, ErrorBox, Field, Notice, submitHandler, useAction } from '../components/form.tsx';
import { useT } from '../i18n/i18n.ts';
import { formatDate, formatDateTime } from '../lib/format.ts';
import { useObservable } from '../state/observable.ts';

/** An agreement's status: the key of its short name (list) and of its explanation (detail). */
const STATUS_KEY: Record<string, string> = {
  proposed: 'Proposed',
  scheduled: 'Scheduled',
  active: 'Active',
  suspended: 'Suspended',
  terminated: 'Terminated',
  expired: 'Expired',
};

export function AgreementsScreen({ agreementId }: { agreementId: string | null }) {
  const chat = useChat();
  const agreements = useObservable(chat.agreements);
  const agencies = useObservable(chat.agencies);
  const admin = chat.me.officer.role !== 'officer';
  useEffect(() => void chat.refreshAgreements(), []);
  const t = useT('agreements');
  return (
    <div class={`split ${agreementId ? 'has-detail' : ''}`}>
      <section class="list-pane" aria-label={t('title')}>
        <div class="pane-head">
          <h1>{t('title')}</h1>
          {admin && (
            <a class="button" href="#/agreements/new">
              {t('propose')}
            </a>
          )}
        </div>
        {agreements.length === 0 && <p class="empty">{t('none')}</p>}
        <ul class="entry-list">
          {agreements.map((a) => (
            <li key={a.id}>
              <a href={`#/agreements/${a.id}`} aria-current={a.id === agreementId ? 'page' : undefined}>
                <span class="title">{a.title}</span>
                <span class="meta">
                  <span class={`status status-${a.status}`}>{STATUS_KEY[a.status] ? t(`state${STATUS_KEY[a.status]}`) : a.status}</span> · {a.parties.map((p) => agencies[p.agencyId]?.name ?? p.agencyId).join(', ')}
                </span>
              </a>
            </li>
          ))}
        </ul>
      </section>
      <section class="detail-pane">
        {agreementId === 'new' ? <ProposeAgreement /> : agreementId ? <AgreementDetail key={agreementId} id={agreementId} /> : <p class="empty">{t('choose')}</p>}
      </section>
    </div>
  );
}

function AgreementDetail({ id }: { id: string }) {
  const chat = useChat();
  const agencies = useObservable(chat.agencies);
  const [a, setA] = useState<Agreement | null>(null);
  const [verification, setVerification] = useState<AgreementVerification | null>(null);
  const [load, , loadError] = useAction(async () => {
    const ag = await chat.client.agreement(id);
    setA(ag);
    setVerification(await chat.client.verifyAgreement(ag).catch(() => null));
  });
  const [sign, signing, signError] = useAction(async () => {
    await chat.client.signAgreement(id);
    await Promise.all([load(), chat.refreshAgreements()]);
  });
  const [transition, , transitionError] = useAction(async (kind: 'suspend' | 'reactivate' | 'terminate') => {
    await chat.api.agreementAction(id, kind);
    await Promise.all([load(), chat.refreshAgreements()]);
  });
  useEffect(() => void load(), [id]);
  const t = useT('agreements');
  if (loadError) return <ErrorBox error={loadError} />;
  if (!a) return <p aria-busy="true">{t('loading')}</p>;
  const admin = chat.me.officer.role !== 'officer';
  const myParty = a.parties.find((p) => p.agencyId === chat.me.agency.id);
  // Each party lifts only its own suspension (an older suspension with no recorded holder: any party).
  const suspendedByMe = a.suspendedBy.some((s) => s.agencyId === chat.me.agency.id);
  const mayLift = suspendedByMe || a.suspendedBy.length === 0;
  return (
    <article class="card agreement" aria-labelledby="agreement-title">
      <a class="back" href="#/agreements">
        {t('back')}
      </a>
      <h2 id="agreement-title">{a.title}</h2>
      <p>
        <span class={`status status-${a.status}`}>{STATUS_KEY[a.status] ? t(`status${STATUS_KEY[a.status]}`) : a.status}</span>
      </p>
      <dl>
        <dt>{t('valid')}</dt>
        <dd>
          {formatDate(a.validFrom)} – {formatDate(a.validUntil)}
        </dd>
        <dt>{t('scope')}</dt>
        <dd>{a.scope.join(', ')}</dd>
        {a.status === 'suspended' && a.suspendedBy.length > 0 && (
          <>
            <dt>{t('suspendedBy')}</dt>
            <dd>
              {a.suspendedBy.map((h) => t('suspendedByOne', { agency: agencies[h.agencyId]?.name ?? h.agencyId, date: formatDateTime(h.suspendedAt) })).join(', ')}
            </dd>
          </>
        )}
        <dt>{t('version')}</dt>
        <dd>{a.version}</dd>
        <dt>{t('textHash')}</dt>
        <dd>
          <code>{a.textHash}</code>
        </dd>
      </dl>
      <h3>{t('parties')}</h3>
      <ul class="parties">
        {a.parties.map((p) => (
          <li key={p.agencyId}>
            {t('party', { agency: agencies[p.agencyId]?.name ?? p.agencyId, state: p.signedAt ? t('signedAt', { date: formatDateTime(p.signedAt) }) : t('notSigned') })}
          </li>
        ))}
      </ul>
      {verification && (
        <Notice kind={verification.valid ? 'ok' : 'warn'}>
          {verification.valid ? t('verified') : t('notVerified')}
        </Notice>
      )}
      <h3>{t('canonicalText')}</h3>
      <pre class="agreement-text" tabIndex={0}>
        {a.text}
      </pre>
      {admin && myParty && !myParty.signedAt && a.status === 'proposed' && (
        <div>
          <p>{t('signingNote')}</p>
          <button type="button" disabled={signing} onClick={() => void sign()}>
            {t('signFor', { agency: chat.me.agency.name })}
          </button>
        </div>
      )}
      {admin && myParty && (
        <div class="actions">
          {(a.status === 'active' || (a.status === 'suspended' && !suspendedByMe && a.suspendedBy.length > 0)) && (
            <button type="button" class="secondary" onClick={() => void transition('suspend')}>
              {t('suspend')}
            </button>
          )}
          {a.status === 'suspended' && mayLift && (
            <button type="button" class="secondary" onClick={() => void transition('reactivate')}>
              {a.suspendedBy.length > 1 ? t('liftOurs') : t('reactivate')}
            </button>
          )}
          {(a.status === 'active' || a.status === 'suspended' || a.status === 'scheduled') && (
            <button type="button" class="danger" onClick={() => confirm(t('confirmTerminate')) && void transition('terminate')}>
              {t('terminate')}
            </button>
          )}
        </div>
      )}
      <ErrorBox error={signError ?? transitionError} />
    </article>
  );
}

function ProposeAgreement() {
  const chat = useChat();
  const agencies = Object.values(useObservable(chat.agencies)).filter((a) => a.id !== chat.me.agency.id);
  const today = new Date().toISOString().slice(0, 10);
  const nextYear = new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10);
  const [title, setTitle] = useState('');
  const [text, setText] = useState('');
  const [parties, setParties] = useState<string[]>([]);
  const [scope, setScope] = useState<(typeof AGREEMENT_SCOPES)[number][]>(['drug-trafficking']);
  const [from, setFrom] = useState(today);
  const [until, setUntil] = useState(nextYear);
  const [propose, busy, error] = useAction(async () => {
    const a = await chat.client.proposeAgreement({
      parties: [chat.me.agency.id, ...parties],
      scope,
      validFrom: from === today ? Date.now() : new Date(from).getTime(),
      validUntil: new Date(until).getTime(),
      title: title.trim(),
      text,
    });
    await chat.refreshAgreements();
    location.hash = `#/agreements/${a.id}`;
  });
  const t = useT('agreements');
  return (
    <form class="card" onSubmit={submitHandler(() => void propose())} aria-labelledby="propose-title">
      <h2 id="propose-title">{t('proposeTitle')}</h2>
      <Field label={t('agreementTitle')} name="title" required value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
      <CheckboxGroup
        legend={t('partners')}
        options={agencies.map((a) => a.id)}
        selected={parties}
        onChange={setParties}
        label={(id) => {
          const a = agencies.find((x) => x.id === id)!;
          return `${a.name} (${a.country})`;
        }}
      />
      <CheckboxGroup legend={t('scope')} options={AGREEMENT_SCOPES} selected={scope} onChange={setScope} />
      <Field label={t('validFrom')} name="validFrom" type="date" required value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
      <Field label={t('validUntil')} name="validUntil" type="date" required value={until} onInput={(e) => setUntil(e.currentTarget.value)} />
      <label class="field">
        <span class="field-label">{t('text')}</span>
        <textarea name="text" rows={8} required value={text} onInput={(e) => setText(e.currentTarget.value)} />
      </label>
      <ErrorBox error={error} />
      <button type="submit" disabled={busy || parties.length === 0}>
        {t('propose')}
      </button>
    </form>
  );
}
