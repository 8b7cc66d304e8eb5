import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { FilePreview } from '../components/file-preview.tsx';
import type { ReceivedMessage } from '../../../sdk/index.ts';
import type { FilePayload, Payload } from '../../../../shared/crypto/payload.ts';
import { useChat } from '../app-context.ts';
import { ErrorBox, useAction } from '../components/form.tsx';
import { ProgressBar } from '../components/progress.tsx';
import { TlpBadge } from '../components/tlp-badge.tsx';
import { EvaluationBadge } from '../components/code-picker.tsx';
import { CODE_TEXT } from '../lib/codes-text.ts';
import { formatBytes, formatDateTime, formatTime } from '../lib/format.ts';
import { STATE_LABEL, overallState, recipientState } from '../lib/receipts.ts';
import { SUBSTITUTION_LABEL } from '../lib/delivery.ts';
import { forwardTargets } from '../lib/tlp.ts';
import { isRequestPayload } from '../lib/requests.ts';
import { RequestCard } from './request-card.tsx';
import { UseGrantCard, UseGrantRequestCard, UseGrantsBar, useGrants } from '../components/use-grants.tsx';
import { grantForTarget } from '../lib/use-grants.ts';
import { useObservable } from '../state/observable.ts';
import { useT } from '../i18n/i18n.ts';
import { OutboxStatus } from '../components/outbox-status.tsx';
import { quotableText } from '../../../sdk/corrections.ts';

export function MessageItem({ message: m }: { message: ReceivedMessage }) {
  const chat = useChat();
  const t = useT('message-item');
  const tc = useT('corrections');
  const [withdrawing, setWithdrawing] = useState(false);
  const names = useObservable(chat.names);
  const marks = useObservable(chat.marks);
  const mine = m.senderId === chat.me.officer.id;
  const acked = marks.acked.includes(m.messageId);
  const [ack, acking, ackError] = useAction(() => chat.acknowledge(m.channelId, m.messageId));
  const [forwarding, setForwarding] = useState(false);
  const red = m.handling === 'TLP:RED';
  const sender = mine ? t('you') : (names[m.senderId] ?? chat.nameOf(m.senderId));
  const p = m.payload;
  if (m.withdrawn)
    return (
      <li class="message withdrawn" data-testid="message" data-message-id={m.messageId} data-withdrawn="true">
        <p class="withdrawn-note">
          <em>{tc('withdrawnBy', { name: m.withdrawn.by === chat.me.officer.id ? t('you') : (names[m.withdrawn.by] ?? chat.nameOf(m.withdrawn.by)), reason: m.withdrawn.reason })}</em>
        </p>
      </li>
    );
  // A withdrawn message carries its redaction as payload, so it is checked first. An edit or a redaction is shown as one line: what it changed shows on its target (§9.3 C6).
  if (p.kind === 'edit' || p.kind === 'redaction') return <CorrectionLine message={m} sender={sender} />;
  const quotable = p.kind !== 'file' && m.seq >= 0;
  const editable = mine && p.kind === 'text' && m.seq >= 0;
  const shown = p.kind === 'text' && m.edits?.length ? { ...p, text: m.edits.at(-1)!.text } : p;
  const menu = [
    ...(quotable ? [{ label: tc('reply'), onSelect: () => chat.setCompose(m.channelId, { kind: 'reply', message: m }) }] : []),
    ...(editable ? [{ label: tc('edit'), onSelect: () => chat.setCompose(m.channelId, { kind: 'edit', message: m }) }] : []),
    ...(mine && m.seq >= 0 ? [{ label: tc('withdraw'), onSelect: () => setWithdrawing(true) }] : []),
    ...(p.kind !== 'file' ? [{ label: red ? t('forwardRed') : t('forward'), disabled: red, onSelect: () => setForwarding(true) }] : []),
  ];
  return (
    <li class={`message ${mine ? 'mine' : ''} ${m.mentionsMe ? 'mentions-me' : ''}`} data-testid="message" data-message-id={m.messageId} data-mentions-me={m.mentionsMe ? 'true' : undefined} tabIndex={-1}>
      <div class="message-head">
        <strong class="sender">{sender}</strong>
        <time dateTime={new Date(m.sentAt).toISOString()} title={formatDateTime(m.sentAt)}>
          {formatTime(m.sentAt)}
        </time>
        {m.timeSkew && (
          <span class="tag warn" title={t('clockSaid', { time: formatDateTime(m.headerTime) })} data-testid="time-skew">
            {t('clockDiffers')}
          </span>
        )}
        <TlpBadge code={m.handling} />
        {m.codes?.evaluation && <EvaluationBadge evaluation={m.codes.evaluation} />}
        {m.forwardedFrom && <span class="tag">{t('forwarded')}</span>}
        {m.mentionsMe && <span class="tag mention">{tc('mentionsYou')}</span>}
        {m.edits?.length ? (
          <span class="tag" data-testid="edited" title={m.edits.map((e) => tc('editedAt', { time: formatDateTime(e.at) }) + (e.reason ? ` (${e.reason})` : '')).join('\n')}>
            {tc('edited')}
          </span>
        ) : null}
        {menu.length > 0 && <ActionsMenu label={t('actionsFor', { sender, time: formatTime(m.sentAt) })} items={menu} />}
      </div>
      {p.kind === 'text' && p.replyTo && <ReplyQuote message={m} />}
      {m.codes?.conditions && (
        <p class="conditions" data-testid="conditions">
          <strong>{CODE_TEXT.conditions}:</strong> {m.codes.conditions}
        </p>
      )}
      {isRequestPayload(m.payload) ? (
        <RequestCard payload={m.payload} channelId={m.channelId} />
      ) : m.payload.kind === 'use-grant-request' ? (
        <UseGrantRequestCard message={m} payload={m.payload} />
      ) : m.payload.kind === 'use-grant' ? (
        <UseGrantCard message={m} payload={m.payload} />
      ) : (
        <PayloadView payload={shown} />
      )}
      {m.edits?.length ? (
        <details class="edit-history">
          <summary>{tc('history')}</summary>
          <ol>
            {[quotableText(p) ?? '', ...m.edits.slice(0, -1).map((e) => e.text)].map((text, i) => (
              <li key={i}>{text}</li>
            ))}
          </ol>
        </details>
      ) : null}
      {withdrawing && <WithdrawForm message={m} onDone={() => setWithdrawing(false)} />}
      <UseGrantsBar message={m} />
      <OutboxStatus messageId={m.messageId} />
      {m.ackRequired && !mine && (
        <div class="ack">
          {acked ? (
            <span class="tag ok">{t('acknowledged')}</span>
          ) : (
            <button type="button" disabled={acking} onClick={() => void ack()}>
              {t('acknowledge')}
            </button>
          )}
          <ErrorBox error={ackError} />
        </div>
      )}
      {m.ackRequired && mine && <span class="tag">{t('ackRequested')}</span>}
      {mine && <DeliveryStatus messageId={m.messageId} />}
      {forwarding && !red && m.payload.kind !== 'file' && (
        <div class="forward">
          <ForwardForm message={m} onDone={() => setForwarding(false)} />
        </div>
      )}
    </li>
  );
}

