import { useEffect, useState } from 'preact/hooks';
import type { ChannelInfo, ChannelMemberInfo } from '../../../sdk/index.ts';
import { useChat, useSession } from '../app-context.ts';
import { ErrorBox, submitHandler, useAction } from '../components/form.tsx';
import { useObservable } from '../state/observable.ts';

interface Pin {
  verified: boolean;
  changed: unknown;
}

/** Members with their safety numbers: compare them out of band, then mark verified. */
export function MembersPanel({ channel }: { channel: ChannelInfo }) {
  const chat = useChat();
  const names = useObservable(chat.names);
  const agencies = useObservable(chat.agencies);
  const [members, setMembers] = useState<ChannelMemberInfo[]>([]);
  const [load, , loadError] = useAction(async () => setMembers(await chat.client.members(channel.id)));
  const [newMember, setNewMember] = useState('');
  const iAmOwner = channel.members.some((m) => m.officerId === chat.me.officer.id && m.role === 'owner');
  const [add, adding, addError] = useAction(async () => {
    const res = await chat.client.addMember(channel.id, newMember.trim());
    setNewMember('');
    setAddResult(res === 'added' ? 'Added.' : 'Invitation sent; they join when they accept.');
    await load();
  });
  const [addResult, setAddResult] = useState<string | null>(null);
  useEffect(() => void load(), [channel.id, channel.headSeq]);
  const candidates = Object.entries(names).filter(([id]) => !members.some((m) => m.officerId === id));
  return (
    <section class="members" id="members-panel" aria-label="Members">
      <h3>Members</h3>
      <ErrorBox error={loadError} />
      <ul>
        {members.map((m) => (
          <MemberRow key={m.officerId} member={m} name={names[m.officerId] ?? chat.nameOf(m.officerId)} agency={agencies[m.agencyId]?.name ?? 'another agency'} />
        ))}
      </ul>
      {iAmOwner && !channel.readOnly && (
        <form onSubmit={submitHandler(() => void add())} class="inline-form">
          <label class="field">
            <span class="field-label">Add a member (officer)</span>
            <input list="member-candidates" name="new-member" value={newMember} onInput={(e) => setNewMember(e.currentTarget.value)} placeholder="Officer id" required />
            <datalist id="member-candidates">
              {candidates.map(([id, name]) => (
                <option key={id} value={id}>
                  {name}
                </option>
              ))}
            </datalist>
          </label>
          <button type="submit" disabled={adding}>
            Add
          </button>
          {addResult && <span role="status">{addResult}</span>}
          <ErrorBox error={addError} />
        </form>
      )}
    </section>
  );
}

function MemberRow({ member, name, agency }: { member: ChannelMemberInfo; name: string; agency: string }) {
  const chat = useChat();
  const session = useSession();
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
        <strong>{me ? `${name} (you)` : name}</strong> · {agency} · {member.role}
      </div>
      {!me && (
        <div class="safety">
          {changed && (
            <p class="notice notice-danger" role="alert">
              {name}’s key changed. Compare the new safety number with them (in person or by phone) before marking it verified.
            </p>
          )}
          {digits ? (
            <p>
              Safety number: <code class="digits" aria-label={`Safety number with ${name}`}>{digits.join(' ')}</code>
            </p>
          ) : (
            !changed && !error && <p class="hint">Computing safety number…</p>
          )}
          {pin?.verified && !changed ? (
            <span class="tag ok">Verified</span>
          ) : (
            <button type="button" disabled={verifying} onClick={() => void verify()}>
              Mark verified
            </button>
          )}
          <ErrorBox error={verifyError ?? (changed ? null : error)} />
        </div>
      )}
    </li>
  );
}
