import { useEffect, useRef, useState } from 'preact/hooks';
import type { DeskInboxItem, HandoverNote } from '../../../sdk/index.ts';
import type { Desk } from '../../../../shared/schemas/desks.ts';
import { useChat } from '../app-context.ts';
import { useLanguage } from '../i18n/i18n.ts';
import { ErrorBox, useAction } from '../components/form.tsx';
import { inboxText as text, requestText, sections, unopenedText, type InboxSection } from '../lib/desk-inbox.ts';
import { errorCode } from '../lib/errors.ts';
import { absoluteTime, PRIORITY_TEXT, sinceText } from '../lib/pages.ts';
import { navigate } from '../lib/router.ts';
import { browserTimeZone } from '../lib/zones.ts';
import { useObservable } from '../state/observable.ts';

const SECTION_ORDER: readonly InboxSection[] = ['overdue', 'unclaimed', 'mine', 'others'];

/** Requester "Name (Agency)" through the app's people lookup; another agency's officer is named only by the directory. */
function useRequesterName(): (officerId: string, agencyId: string) => string {
  const chat = useChat();
  const names = useObservable(chat.names);
  const agencies = useObservable(chat.agencies);
  return (officerId, agencyId) => {
    const agency = agencies[agencyId]?.name;
    const name = names[officerId] ?? `Officer ${officerId.slice(0, 6)}`;
    return agency ? `${name} (${agency})` : name;
  };
}

/**
 * The desk's E2E inbox for its members and supervisors: Overdue, Unclaimed, Claimed by me, Claimed by others.
 * Requests are opened on this device (client.desks.inbox); re-read on the SDK's `desk` notice and when the tab
 * becomes visible. A request's priority is its page's (the desk's pages carry it; the sealed request does not).
 */
