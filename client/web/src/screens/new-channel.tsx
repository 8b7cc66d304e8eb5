import { useState } from 'preact/hooks';
import { useChat } from '../app-context.ts';
import { CheckboxGroup, ErrorBox, Field, submitHandler, useAction } from '../components/form.tsx';
import { ProfileFields } from '../components/profile-fields.tsx';
import { policyInput, type ProfileChoice } from '../lib/profiles.ts';
import { useObservable } from '../state/observable.ts';

export function NewChannel() {
  const chat = useChat();
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
      <h2 id="new-channel-title">New channel</h2>
      <label class="field">
        <span class="field-label">Kind</span>
        <select name="kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as typeof kind)}>
          <option value="case">Case (an investigation with partner agencies)</option>
          <option value="team">Team (your own agency)</option>
          <option value="direct">Direct (one other officer)</option>
        </select>
      </label>
      <Field label="Title" name="title" required maxLength={200} value={title} onInput={(e) => setTitle(e.currentTarget.value)} hint="Encrypted: the server never sees it." />
      <Field label="Case reference (optional)" name="caseRef" value={caseRef} onInput={(e) => setCaseRef(e.currentTarget.value)} />
      <label class="field">
        <span class="field-label">Agreement</span>
        <select name="agreement" value={agreementId} onChange={(e) => setAgreementId(e.currentTarget.value)}>
          <option value="">None (own agency only)</option>
          {agreements.map((a) => (
            <option key={a.id} value={a.id}>
              {a.title}
            </option>
          ))}
        </select>
        <small class="hint">Officers of other agencies can only join under an active agreement covering their agency.</small>
      </label>
      <ProfileFields value={profile} onChange={setProfile} />
      <CheckboxGroup
        legend="Members"
        options={others.map(([id]) => id)}
        selected={selected}
        onChange={setSelected}
        label={(id) => others.find(([o]) => o === id)?.[1] ?? id}
      >
        {others.length === 0 && <p class="hint">Nobody known yet: search the directory, or enter officer ids below.</p>}
        <Field label="Other officer ids (comma-separated)" name="member-ids" value={extra} onInput={(e) => setExtra(e.currentTarget.value)} />
      </CheckboxGroup>
      <p class="hint">Officers of your agency are added at once; officers of other agencies receive an invitation.</p>
      <ErrorBox error={error} />
      <button type="submit" disabled={busy}>
        {busy ? 'Creating…' : 'Create channel'}
      </button>
    </form>
  );
}