/** The quoted message above a reply: a button that brings the original into view. */
function ReplyQuote({ message: m }: { message: ReceivedMessage }) {
  const chat = useChat();
  const tc = useT('corrections');
  const names = useObservable(chat.names);
  if (m.payload.kind !== 'text' || !m.payload.replyTo) return null;
  const ref = m.payload.replyTo;
  const who = ref.senderId ? (ref.senderId === chat.me.officer.id ? tc('you') : (names[ref.senderId] ?? chat.nameOf(ref.senderId))) : '';
  const jump = () => {
    const el = document.querySelector<HTMLElement>(`[data-message-id="${CSS.escape(ref.messageId)}"]`);
    if (!el) return;
    el.scrollIntoView({ block: 'center' });
    el.focus();
  };
  return (
    <blockquote class={`reply-quote ${m.reply === 'verified' ? '' : 'unverified'}`} data-testid="reply-quote" data-reply={m.reply}>
      <button type="button" class="link" onClick={jump} title={tc('jumpToOriginal')}>
        {who && <strong>{who}: </strong>}
        {ref.excerpt}
      </button>
      {m.reply === 'mismatch' && <span class="tag warn">{tc('quoteMismatch')}</span>}
      {m.reply === 'withdrawn' && <span class="tag">{tc('quoteWithdrawn')}</span>}
    </blockquote>
  );
}

/** An edit or a redaction in the list: who corrected which message (refused ones say so). */
function CorrectionLine({ message: m, sender }: { message: ReceivedMessage; sender: string }) {
  const tc = useT('corrections');
  const p = m.payload;
  const refused = m.correction?.status === 'rejected';
  const text = refused ? tc('noticeRefused', { name: sender }) : p.kind === 'redaction' ? tc('noticeRedaction', { name: sender }) : tc('noticeEdit', { name: sender });
  return (
    <li class={`correction-notice ${refused ? 'warn' : ''}`} data-testid="correction-notice" data-message-id={m.messageId}>
      <span class="meta">
        {text} · <time dateTime={new Date(m.sentAt).toISOString()}>{formatTime(m.sentAt)}</time>
      </span>
    </li>
  );
}