export function DeskInbox({ desk, nameOf, onChange }: { desk: Desk; nameOf: (id: string) => string; onChange: () => void }) {
  useLanguage(); // inboxText reads the current language: re-render on a switch
  const chat = useChat();
  const me = chat.me.officer.id;
  const [items, setItems] = useState<DeskInboxItem[] | null>(null);
  const [pagePriority, setPagePriority] = useState<Record<string, 'urgent' | 'normal'>>({});
  /** Reads overlap (notice, visibility, a claim): only the newest one's answer is shown. */
  const seq = useRef(0);
  const [, setMinute] = useState(0);
  const [load, loading, error] = useAction(async () => {
    const mine = ++seq.current;
    const [list, pages] = await Promise.all([chat.client.desks.inbox(desk.id), chat.api.deskPages(desk.id).catch(() => [])]);
    if (mine !== seq.current) return;
    setItems(list);
    setPagePriority(Object.fromEntries(pages.map((p) => [p.id, p.priority])));
  });
  // "Overdue" and "5 min ago" move with the clock: re-render every minute.
  useEffect(() => {
    const t = setInterval(() => setMinute((m) => m + 1), 60_000);
    return () => clearInterval(t);
  }, []);
  useEffect(() => {
    void load();
    const offDesk = chat.client.on('desk', (n) => {
      if (n.deskId === desk.id) {
        void load();
        onChange();
      }
    });
    const onVisible = () => {
      if (document.visibilityState === 'visible') void load();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      offDesk();
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [desk.id]);
  const [announcement, setAnnouncement] = useState<string | null>(null);
  const announceRef = useRef<HTMLDivElement>(null);
  const announce = (line: string) => {
    setAnnouncement(line);
    setTimeout(() => announceRef.current?.focus(), 0);
  };
  const now = Date.now();
  const grouped = items ? sections(items, me, desk.escalation.ackMinutes, now) : null;
  return (
    <section aria-labelledby="inbox-title" data-testid="desk-inbox">
      <h2 id="inbox-title">{text.title}</h2>
      <p class="hint">{text.hint}</p>
      <div class="actions">
        <button type="button" class="secondary" onClick={() => void load()} disabled={loading}>
          {text.refresh}
        </button>
      </div>
      <ErrorBox error={error} />
      <div role="status" aria-live="polite" tabIndex={-1} ref={announceRef} data-testid="inbox-announcement">
        {announcement && <p class="notice notice-warn">{announcement}</p>}
      </div>
      {!grouped && !error && <p aria-busy="true">{text.loading}</p>}
      {grouped &&
        SECTION_ORDER.map((s) => (
          <section key={s} aria-labelledby={`inbox-${s}-title`} data-testid={`inbox-${s}`} class={s === 'overdue' && grouped[s].length > 0 ? 'inbox-section inbox-overdue' : 'inbox-section'}>
            <h3 id={`inbox-${s}-title`}>
              {text.sections[s]} <span class="meta">({text.count(grouped[s].length)})</span>
            </h3>
            <p class="hint">{text.sectionHint[s]}</p>
            {grouped[s].length === 0 ? (
              <p class="meta">{text.none}</p>
            ) : (
              <ul class="inbox-list">
                {grouped[s].map((item) => (
                  <li key={item.id}>
                    <InboxItem
                      desk={desk}
                      item={item}
                      nameOf={nameOf}
                      priority={item.pageId ? pagePriority[item.pageId] : undefined}
                      announce={announce}
                      onChanged={() => {
                        void load();
                        onChange();
                      }}
                    />
                  </li>
                ))}
              </ul>
            )}
          </section>
        ))}
    </section>
  );
}

function InboxItem({
  desk,
  item,
  nameOf,
  priority,
  onChanged,
  announce,
}: {
  desk: Desk;
  item: DeskInboxItem;
  nameOf: (id: string) => string;
  priority: 'urgent' | 'normal' | undefined;
  onChanged: () => void;
  announce: (s: string) => void;
}) {
  useLanguage(); // inboxText reads the current language: re-render on a switch
  const chat = useChat();
  const requester = useRequesterName();
  const zone = browserTimeZone();
  const [take, taking, takeError] = useAction(async () => {
    try {
      const { caseChannelId } = await chat.client.desks.claim(desk.id, item.id);
      await chat.refreshChannels();
      navigate({ name: 'channels', channelId: caseChannelId });
    } catch (err) {
      if (errorCode(err) !== 'already_claimed') throw err;
      // Someone was first: say who, from the desk's own record of the claim.
      const fresh = (await chat.client.desks.inbox(desk.id)).find((r) => r.id === item.id);
      // Announced by the inbox: the request moves to "Claimed by others", so this card goes away.
      announce(text.alreadyTaken(fresh?.claimedBy ? nameOf(fresh.claimedBy) : '—'));
      onChanged();
    }
  });
  const titleId = `request-${item.id}-title`;
  const body = requestText(item);
  return (
    <article class={`inbox-item${priority === 'urgent' ? ' page-urgent' : ''}`} aria-labelledby={titleId} data-request-id={item.id}>
      <h4 id={titleId}>{text.requestTitle(requester(item.requesterOfficerId, item.requesterAgencyId))}</h4>
      <dl class="page-facts">
        <dt>{text.received}</dt>
        <dd>
          <time dateTime={new Date(item.receivedAt).toISOString()}>{sinceText(item.receivedAt, Date.now(), zone)}</time>
        </dd>
        {priority && (
          <>
            <dt>{text.priority}</dt>
            <dd>{PRIORITY_TEXT[priority]}</dd>
          </>
        )}
        <dt>{text.state}</dt>
        <dd data-testid="request-state">{item.state === 'open' ? text.unclaimedState : text.claimedState(item.claimedBy ? nameOf(item.claimedBy) : '—', item.claimedAt ? absoluteTime(item.claimedAt, zone) : '')}</dd>
      </dl>
      {body !== null ? (
        <blockquote class="request-text" data-testid="request-text" aria-label={text.text}>
          {body}
        </blockquote>
      ) : (
        <p class="notice notice-warn" data-testid="request-unopened">
          {unopenedText(item.error)}
        </p>
      )}
      <div class="actions">
        {item.state === 'open' && (
          <button type="button" onClick={() => void take()} disabled={taking} aria-describedby={titleId}>
            {taking ? text.taking : text.take}
          </button>
        )}
        {item.caseChannelId && item.claimedBy === chat.me.officer.id && (
          <a class="button secondary" href={`#/channels/${encodeURIComponent(item.caseChannelId)}`}>
            {text.openCase}
          </a>
        )}
        {item.state === 'claimed' && !item.caseChannelId && item.claimedBy === chat.me.officer.id && (
          <button type="button" onClick={() => void take()} disabled={taking} aria-describedby={titleId}>
            {taking ? text.taking : text.openCaseNow}
          </button>
        )}
        {item.state === 'claimed' && !item.caseChannelId && item.claimedBy !== chat.me.officer.id && <span class="meta">{text.caseWaiting}</span>}
        {item.pageId && (
          <a class="secondary" href={`#/pages/${encodeURIComponent(item.pageId)}`}>
            {text.pageLink}
          </a>
        )}
      </div>
      <ErrorBox error={takeError} />
    </article>
  );
}

/**
 * Supervisors: set up the encrypted inbox (desk channel + intake key v1) or rotate its key. Everyone else on
 * the desk sees whether it exists. `version` is null while unknown, 0 without a key.
 */
export function IntakeSetup({ desk, version, supervisor, onChanged }: { desk: Desk; version: number | null; supervisor: boolean; onChanged: (v: number) => void }) {
  useLanguage(); // inboxText reads the current language: re-render on a switch
  const chat = useChat();
  const [done, setDone] = useState<string | null>(null);
  const doneRef = useRef<HTMLDivElement>(null);
  const announce = (s: string) => {
    setDone(s);
    setTimeout(() => doneRef.current?.focus(), 0);
  };
  const [setup, settingUp, setupError] = useAction(async () => {
    await chat.client.desks.settled();
    const { version: v } = await chat.client.desks.setupIntake(desk.id);
    onChanged(v);
    announce(text.setupDone(v));
  });
  const [rotate, rotating, rotateError] = useAction(async () => {
    const v = await chat.client.desks.rotateIntake(desk.id);
    onChanged(v);
    announce(text.rotated(v));
  });
  if (version === null) return null;
  return (
    <section aria-labelledby="intake-title" data-testid="intake-setup">
      <h2 id="intake-title">{text.setupTitle}</h2>
      <p class="hint">{text.setupExplain}</p>
      {version === 0 ? (
        <>
          <p class="notice notice-warn">{text.setupNone}</p>
          {supervisor ? (
            <button type="button" onClick={() => void setup()} disabled={settingUp}>
              {settingUp ? text.settingUp : text.setup}
            </button>
          ) : (
            <p class="meta">{text.memberOnly}</p>
          )}
        </>
      ) : (
        <>
          <p data-testid="intake-version">{text.keyVersion(version)}</p>
          {supervisor && (
            <>
              <button type="button" class="secondary" onClick={() => void rotate()} disabled={rotating} aria-describedby="rotate-hint">
                {rotating ? text.rotating : text.rotate}
              </button>
              <small id="rotate-hint" class="hint">
                {' '}
                {text.rotateHint}
              </small>
            </>
          )}
        </>
      )}
      <ErrorBox error={setupError ?? rotateError} />
      <div role="status" aria-live="polite" tabIndex={-1} ref={doneRef}>
        {done && <p class="notice notice-ok">{done}</p>}
      </div>
    </section>
  );
}

/** Shift handover notes: E2E `case-note` messages in the desk channel (client.desks.handover / handovers). */
export function Handovers({ desk, nameOf }: { desk: Desk; nameOf: (id: string) => string }) {
  useLanguage(); // inboxText reads the current language: re-render on a switch
  const chat = useChat();
  const zone = browserTimeZone();
  const [notes, setNotes] = useState<HandoverNote[] | null>(null);
  const [draft, setDraft] = useState('');
  const [sent, setSent] = useState(false);
  const [load, , loadError] = useAction(async () => setNotes(await chat.client.desks.handovers(desk.id)));
  const [send, sending, sendError] = useAction(async () => {
    setSent(false);
    await chat.client.desks.handover(desk.id, draft.trim());
    setDraft('');
    setSent(true);
    await load();
  });
  useEffect(() => void load(), [desk.id]);
  return (
    <section aria-labelledby="handover-title" data-testid="handovers">
      <h2 id="handover-title">{text.handoverTitle}</h2>
      <p class="hint">{text.handoverHint}</p>
      <ErrorBox error={loadError} />
      {notes && notes.length === 0 && <p class="meta">{text.handoverNone}</p>}
      {notes && notes.length > 0 && (
        <ul class="handover-list">
          {[...notes].reverse().map((n) => (
            <li key={n.messageId}>
              <p class="meta">{text.handoverBy(nameOf(n.authorId), absoluteTime(n.at, zone))}</p>
              <p class="handover-text">{n.text}</p>
            </li>
          ))}
        </ul>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (draft.trim()) void send();
        }}
      >
        <div class="field">
          <label class="field-label" for="handover-note">
            {text.handoverLabel}
          </label>
          <textarea id="handover-note" rows={3} required maxLength={4000} value={draft} onInput={(e) => setDraft(e.currentTarget.value)} />
        </div>
        <button type="submit" disabled={sending || !draft.trim()}>
          {sending ? text.handoverSending : text.handoverSend}
        </button>
        <ErrorBox error={sendError} />
        <div role="status" aria-live="polite">
          {sent && <p class="notice notice-ok">{text.handoverSent}</p>}
        </div>
      </form>
    </section>
  );
}
