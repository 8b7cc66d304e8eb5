import { useState } from 'preact/hooks';
import { useChat } from '../app-context.ts';
import { CheckboxGroup, ErrorBox, Field, submitHandler, useAction } from '../components/form.tsx';
import { ProfileFields } from '../components/profile-fields.tsx';
import { policyInput, type ProfileChoice } from '../lib/profiles.ts';
import { useT } from '../i18n/i18n.ts';
import { useObservable } from '../state/observable.ts';

export function NewChannel() {
  const chat = useChat();
  const t = useT('new-channel');
  const names = useObservable(chat.names);
  const agreements = useObservable(chat.agreements).filter((a) => a.status === 'active');
  const [kind, setKind] = useState<'case' | 'team' | 'direct'>('case');
  const [title, setTitle] = useState('');
  const [caseRef, setCaseRef] = useState('');
  const [agreementId, setAgreementId] = useState('');
  const [profile, setProfile] = useState<ProfileChoice>({ handling: 'tlp-2.0', evaluation: 'none', minimum: 'TLP:GREEN', defaultCode: 'TLP:GREEN' });
  const [selected, setSelected] = useState<string[]>([]);
  const [extra, setExtra] = useState('');
  const [create, busy, error] = useAction(async () => {
    const members = [...selected, ...extra.split(/[\s,]+/).filter(Boolean)];
    const ch = await chat.client.createChannel({
      kind,
      title: title.trim(),
      ...(caseRef.trim() ? { caseRef: caseRef.trim() } : {}),
      agreementId: agreementId || null,
      members: [...new Set(members)],
      policy: policyInput(profile),
    });
    await chat.refreshChannels();
    location.hash = `#/channels/${ch.id}`;
  });
  const others = Object.entries(names).filter(([id]) => id !== chat.me.officer.id);
  return (
    <form class="card" onSubmit={submitHandler(() => void create())} aria-labelledby="new-channel-title">
      <h2 id="new-channel-title">{t('title')}</h2>
      <label class="field">
        <span class="field-label">{t('kind')}</span>
        <select name="kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as typeof kind)}>
          <option value="case">{t('kindCase')}</option>
          <option value="team">{t('kindTeam')}</option>
          <option value="direct">{t('kindDirect')}</option>
        </select>
      </label>
      <Field label={t('titleLabel')} name="title" required maxLength={200} value={title} onInput={(e) => setTitle(e.currentTarget.value)} hint={t('titleHint')} />
      <Field label={t('caseRef')} name="caseRef" value={caseRef} onInput={(e) => setCaseRef(e.currentTarget.value)} />
      <label class="field">
        <span class="field-label">{t('agreement')}</span>
        <select name="agreement" value={agreementId} onChange={(e) => setAgreementId(e.currentTarget.value)}>
          <option value="">{t('agreementNone')}</option>
          {agreements.map((a) => (
            <option key={a.id} value={a.id}>
              {a.title}
            </option>
          ))}
        </select>
        <small class="hint">{t('agreementHint')}</small>
      </label>
      <ProfileFields value={profile} onChange={setProfile} />
      <CheckboxGroup
        legend={t('members')}
        options={others.map(([id]) => id)}
        selected={selected}
        onChange={setSelected}
        label={(id) => others.find(([o]) => o === id)?.[1] ?? id}
      >
        {others.length === 0 && <p class="hint">{t('nobodyKnown')}</p>}
        <Field label={t('otherIds')} name="member-ids" value={extra} onInput={(e) => setExtra(e.currentTarget.value)} />
      </CheckboxGroup>
      <p class="hint">{t('membersHint')}</p>
      <ErrorBox error={error} />
      <button type="submit" disabled={busy}>
        {busy ? t('creating') : t('create')}
      </button>
    </form>
  );
}
