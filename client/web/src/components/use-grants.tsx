import { useEffect, useRef, useState } from 'preact/hooks';
import type { ReceivedMessage } from '../../../sdk/index.ts';
import type { UseGrantPayload, UseGrantRequestPayload } from '../../../../shared/crypto/grant-payload.ts';
import { useChat } from '../app-context.ts';
import { ErrorBox, useAction } from './form.tsx';
import { formatDate, formatDateTime } from '../lib/format.ts';
import { defaultExpiryDate, expiryFromDate, grantText as text, purposesNeedingPermission, type UsePurpose } from '../lib/use-grants.ts';
import { useLanguage } from '../i18n/i18n.ts';
import { useObservable } from '../state/observable.ts';
import type { ChatData } from '../state/chat.ts';

type Grant = UseGrantPayload & { messageId: string };

function agencyName(chat: ChatData, id: string): string {
  return chat.agencies.get()[id]?.name ?? id.slice(0, 8);
}

/** Grant requests and grants are about another message: they have no workflow of their own. */
function permissionApplies(m: ReceivedMessage): boolean {
  return m.payload.kind !== 'use-grant-request' && m.payload.kind !== 'use-grant' && purposesNeedingPermission(m.handling).length > 0;
}

/** The originator's valid grants for a message I hold, refreshed whenever the channel's messages change. */
export function useGrants(m: ReceivedMessage, purpose?: UsePurpose): Grant[] {
  const chat = useChat();
  const messages = useObservable(chat.messagesOf(m.channelId));
  const [grants, setGrants] = useState<Grant[]>([]);
  const restricted = permissionApplies(m);
  useEffect(() => {
    if (!restricted) return;
    let live = true;
    chat.client.codes
      .grants(m.channelId, m.messageId, purpose)
      .then((g) => live && setGrants(g))
      .catch(() => live && setGrants([]));
    return () => {
      live = false;
    };
  }, [m.channelId, m.messageId, purpose, restricted, messages.length, chat]);
  return grants;
}

/** Under an H1/H2 message: the grants that exist, and "Ask to use…" for a recipient. */
export function UseGrantsBar({ message: m }: { message: ReceivedMessage }) {
  useLanguage(); // grantText reads the current language: re-render on a switch
  const chat = useChat();
  const purposes = permissionApplies(m) ? purposesNeedingPermission(m.handling) : [];
  const grants = useGrants(m);
  const [asking, setAsking] = useState(false);
  if (purposes.length === 0) return null;
  const mine = m.senderId === chat.me.officer.id;
  return (
    <div class="use-grants" data-testid="use-grants">
      {grants.length > 0 && (
        <ul class="grants" aria-label={text.grantHeading}>
          {grants.map((g) => (
            <li key={g.messageId} class="tag ok" data-testid="grant-exists">
              {text.granted(text.purposes[g.purpose], agencyName(chat, g.granteeAgencyId), formatDate(g.expiresAt))}
            </li>
          ))}
        </ul>
      )}
      {!mine && (
        <button type="button" class="link" aria-expanded={asking} title={text.askTitle} onClick={() => setAsking(!asking)}>
          {text.ask}
        </button>
      )}
      {asking && <AskToUseDialog message={m} purposes={purposes} onDone={() => setAsking(false)} />}
    </div>
  );
}