/** Asks for the reason before withdrawing my message (§9.3: every member's client drops its content). */
function WithdrawForm({ message: m, onDone }: { message: ReceivedMessage; onDone: () => void }) {
  const chat = useChat();
  const tc = useT('corrections');
  const [reason, setReason] = useState('');
  const inputRef = useRef<HTMLInputElement>(null);
  useEffect(() => inputRef.current?.focus(), []);
  const [withdraw, busy, error] = useAction(async () => {
    if (!reason.trim()) return;
    await chat.redact(m.channelId, m.messageId, reason.trim());
    onDone();
  });
  return (
    <form class="inline-form withdraw-form" role="alertdialog" aria-label={tc('withdrawTitle')} onSubmit={(e) => (e.preventDefault(), void withdraw())} onKeyDown={(e) => e.key === 'Escape' && onDone()}>
      <p>
        <strong>{tc('withdrawTitle')}</strong> {tc('withdrawHint')}
      </p>
      <label class="field">
        <span class="field-label">{tc('withdrawReason')}</span>
        <input ref={inputRef} name="withdraw-reason" required maxLength={500} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
      </label>
      <button type="submit" class="danger" disabled={busy || !reason.trim()}>
        {tc('withdrawConfirm')}
      </button>
      <button type="button" class="secondary" onClick={onDone}>
        {tc('cancel')}
      </button>
      <ErrorBox error={error} />
    </form>
  );
}

/** Forward to another channel the TLP rules allow (the SDK and server check again and answer in plain words). */
export function ForwardForm({ message: m, onDone }: { message: ReceivedMessage; onDone: () => void }) {
  const chat = useChat();
  const t = useT('message-item');
  const channels = useObservable(chat.channels);
  const source = channels.find((c) => c.id === m.channelId);
  // TLP:AMBER reaches my agency's clients: the institutions holding an active extended-access grant from it.
  const [clients, setClients] = useState<string[]>([]);
  useEffect(() => {
    if (m.handling !== 'TLP:AMBER') return;
    let live = true;
    void (async () => {
      try {
        const { grants } = await chat.api.grants();
        if (live) setClients(grants.filter((g) => g.active && g.sponsorAgencyId === chat.me.agency.id).map((g) => g.agencyId));
      } catch {
        // Unknown clients: AMBER is offered inside the agency only (the server decides anyway).
      }
    })();
    return () => {
      live = false;
    };
  }, [m.handling, chat]);
  // H2: the agencies the originator's onward-to-third-party grants name (docs/CODES.md "Permission workflow").
  const onward = useGrants(m, 'onward-to-third-party');
  const targets = source ? forwardTargets(m.handling, source, channels, chat.me.agency.id, clients, onward.map((g) => g.granteeAgencyId)) : [];
  const [target, setTarget] = useState('');
  const [done, setDone] = useState<string | null>(null);
  // H3 and UK handling C (docs/CODES.md): the conditions travel with the forward, which the forwarder confirms first.
  const conditions = m.codes?.conditions;
  const [confirmed, setConfirmed] = useState(false);
  const [forward, busy, error] = useAction(async () => {
    const to = target || targets[0]?.id;
    if (!to || (conditions && !confirmed)) return;
    const targetAgencies = channels.find((c) => c.id === to)?.members.map((x) => x.agencyId) ?? [];
    const grant = m.handling === 'H2' ? grantForTarget(onward, targetAgencies, chat.me.agency.id) : undefined;
    await chat.send(to, m.payload, { handling: m.handling, ...(m.codes ? { codes: m.codes } : {}), forwardedFrom: { messageId: m.messageId, channelId: m.channelId, ...(grant ? { grantId: grant.messageId } : {}) } });
    setDone(channels.find((c) => c.id === to)?.title ?? t('theChannel'));
  });
  if (done)
    return (
      <p role="status">
        {t('forwardedTo', { title: done })}{' '}
        <button type="button" class="link" onClick={onDone}>
          {t('close')}
        </button>
      </p>
    );
  if (targets.length === 0) return (
      <p class="hint">
        {t('noForwardTarget', { code: m.handling })}{' '}
        <button type="button" class="link" onClick={onDone}>
          {t('close')}
        </button>
      </p>
    );
  return (
    <form class="inline-form" aria-label={t('forward')} onSubmit={(e) => (e.preventDefault(), void forward())}>
      <label class="field">
        <span class="field-label">{t('forwardTo')}</span>
        <select name="forward-target" value={target || targets[0]!.id} onChange={(e) => setTarget(e.currentTarget.value)}>
          {targets.map((c) => (
            <option key={c.id} value={c.id}>
              {c.title ?? c.id.slice(0, 8)}
            </option>
          ))}
        </select>
      </label>
      {conditions && (
        <label class="check">
          <input type="checkbox" name="confirm-conditions" required checked={confirmed} onChange={(e) => setConfirmed(e.currentTarget.checked)} />
          {CODE_TEXT.conditionsConfirm} <q>{conditions}</q>
        </label>
      )}
      <button type="submit" disabled={busy || (!!conditions && !confirmed)}>
        {t('forwardWithCode', { code: m.handling })}
      </button>
      <button type="button" class="secondary" onClick={onDone}>
        {t('cancel')}
      </button>
      <ErrorBox error={error} />
    </form>
  );
}

