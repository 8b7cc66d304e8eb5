import { useEffect, useRef, useState } from 'preact/hooks';
import type { DirectoryEntry } from '../../../../shared/schemas/directory.ts';
import { SPECIALISATIONS } from '../../../../shared/directory/vocabulary.ts';
import { useChat } from '../app-context.ts';
import { ErrorBox, Notice, submitHandler, useAction } from '../components/form.tsx';
import { LiaisonClientError } from '../../../sdk/errors.ts';
import type { ContactTargetView } from '../../../sdk/index.ts';
import { contactTermsText, reusableChannel } from '../lib/contact.ts';
import { fixedT, useT } from '../i18n/i18n.ts';
import { useObservable } from '../state/observable.ts';
import { formatDate, formatDateTime, groupFingerprint } from '../lib/format.ts';
import { availabilitySummary, scheduleLines } from '../lib/schedule.ts';
import { errorCode } from '../lib/errors.ts';
import { absoluteTime } from '../lib/pages.ts';
import { browserTimeZone } from '../lib/zones.ts';
import type { ChatData } from '../state/chat.ts';

const AGENCY_KINDS = ['ncb', 'police', 'customs', 'border', 'prosecutor', 'fiu', 'other'] as const;

/**
 * "Contact": reuses an open direct channel with the recipient, otherwise `client.contact()` opens one —
 * a contact request without a covering agreement (the recipient accepts), a direct channel under it otherwise.
 */
export async function contactEntry(chat: ChatData, entry: DirectoryEntry, target: ContactTargetView, opts: { recipientId: string; message: string }): Promise<string> {
  const recipient = target.recipients.find((r) => r.officerId === opts.recipientId);
  if (!recipient) throw new LiaisonClientError('contact/invalid-recipient', fixedT('directory')('chooseRecipient'));
  chat.learnNames({ [recipient.officerId]: recipient.displayName });
  await chat.refreshChannels();
  const existing = reusableChannel(chat.channels.get(), recipient.officerId, entry.id);
  if (existing) {
    if (opts.message.trim() && !existing.readOnly) await chat.send(existing.id, { kind: 'text', text: opts.message.trim() });
    return existing.id;
  }
  const res = await chat.client.contact(entry.id, { recipientId: recipient.officerId, ...(opts.message.trim() ? { message: opts.message.trim() } : {}) });
  await chat.refreshChannels();
  return res.channel.id;
}