function AskToUseDialog({ message: m, purposes, onDone }: { message: ReceivedMessage; purposes: UsePurpose[]; onDone: () => void }) {
  useLanguage(); // grantText reads the current language: re-render on a switch
  const chat = useChat();
  const agencies = useObservable(chat.agencies);
  const channels = useObservable(chat.channels);
  const channel = channels.find((c) => c.id === m.channelId);
  const myAgency = chat.me.agency.id;
  // Third parties: every agency I know of other than mine and the originator's.
  const senderAgency = channel?.members.find((x) => x.officerId === m.senderId)?.agencyId;
  const thirdParties = Object.values(agencies).filter((a) => a.id !== myAgency && a.id !== senderAgency);
  const [purpose, setPurpose] = useState<UsePurpose>(purposes[0]!);
  const [grantee, setGrantee] = useState('');
  const [scope, setScope] = useState('');
  const [sent, setSent] = useState(false);
  const first = useRef<HTMLSelectElement>(null);
  useEffect(() => first.current?.focus(), []);
  const id = `ask-${m.messageId}`;
  const [send, busy, error] = useAction(async () => {
    const granteeAgencyId = purpose === 'onward-to-third-party' ? grantee || thirdParties[0]?.id : undefined;
    await chat.client.codes.requestUse(m.channelId, m.messageId, { purpose, ...(granteeAgencyId ? { granteeAgencyId } : {}), scope: scope.trim() });
    await chat.openChannel(m.channelId);
    setSent(true);
  });
  if (sent)
    return (
      <p role="status">
        {text.asked}{' '}
        <button type="button" class="link" onClick={onDone}>
          {text.cancel}
        </button>
      </p>
    );
  return (
    <div role="dialog" aria-labelledby={`${id}-title`} class="card inline-dialog" onKeyDown={(e) => e.key === 'Escape' && onDone()}>
      <h3 id={`${id}-title`}>{text.askTitle}</h3>
      <form class="inline-form" onSubmit={(e) => (e.preventDefault(), void send())}>
        <label class="field">
          <span class="field-label">{text.purpose}</span>
          <select ref={first} name="use-purpose" value={purpose} onChange={(e) => setPurpose(e.currentTarget.value as UsePurpose)}>
            {purposes.map((p) => (
              <option key={p} value={p}>
                {text.purposes[p]}
              </option>
            ))}
          </select>
        </label>
        {purpose === 'onward-to-third-party' && (
          <label class="field">
            <span class="field-label">{text.grantee}</span>
            <select name="use-grantee" required value={grantee || thirdParties[0]?.id || ''} onChange={(e) => setGrantee(e.currentTarget.value)}>
              {thirdParties.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <label class="field">
          <span class="field-label">{text.scope}</span>
          <textarea name="use-scope" required maxLength={1000} value={scope} onInput={(e) => setScope(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={busy || !scope.trim() || (purpose === 'onward-to-third-party' && thirdParties.length === 0)}>
          {busy ? text.sending : text.send}
        </button>
        <button type="button" onClick={onDone}>
          {text.cancel}
        </button>
        <ErrorBox error={error} />
      </form>
    </div>
  );
}

/** A `use-grant-request` as a card; the originator of the message it is about answers it here. */
export function UseGrantRequestCard({ message: m, payload: p }: { message: ReceivedMessage; payload: UseGrantRequestPayload }) {
  useLanguage(); // grantText reads the current language: re-render on a switch
  const chat = useChat();
  const messages = useObservable(chat.messagesOf(m.channelId));
  const source = messages.find((x) => x.messageId === p.sourceMessageId);
  const originator = source?.senderId === chat.me.officer.id;
  const answered = messages.some((x) => x.payload.kind === 'use-grant' && x.payload.requestMessageId === m.messageId);
  const [expiry, setExpiry] = useState(() => defaultExpiryDate(Date.now()));
  const [scope, setScope] = useState(p.scope);
  const id = `grant-${m.messageId}`;
  const [answer, busy, error] = useAction(async (decision: 'granted' | 'refused') => {
    const expiresAt = expiryFromDate(expiry, Date.now());
    if (decision === 'granted' && expiresAt === null) throw new Error(text.expiry);
    await chat.client.codes.grant(m.channelId, {
      sourceMessageId: p.sourceMessageId,
      requestMessageId: m.messageId,
      purpose: p.purpose,
      granteeAgencyId: p.granteeAgencyId,
      ...(p.granteeOfficerId ? { granteeOfficerId: p.granteeOfficerId } : {}),
      scope: scope.trim() || p.scope,
      expiresAt: expiresAt ?? Date.now() + 1000,
      decision,
    });
    await chat.openChannel(m.channelId);
  });
  return (
    <div class="structured" data-kind="use-grant-request" data-testid="use-grant-request">
      <h3>{text.requestHeading}</h3>
      <dl>
        <dt>{text.about}</dt>
        <dd>{source ? excerpt(source) : text.sourceMissing}</dd>
        <dt>{text.purpose}</dt>
        <dd>{text.purposes[p.purpose]}</dd>
        <dt>{text.requestedBy}</dt>
        <dd>{agencyName(chat, p.granteeAgencyId)}</dd>
      </dl>
      <p class="text">{p.scope}</p>
      {answered ? (
        <p class="hint">{text.answered}</p>
      ) : originator ? (
        <form class="inline-form" aria-label={text.give} onSubmit={(e) => (e.preventDefault(), void answer('granted'))}>
          <label class="field" for={`${id}-expiry`}>
            <span class="field-label">{text.expiry}</span>
            <input id={`${id}-expiry`} type="date" name="grant-expiry" required value={expiry} onInput={(e) => setExpiry(e.currentTarget.value)} />
          </label>
          <label class="field" for={`${id}-scope`}>
            <span class="field-label">{text.conditions}</span>
            <textarea id={`${id}-scope`} name="grant-scope" maxLength={1000} value={scope} onInput={(e) => setScope(e.currentTarget.value)} />
          </label>
          <button type="submit" disabled={busy}>
            {text.give}
          </button>
          <button type="button" disabled={busy} onClick={() => void answer('refused')}>
            {text.decline}
          </button>
          <ErrorBox error={error} />
        </form>
      ) : null}
    </div>
  );
}

/** A `use-grant` (given or declined) as a card. */
export function UseGrantCard({ message: m, payload: p }: { message: ReceivedMessage; payload: UseGrantPayload }) {
  useLanguage(); // grantText reads the current language: re-render on a switch
  const chat = useChat();
  const messages = useObservable(chat.messagesOf(m.channelId));
  const source = messages.find((x) => x.messageId === p.sourceMessageId);
  const granted = p.decision === 'granted';
  return (
    <div class="structured" data-kind="use-grant" data-testid="use-grant" data-decision={p.decision}>
      <h3>{granted ? text.grantHeading : text.declinedHeading}</h3>
      <dl>
        <dt>{text.about}</dt>
        <dd>{source ? excerpt(source) : text.sourceMissing}</dd>
        <dt>{text.purpose}</dt>
        <dd>{text.purposes[p.purpose]}</dd>
        <dt>{text.requestedBy}</dt>
        <dd>{agencyName(chat, p.granteeAgencyId)}</dd>
        {granted && (
          <>
            <dt>{text.expiry}</dt>
            <dd>
              <time dateTime={new Date(p.expiresAt).toISOString()}>{formatDateTime(p.expiresAt)}</time>
              {p.expiresAt <= Date.now() ? ` (${text.expired})` : ''}
            </dd>
          </>
        )}
      </dl>
      <p class="text">{p.scope}</p>
    </div>
  );
}

function excerpt(m: ReceivedMessage): string {
  const p = m.payload;
  const s = 'text' in p && typeof p.text === 'string' ? p.text : p.kind;
  return `${m.handling} · ${s.length > 80 ? `${s.slice(0, 79)}…` : s}`;
}