function DeliveryStatus({ messageId }: { messageId: string }) {
  const chat = useChat();
  const t = useT('message-item');
  const rows = useObservable(chat.receiptsOf(messageId));
  const names = useObservable(chat.names);
  const [open, setOpen] = useState(false);
  const overall = overallState(rows);
  return (
    <div class="delivery" data-testid="delivery" data-state={overall}>
      <button type="button" class="link" aria-expanded={open} onClick={() => setOpen(!open)}>
        {rows.length === 0 ? t('sent') : rows.length > 1 ? t('stateByAll', { state: STATE_LABEL[overall] }) : STATE_LABEL[overall]}
      </button>
      {(open || rows.length <= 3) && rows.length > 0 && (
        <ul class="recipients">
          {rows.map((r) => {
            const s = recipientState(r);
            return (
              <li key={r.officerId} data-state={s.state}>
                {names[r.officerId] ?? chat.nameOf(r.officerId)}: {STATE_LABEL[s.state]}
                {s.at ? ` ${formatTime(s.at)}` : ''}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

function PayloadView({ payload: p }: { payload: Payload }) {
  const t = useT('message-item');
  switch (p.kind) {
    case 'text':
      return <p class="text">{p.text}</p>;
    case 'case-note':
      return (
        <div class="structured">
          <h3>{t('caseNote', { caseRef: p.caseRef })}</h3>
          <p class="text">{p.text}</p>
        </div>
      );
    case 'request-for-assistance':
      return (
        <div class="structured" data-kind="rfa">
          <h3>{t('rfa', { caseRef: p.caseRef })}</h3>
          <dl>
            <dt>{t('subject')}</dt>
            <dd>{p.subject}</dd>
            <dt>{t('scope')}</dt>
            <dd>{p.scope}</dd>
            {p.dueBy !== undefined && (
              <>
                <dt>{t('dueBy')}</dt>
                <dd>{formatDateTime(p.dueBy)}</dd>
              </>
            )}
          </dl>
          <p class="text">{p.details}</p>
        </div>
      );
    case 'controlled-delivery-update':
      return (
        <div class="structured" data-kind="cdu">
          <h3>{t('cdu', { operationRef: p.operationRef })}</h3>
          <dl>
            <dt>{t('status')}</dt>
            <dd>{p.status}</dd>
            {p.location && (
              <>
                <dt>{t('location')}</dt>
                <dd>{p.location}</dd>
              </>
            )}
            {p.eta !== undefined && (
              <>
                <dt>{t('eta')}</dt>
                <dd>{formatDateTime(p.eta)}</dd>
              </>
            )}
            {p.substitution && (
              <>
                <dt>{t('consignment')}</dt>
                <dd>{SUBSTITUTION_LABEL[p.substitution]}</dd>
              </>
            )}
            {(p.country || p.checkpoint) && (
              <>
                <dt>{t('eventAt')}</dt>
                <dd>{[p.checkpoint, p.country].filter(Boolean).join(', ')}</dd>
              </>
            )}
            {p.consents && (
              <>
                <dt>{t('consents')}</dt>
                <dd>
                  <ul class="consents">
                    {p.consents.map((c, i) => (
                      <li key={i}>
                        {c.country}: {c.reference}
                      </li>
                    ))}
                  </ul>
                </dd>
              </>
            )}
          </dl>
          {p.notes && <p class="text">{p.notes}</p>}
        </div>
      );
    case 'reported-site':
      return (
        <div class="structured" data-kind="site">
          <h3>{t('site', { category: p.category })}</h3>
          {/* Never a live link: officers open reported sites only from their investigation environment. */}
          <p>
            <code class="url">{p.url}</code>
          </p>
          {p.notes && <p class="text">{p.notes}</p>}
        </div>
      );
    case 'file':
      return <FileView file={p} />;
  }
}

function FileView({ file }: { file: FilePayload }) {
  const chat = useChat();
  const t = useT('message-item');
  const [progress, setProgress] = useState<{ loaded: number; total: number } | null>(null);
  const [url, setUrl] = useState<string | null>(null);
  const [download, busy, error] = useAction(async () => {
    setProgress({ loaded: 0, total: file.size });
    const bytes = await chat.client.downloadAttachment(file, { onProgress: (loaded, total) => setProgress({ loaded, total: total || file.size }) });
    const blobUrl = URL.createObjectURL(new Blob([bytes as BlobPart], { type: file.mimeType || 'application/octet-stream' }));
    setUrl(blobUrl);
    const a = document.createElement('a');
    a.href = blobUrl;
    a.download = file.name;
    a.click();
  });
  return (
    <div class="file" data-testid="file">
      <span class="file-name">📎 {file.name}</span> <span class="meta">({formatBytes(file.size)}, {file.mimeType || '?'})</span>
      {file.caption && <p class="text">{file.caption}</p>}
      <FilePreview file={file} />
      <div>
        <button type="button" disabled={busy} onClick={() => void download()}>
          {t('download')}
        </button>
        {url && (
          <a href={url} download={file.name} data-testid="file-ready">
            {t('saveAgain')}
          </a>
        )}
      </div>
      {progress && <ProgressBar label={t('downloading', { name: file.name })} loaded={progress.loaded} total={progress.total} />}
      <ErrorBox error={error} />
    </div>
  );
}

interface MenuItem {
  label: string;
  disabled?: boolean;
  onSelect: () => void;
}

/**
 * One button per message opening a menu of its actions (WAI-ARIA menu button): Enter, Space or ↓ open it on the
 * first item, ↑/↓/Home/End move, Escape or Tab closes it, and focus returns to the button.
 */
export function ActionsMenu({ label, items }: { label: string; items: MenuItem[] }) {
  const [open, setOpen] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLUListElement>(null);
  const focusItem = (i: number) => {
    const all = menuRef.current ? Array.from(menuRef.current.querySelectorAll<HTMLElement>('[role="menuitem"]')) : [];
    if (all.length) all[(i + all.length) % all.length]!.focus();
  };
  // The first item takes focus as the menu appears (before paint, so a key pressed at once goes to the menu).
  useLayoutEffect(() => {
    if (open) focusItem(0);
  }, [open]);
  useEffect(() => {
    if (!open) return;
    const outside = (e: Event) => {
      if (!menuRef.current?.contains(e.target as Node) && e.target !== buttonRef.current) setOpen(false);
    };
    document.addEventListener('pointerdown', outside);
    return () => document.removeEventListener('pointerdown', outside);
  }, [open]);
  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) buttonRef.current?.focus();
  };
  const onKey = (e: KeyboardEvent) => {
    const all = menuRef.current ? Array.from(menuRef.current.querySelectorAll<HTMLElement>('[role="menuitem"]')) : [];
    const at = all.indexOf(document.activeElement as HTMLElement);
    const moves: Record<string, () => void> = {
      Escape: () => close(true),
      ArrowDown: () => focusItem(at + 1),
      ArrowUp: () => focusItem(at - 1),
      Home: () => focusItem(0),
      End: () => focusItem(all.length - 1),
    };
    const move = moves[e.key];
    if (move) {
      e.preventDefault();
      move();
    }
    else if (e.key === 'Tab') close(false);
  };
  return (
    <div class="actions-menu">
      <button
        ref={buttonRef}
        type="button"
        class="menu-button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-label={label}
        title={label}
        onClick={() => setOpen(!open)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' && !open) {
            e.preventDefault();
            setOpen(true);
          }
        }}
      >
        <span aria-hidden="true">⋯</span>
      </button>
      {open && (
        <ul class="menu" role="menu" aria-label={label} ref={menuRef} onKeyDown={onKey}>
          {items.map((item, i) => (
            <li key={i} role="none">
              <button
                type="button"
                role="menuitem"
                tabIndex={-1}
                aria-disabled={item.disabled ? 'true' : undefined}
                onClick={() => {
                  if (item.disabled) return;
                  close(true);
                  item.onSelect();
                }}
              >
                {item.label}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
