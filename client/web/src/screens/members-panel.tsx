import { useEffect, useState } from 'preact/hooks';
import type { ChannelInfo, ChannelMemberInfo } from '../../../sdk/index.ts';
import { useChat, useSession } from '../app-context.ts';
import { ErrorBox, useAction } from '../components/form.tsx';
import { memberCandidates, type Candidate } from '../lib/people.ts';
import { useObservable } from '../state/observable.ts';
import { useT } from '../i18n/i18n.ts';

interface Pin {
  verified: boolean;
  changed: unknown;
}

/** Members with their safety numbers: compare them out of band, then mark verified. */
export function MembersPanel({ channel, onClose }: { channel: ChannelInfo; onClose?: () => void }) {
  const chat = useChat();
  const t = useT('members-panel');
  const names = useObservable(chat.names);
  const agencies = useObservable(chat.agencies);
  const [members, setMembers] = useState<ChannelMemberInfo[]>([]);
  const [load, , loadError] = useAction(async () => setMembers(await chat.client.members(channel.id)));
  const [query, setQuery] = useState('');
  const [sources, setSources] = useState<Parameters<typeof memberCandidates>[1]>({ officers: [], agencyName: chat.me.agency.name, entries: [] });
  const iAmOwner = channel.members.some((m) => m.officerId === chat.me.officer.id && m.role === 'owner');
  const [addResult, setAddResult] = useState<string | null>(null);
  const [add, adding, addError] = useAction(async (c: Candidate) => {
    const res = await chat.client.addMember(channel.id, c.officerId);
    chat.learnNames({ [c.officerId]: c.name });
    setQuery('');
    setAddResult(res === 'added' ? t('added', { name: c.name }) : t('invited', { name: c.name }));
    await load();
  });
  const [remove, , removeError] = useAction(async (officerId: string) => {
    await chat.client.removeMember(channel.id, officerId);
    setAddResult(null);
    await Promise.all([load(), chat.refreshChannels()]);
  });
  // Whom to add: own agency's officers (administrators can list them) and directory entries with an officer.
  const [search] = useAction(async (q: string) => {
    const [officers, page] = await Promise.all([
      chat.me.officer.role !== 'officer' ? chat.api.officers(chat.me.agency.id).catch(() => []) : Promise.resolve([]),
      chat.api.directory({ ...(q.trim() ? { q: q.trim() } : {}), limit: 50 }).catch(() => null),
    ]);
    setSources({ officers, agencyName: chat.me.agency.name, entries: page?.entries ?? [] });
  });
  useEffect(() => void load(), [channel.id, channel.headSeq]);
  useEffect(() => {
    if (!iAmOwner || channel.readOnly) return;
    const t = setTimeout(() => void search(query), 250);
    return () => clearTimeout(t);
  }, [query, iAmOwner]);
  const candidates = memberCandidates(query, sources, new Set(members.map((m) => m.officerId)));
  return (
    <section class="members" id="members-panel" aria-label={t('title')}>
      <div class="members-head">
        <h3>{t('title')}</h3>
        {onClose && (
          <button type="button" class="secondary members-close" onClick={onClose}>
            {t('backToConversation')}
          </button>
        )}
      </div>
      <ErrorBox error={loadError ?? removeError} />
      <ul>
        {members.map((m) => (
          <MemberRow
            key={m.officerId}
            member={m}
            name={names[m.officerId] ?? chat.nameOf(m.officerId)}
            agency={agencies[m.agencyId]?.name ?? t('anotherAgency')}
            onRemove={iAmOwner && !channel.readOnly && m.officerId !== chat.me.officer.id && channel.kind !== 'direct' ? () => void remove(m.officerId) : null}
          />
        ))}
      </ul>
      {iAmOwner && !channel.readOnly && channel.kind !== 'direct' && (
        <div class="add-member">
          <label class="field">
            <span class="field-label">{t('addMember')}</span>
            <input type="search" name="member-search" value={query} onInput={(e) => setQuery(e.currentTarget.value)} placeholder={t('searchPlaceholder')} aria-describedby="member-search-hint" />
            <small id="member-search-hint" class="hint">
              {chat.me.officer.role !== 'officer' ? t('searchHintAdmin') : t('searchHint')}
            </small>
          </label>
          <ul class="candidates" aria-label={t('matching')}>
            {candidates.map((c) => (
              <li key={c.officerId} data-testid="member-candidate">
                <span>
                  <strong>{c.name}</strong> <span class="meta">{c.detail}</span>
                </span>
                <button type="button" class="secondary" disabled={adding} onClick={() => void add(c)}>
                  {t('add')}
                </button>
              </li>
            ))}
            {candidates.length === 0 && <li class="hint">{t('noMatch')}</li>}
          </ul>
          {addResult && <p role="status">{addResult}</p>}
          <ErrorBox error={addError} />
        </div>
      )}
    </section>
  );
}

function MemberRow({ member, name, agency, onRemove }: { member: ChannelMemberInfo; name: string; agency: string; onRemove: (() => void) | null }) {
  const chat = useChat();
  const session = useSession();
  const t = useT('members-panel');
  const me = member.officerId === chat.me.officer.id;
  const [pin, setPin] = useState<Pin | null>(null);
  const [digits, setDigits] = useState<string[] | null>(null);
  const [load, , error] = useAction(async () => {
    setPin((await session.store?.get<Pin>(`pin:officer:${member.officerId}`)) ?? null);
    setDigits((await chat.client.safetyNumber(member.officerId)).groups);
  });
  const [verify, verifying, verifyError] = useAction(async () => {
    await chat.client.markVerified(member.officerId);
    await load();
  });
  useEffect(() => {
    if (!me) void load();
  }, [member.officerId]);
  const changed = !!pin?.changed;
  return (
    <li class="member" data-testid="member">
      <div>
        <strong>{me ? t('nameYou', { name }) : name}</strong> · {agency} · {member.role}
        {onRemove && (
          <button type="button" class="link danger-link" onClick={() => confirm(t('removeConfirm', { name })) && onRemove()}>
            {t('remove')}
          </button>
        )}
      </div>
      {!me && (
        <div class="safety">
          {changed && (
            <p class="notice notice-danger" role="alert">
              {t('keyChanged', { name })}
            </p>
          )}
          {digits ? (
            <p>
              {t('safetyNumber')} <code class="digits" aria-label={t('safetyNumberWith', { name })}>{digits.join(' ')}</code>
            </p>
          ) : (
            !changed && !error && <p class="hint">{t('computing')}</p>
          )}
          {pin?.verified && !changed ? (
            <span class="tag ok">{t('verified')}</span>
          ) : (
            <button type="button" disabled={verifying} onClick={() => void verify()}>
              {t('markVerified')}
            </button>
          )}
          <ErrorBox error={verifyError ?? (changed ? null : error)} />
        </div>
      )}
    </li>
  );
}