export function DirectoryScreen({ entryId }: { entryId: string | null }) {
  const t = useT('directory');
  const chat = useChat();
  const [q, setQ] = useState('');
  const [country, setCountry] = useState('');
  const [specialisation, setSpecialisation] = useState('');
  const [language, setLanguage] = useState('');
  const [agencyKind, setAgencyKind] = useState('');
  const [availableNow, setAvailableNow] = useState(false);
  const [entries, setEntries] = useState<DirectoryEntry[] | null>(null);
  const [unavailable, setUnavailable] = useState(false);
  const [search, searching, error] = useAction(async () => {
    try {
      const page = await chat.api.directory({
        q: q.trim() || undefined,
        country: country.trim().toUpperCase() || undefined,
        specialisation: (specialisation || undefined) as DirectoryEntry['specialisations'][number] | undefined,
        language: language.trim().toLowerCase() || undefined,
        agencyKind: (agencyKind || undefined) as DirectoryEntry['agency']['kind'] | undefined,
        availableNow: availableNow || undefined,
        limit: 50,
      });
      setEntries(page.entries);
      chat.learnNames(Object.fromEntries(page.entries.filter((e) => e.officer).map((e) => [e.officer!.id, e.officer!.displayName])));
    } catch (err) {
      if (errorCode(err) === 'not_found' || errorCode(err) === 'http_404') setUnavailable(true);
      else throw err;
    }
  });
  useEffect(() => void search(), [availableNow]);
  if (unavailable) return <Notice kind="warn">{t('unavailable')}</Notice>;
  return (
    <div class={`split ${entryId ? 'has-detail' : ''}`}>
      <section class="list-pane" aria-label={t('searchRegion')}>
        <h1>{t('title')}</h1>
        <form class="filters" role="search" onSubmit={submitHandler(() => void search())}>
          <label class="field">
            <span class="field-label">{t('search')}</span>
            <input type="search" name="q" value={q} onInput={(e) => setQ(e.currentTarget.value)} placeholder={t('searchPlaceholder')} />
          </label>
          <label class="field">
            <span class="field-label">{t('country')}</span>
            <input name="country" value={country} maxLength={2} onInput={(e) => setCountry(e.currentTarget.value)} placeholder="PT" />
          </label>
          <label class="field">
            <span class="field-label">{t('specialisation')}</span>
            <select name="specialisation" value={specialisation} onChange={(e) => setSpecialisation(e.currentTarget.value)}>
              <option value="">{t('any')}</option>
              {SPECIALISATIONS.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          <label class="field">
            <span class="field-label">{t('language')}</span>
            <input name="language" value={language} maxLength={2} onInput={(e) => setLanguage(e.currentTarget.value)} placeholder="en" />
          </label>
          <label class="field">
            <span class="field-label">{t('agencyKind')}</span>
            <select name="agencyKind" value={agencyKind} onChange={(e) => setAgencyKind(e.currentTarget.value)}>
              <option value="">{t('any')}</option>
              {AGENCY_KINDS.map((k) => (
                <option key={k} value={k}>
                  {k}
                </option>
              ))}
            </select>
          </label>
          <label class="check">
            <input type="checkbox" name="availableNow" checked={availableNow} onChange={(e) => setAvailableNow(e.currentTarget.checked)} />
            {t('availableNowFilter')}
          </label>
          <button type="submit" disabled={searching}>
            {t('searchButton')}
          </button>
        </form>
        <ErrorBox error={error} />
        {entries && entries.length === 0 && <p class="empty">{t('noMatch')}</p>}
        <ul class="entry-list">
          {entries?.map((e) => (
            <li key={e.id}>
              <a href={`#/directory/${e.id}`} aria-current={e.id === entryId ? 'page' : undefined} data-testid="directory-entry">
                <span class="title">
                  {e.title}
                  {e.officer ? ` — ${e.officer.displayName}` : ''}
                </span>
                <span class="meta">
                  {e.agency.name} · {e.country} · {e.availableNow ? t('availableNowTag') : t('offDutyTag')}
                  {e.stale ? ` · ${t('notConfirmedRecently')}` : ''}
                </span>
              </a>
            </li>
          ))}
        </ul>
      </section>
      <section class="detail-pane">{entryId ? <EntryDetail key={entryId} id={entryId} /> : <p class="empty">{t('choose')}</p>}</section>
    </div>
  );
}

function EntryDetail({ id }: { id: string }) {
  const t = useT('directory');
  const chat = useChat();
  const [data, setData] = useState<{ entry: DirectoryEntry; nextChange: { at: number; available: boolean } | null } | null>(null);
  const agreements = useObservable(chat.agreements);
  const [target, setTarget] = useState<ContactTargetView | null>(null);
  const [targetError, setTargetError] = useState<unknown>(null);
  const [recipientId, setRecipientId] = useState('');
  const [intro, setIntro] = useState('');
  const [takesRequests, setTakesRequests] = useState(false);
  const [load, , loadError] = useAction(async () => {
    const d = await chat.api.directoryEntry(id);
    setData(d);
    if (d.entry.officer?.id === chat.me.officer.id) return;
    try {
      const t = await chat.client.contactTarget(id);
      setTarget(t);
      // The target says whether the desk has an intake key (no probe that answers 404 for the plain ones).
      setTakesRequests(t.deskRequests);
      setRecipientId(t.recipients[0]?.officerId ?? '');
      if (t.agreementId && !chat.agreements.get().some((a) => a.id === t.agreementId)) await chat.refreshAgreements().catch(() => undefined);
    } catch (err) {
      setTargetError(err);
      // Nobody to contact (no keyed officer): a desk with an intake key still takes sealed requests.
      if (d.entry.deskId) setTakesRequests(await chat.api.entryTakesRequests(id).catch(() => false));
    }
  });
  const [contact, contacting, contactError] = useAction(async () => {
    location.hash = `#/channels/${await contactEntry(chat, data!.entry, target!, { recipientId, message: intro })}`;
  });
  useEffect(() => void load(), [id]);
  if (loadError) return <ErrorBox error={loadError} />;
  if (!data) return <p aria-busy="true">{t('loading')}</p>;
  const e = data.entry;
  const recipient = target?.recipients.find((r) => r.officerId === recipientId);
  const agreementTitle = target?.agreementId ? (agreements.find((a) => a.id === target.agreementId)?.title ?? null) : null;
  return (
    <article class="card entry" aria-labelledby="entry-title">
      <a class="back" href="#/directory">
        ← {t('title')}
      </a>
      <h2 id="entry-title">{e.title}</h2>
      <dl>
        <dt>{t('agency')}</dt>
        <dd>
          {e.agency.name} ({e.agency.kind}, {e.agency.country}){e.agency.sponsor ? t('sponsoredBy', { sponsor: e.agency.sponsor.name }) : ''}
        </dd>
        {e.officer && (
          <>
            <dt>{t('officer')}</dt>
            <dd>{e.officer.displayName}</dd>
            <dt>{t('fingerprint')}</dt>
            <dd>
              <code class="fingerprint" data-testid="fingerprint">
                {e.officer.fingerprint ? groupFingerprint(e.officer.fingerprint) : t('noKeys')}
              </code>
            </dd>
          </>
        )}
        <dt>{t('availability')}</dt>
        <dd>
          <strong>{e.availableNow ? t('availableNow') : t('offDutyNow')}</strong>
          {data.nextChange && ` — ${t(data.nextChange.available ? 'onDutyFrom' : 'offDutyFrom', { at: formatDateTime(data.nextChange.at) })}`}
          {e.availability.kind === 'schedule' ? (
            <ul class="schedule" aria-label={availabilitySummary(e.availability)}>
              {scheduleLines(e.availability).map((l) => (
                <li key={l}>{l}</li>
              ))}
              <li class="hint">{t('timesIn', { zone: e.availability.timeZone })}</li>
            </ul>
          ) : (
            <span> (24/7)</span>
          )}
        </dd>
        <dt>{t('specialisations')}</dt>
        <dd>{e.specialisations.join(', ') || '—'}</dd>
        <dt>{t('languages')}</dt>
        <dd>{e.languages.join(', ')}</dd>
        {e.phone && (
          <>
            <dt>{t('phone')}</dt>
            <dd>{e.phone}</dd>
          </>
        )}
        {e.notes && (
          <>
            <dt>{t('notes')}</dt>
            <dd>{e.notes}</dd>
          </>
        )}
        <dt>{t('lastConfirmed')}</dt>
        <dd>
          {formatDate(e.lastConfirmedAt)}
          {e.stale && <span class="tag warn"> {t('stale')}</span>}
        </dd>
      </dl>
      {takesRequests && <DeskRequestForm entryId={e.id} />}
      {target && target.recipients.length > 0 && (
        <form class="contact-form" aria-label={t('contact')} onSubmit={submitHandler(() => void contact())}>
          <p class={`notice ${target.contactRequest ? 'notice-warn' : ''}`} data-testid="contact-terms">
            {contactTermsText(target, agreementTitle)}
          </p>
          {!e.officer && (
            <label class="field">
              <span class="field-label">{t('recipient')}</span>
              <select name="recipient" value={recipientId} onChange={(ev) => setRecipientId(ev.currentTarget.value)}>
                {target.recipients.map((r) => (
                  <option key={r.officerId} value={r.officerId}>
                    {r.displayName} ({r.role === 'officer' ? t('roleOfficer') : t('roleAdministrator')})
                  </option>
                ))}
              </select>
            </label>
          )}
          <label class="field">
            <span class="field-label">{t('intro')}</span>
            <textarea name="intro" rows={2} value={intro} onInput={(ev) => setIntro(ev.currentTarget.value)} aria-describedby="intro-hint" />
            <small id="intro-hint" class="hint">
              {target.contactRequest ? t('introHintRequest') : t('introHintDirect')}
            </small>
          </label>
          <button type="submit" disabled={contacting || !recipient}>
            {t('contactButton', { name: recipient?.displayName ?? '' })}
          </button>
        </form>
      )}
      <ErrorBox error={contactError ?? targetError} />
    </article>
  );
}

/** A request sealed to the entry's desk (client.desks.request): read at once by whoever is on duty; the desk is paged. */
function DeskRequestForm({ entryId }: { entryId: string }) {
  const t = useT('directory');
  const chat = useChat();
  const [body, setBody] = useState('');
  const [priority, setPriority] = useState<'urgent' | 'normal'>('urgent');
  const [missing, setMissing] = useState(false);
  const [sent, setSent] = useState<{ at: number; pageId: string } | null>(null);
  const sentRef = useRef<HTMLDivElement>(null);
  const bodyRef = useRef<HTMLTextAreaElement>(null);
  const [send, sending, error] = useAction(async () => {
    setSent(null);
    const said = body.trim();
    setMissing(!said);
    if (!said) {
      bodyRef.current?.focus();
      return;
    }
    const res = await chat.client.desks.request(entryId, { text: said, priority });
    setBody('');
    setSent({ at: res.receivedAt, pageId: res.pageId });
    setTimeout(() => sentRef.current?.focus(), 0);
  });
  return (
    <form class="contact-form" aria-labelledby="desk-request-title" noValidate onSubmit={submitHandler(() => void send())} data-testid="desk-request">
      <h3 id="desk-request-title">{t('requestTitle')}</h3>
      <p class="notice">{t('requestExplain')}</p>
      <div class="field">
        <label class="field-label" for="desk-request-text">
          {t('requestLabel')}
        </label>
        <textarea
          id="desk-request-text"
          ref={bodyRef}
          rows={4}
          required
          maxLength={8000}
          value={body}
          aria-invalid={missing}
          aria-describedby={missing ? 'desk-request-hint desk-request-error' : 'desk-request-hint'}
          onInput={(ev) => {
            setBody(ev.currentTarget.value);
            if (ev.currentTarget.value.trim()) setMissing(false);
          }}
        />
        <small id="desk-request-hint" class="hint">
          {t('requestLabelHint')}
        </small>
        {missing && (
          <p id="desk-request-error" class="field-error" role="alert">
            {t('requestRequired')}
          </p>
        )}
      </div>
      <fieldset>
        <legend>{t('requestPriority')}</legend>
        <label class="check">
          <input type="radio" name="desk-request-priority" value="urgent" checked={priority === 'urgent'} onChange={() => setPriority('urgent')} />
          {t('requestUrgent')}
        </label>
        <label class="check">
          <input type="radio" name="desk-request-priority" value="normal" checked={priority === 'normal'} onChange={() => setPriority('normal')} />
          {t('requestNormal')}
        </label>
      </fieldset>
      <button type="submit" disabled={sending}>
        {sending ? t('requestSending') : t('requestSend')}
      </button>
      <ErrorBox error={error} />
      <div role="status" aria-live="polite" tabIndex={-1} ref={sentRef} data-testid="desk-request-sent">
        {sent && (
          <p class="notice notice-ok">
            {t('requestSent', { at: absoluteTime(sent.at, browserTimeZone()) })}{' '}
            <a href={`#/pages/${encodeURIComponent(sent.pageId)}`}>{t('requestPage')}</a> · <a href="#/desks/requests">{t('requestMine')}</a>
          </p>
        )}
      </div>
    </form>
  );
}
