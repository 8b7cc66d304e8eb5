import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { AGREEMENT_SCOPES } from '../../../../shared/crypto/agreement.ts';
import { LiaisonClientError } from '../../../sdk/errors.ts';
import { CONTROLLED_DELIVERY_STATUSES, SITE_CATEGORIES, SUBSTITUTION_MODES, type ControlledDeliveryConsent, type Payload } from '../../../../shared/crypto/payload.ts';
import { useChat } from '../app-context.ts';
import { useDraft } from '../components/use-draft.ts';
import { ErrorBox, submitHandler, useAction } from '../components/form.tsx';
import { ProgressBar } from '../components/progress.tsx';
import { SUBSTITUTION_LABEL } from '../lib/delivery.ts';
import { CodePicker, defaultChoice, type CodeChoice } from '../components/code-picker.tsx';
import type { HandlingPolicy } from '../../../../shared/crypto/handling.ts';
import { useT } from '../i18n/i18n.ts';
import { useObservable } from '../state/observable.ts';
import { quotableText } from '../../../sdk/corrections.ts';
import { MentionList, insertMention, mentionQuery, mentionsIn, type MentionCandidate } from '../components/mentions.tsx';

type Kind = 'text' | 'request-for-assistance' | 'controlled-delivery-update' | 'reported-site';
/** The i18n key (namespace `composer`) of each message type's name. */
const KIND_KEY: Record<Kind, string> = {
  text: 'kindText',
  'request-for-assistance': 'kindRequestForAssistance',
  'controlled-delivery-update': 'kindControlledDelivery',
  'reported-site': 'kindReportedSite',
};

type Fields = Record<string, string>;


/** "PT: 123/2026" per line → consents (country upper-cased); a line without a code and a reference is refused. */
export function parseConsents(text: string): ControlledDeliveryConsent[] | undefined {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  if (lines.length === 0) return undefined;
  return lines.map((line) => {
    const m = /^([A-Za-z]{2})\s*[:\-–]\s*(\S.*)$/u.exec(line);
    if (!m) throw new LiaisonClientError('compose/bad-consents', `parseConsents: "${line.slice(0, 40)}" is not "CC: reference"`);
    return { country: m[1]!.toUpperCase(), reference: m[2]!.trim() };
  });
}

/** Builds the payload for the chosen kind from the form fields (empty optional fields are omitted). */
export function buildPayload(kind: Kind, f: Fields): Payload {
  const opt = (k: string) => (f[k]?.trim() ? f[k]!.trim() : undefined);
  const time = (k: string) => (f[k] ? new Date(f[k]!).getTime() : undefined);
  switch (kind) {
    case 'text':
      return { kind, text: f.text ?? '' };
    case 'request-for-assistance':
      return strip({ kind, caseRef: f.caseRef ?? '', scope: (f.scope ?? AGREEMENT_SCOPES[0]) as (typeof AGREEMENT_SCOPES)[number], subject: f.subject ?? '', details: f.details ?? '', dueBy: time('dueBy') });
    case 'controlled-delivery-update':
      return strip({
        kind,
        operationRef: f.operationRef ?? '',
        status: (f.status ?? 'planned') as (typeof CONTROLLED_DELIVERY_STATUSES)[number],
        location: opt('location'),
        eta: time('eta'),
        notes: opt('notes'),
        substitution: opt('substitution') as (typeof SUBSTITUTION_MODES)[number] | undefined,
        country: opt('country')?.toUpperCase(),
        checkpoint: opt('checkpoint'),
        consents: parseConsents(f.consents ?? ''),
      });
    case 'reported-site':
      return strip({ kind, url: f.url ?? '', category: (f.category ?? 'marketplace') as (typeof SITE_CATEGORIES)[number], notes: opt('notes') });
  }
}

function strip<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Grows a textarea with its text, up to a third of the window (then it scrolls). */
function autoGrow(el: HTMLTextAreaElement): void {
  el.style.height = 'auto';
  el.style.height = `${Math.min(el.scrollHeight + 2, Math.round(window.innerHeight / 3))}px`;
}

export function Composer({ channelId }: { channelId: string }) {
  const chat = useChat();
  const t = useT('composer');
  // Type, handling code and acknowledgement sit behind one "Options" button (the chosen code shows on it).
  const [optionsOpen, setOptionsOpen] = useState(false);
  const textRef = useRef<HTMLTextAreaElement>(null);
  // Where the caret goes once the new text is in the box (after a mention is chosen). Placed in a layout effect,
  // right after the render that writes the text and before the next key event; an animation frame could come after
  // the next keystrokes on a busy device and move the caret back behind them.
  const caretAfterRender = useRef<number | null>(null);
  useLayoutEffect(() => {
    const at = caretAfterRender.current;
    if (at === null || !textRef.current) return;
    caretAfterRender.current = null;
    textRef.current.setSelectionRange(at, at);
  });
  const [kind, setKind] = useState<Kind>('text');
  const [fields, setFields] = useState<Fields>({});
  useDraft(channelId, fields.text ?? '', (text) => setFields((f) => ({ ...f, text })));
  // The channel's policy decides the codes offered and the default (never a code the channel refuses).
  const [policy, setPolicy] = useState<HandlingPolicy | null>(null);
  const [choice, setChoice] = useState<CodeChoice | null>(null);
  const [pickerKey, setPickerKey] = useState(0);
  useEffect(() => {
    let live = true;
    void (async () => {
      const p = await chat.client.codes.policy(channelId);
      if (!live) return;
      setPolicy(p);
      setChoice(defaultChoice(p));
    })();
    return () => {
      live = false;
    };
  }, [channelId]);
  const [ackRequired, setAckRequired] = useState(false);
  const [urgent, setUrgent] = useState(false);
  const [file, setFile] = useState<File | null>(null);
  const [upload, setUpload] = useState<{ loaded: number; total: number; name: string } | null>(null);
  const set = (k: string) => (e: Event) => setFields({ ...fields, [k]: (e.currentTarget as HTMLInputElement).value });
  const tc = useT('corrections');
  const mode = useObservable(chat.compose)[channelId] ?? null;
  const messages = useObservable(chat.messagesOf(channelId));
  const names = useObservable(chat.names);
  const channel = useObservable(chat.channels).find((c) => c.id === channelId);
  // Channel members other than me, named as the app shows them (for "@" mentions).
  const members: MentionCandidate[] = (channel?.members ?? []).filter((x) => x.officerId !== chat.me.officer.id).map((x) => ({ id: x.officerId, name: names[x.officerId] ?? chat.nameOf(x.officerId) }));
  const [caret, setCaret] = useState(0);
  const [mentionAt, setMentionAt] = useState(0);
  const [mentionClosed, setMentionClosed] = useState(false);
  const query = kind === 'text' && !mentionClosed ? mentionQuery(fields.text ?? '', caret) : null;
  const candidates = query === null ? [] : members.filter((x) => x.name.toLowerCase().startsWith(query.toLowerCase())).slice(0, 8);
  const chooseMention = (c: MentionCandidate) => {
    const { text, caret: at } = insertMention(fields.text ?? '', caret, c.name);
    setFields({ ...fields, text });
    setCaret(at);
    setMentionAt(0);
    caretAfterRender.current = at;
  };
  const startEdit = (m: (typeof messages)[number]) => {
    chat.setCompose(channelId, { kind: 'edit', message: m });
  };
  // Editing puts the message's current text in the composer; leaving the edit empties it again.
  const editing = mode?.kind === 'edit' ? mode.message : null;
  useEffect(() => {
    if (!editing) return;
    const text = editing.edits?.at(-1)?.text ?? quotableText(editing.payload) ?? '';
    setKind('text');
    setFields({ text });
    requestAnimationFrame(() => textRef.current?.focus());
  }, [editing?.messageId]);
  useEffect(() => {
    if (mode?.kind === 'reply') textRef.current?.focus();
  }, [mode?.kind === 'reply' ? mode.message.messageId : null]);
  const cancelMode = () => {
    if (mode?.kind === 'edit') setFields({});
    chat.setCompose(channelId, null);
  };

  const [send, busy, error] = useAction(async () => {
    const opts = { ...(choice ? { handling: choice.handling, codes: choice.codes } : {}), ackRequired, urgent };
    if (file) {
      const bytes = new Uint8Array(await file.arrayBuffer());
      setUpload({ loaded: 0, total: bytes.length, name: file.name });
      // Encryption happens first (in memory); the bar follows the network upload of the ciphertext
      // (the SDK reports XHR upload events in the browser).
      const payload = await chat.client.uploadAttachment(channelId, bytes, {
        name: file.name,
        mimeType: file.type || 'application/octet-stream',
        ...(fields.text?.trim() ? { caption: fields.text.trim() } : {}),
        onProgress: (loaded, total) => setUpload({ loaded, total, name: file.name }),
      });
      await chat.send(channelId, payload, opts);
      setFile(null);
      setFields({});
      if (textRef.current) textRef.current.style.height = '';
      return;
    }
    if (kind === 'text' && !fields.text?.trim()) return;
    if (editing) {
      await chat.edit(channelId, editing.messageId, fields.text!.trim());
      chat.setCompose(channelId, null);
      setFields({});
      return;
    }
    let payload = buildPayload(kind, fields);
    if (payload.kind === 'text') {
      const replyTo = mode?.kind === 'reply' ? await chat.client.replyRef(channelId, mode.message.messageId) : null;
      const mentions = mentionsIn(payload.text, members);
      payload = { ...payload, ...(replyTo ? { replyTo } : {}), ...(mentions.length ? { mentions } : {}) };
    }
    await chat.send(channelId, payload, opts);
    chat.setCompose(channelId, null);
    setFields({});
    if (textRef.current) textRef.current.style.height = '';
    if (policy) {
      setChoice(defaultChoice(policy));
      setPickerKey((k) => k + 1);
    }
    setAckRequired(false);
    setUrgent(false);
  });

  const input = (k: string, label: string, props: Record<string, unknown> = {}) => (
    <label class="field">
      <span class="field-label">{label}</span>
      <input name={k} value={fields[k] ?? ''} onInput={set(k)} {...props} />
    </label>
  );
  const select = (k: string, label: string, options: readonly string[]) => (
    <label class="field">
      <span class="field-label">{label}</span>
      <select name={k} value={fields[k] ?? options[0]} onChange={set(k)}>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );

  return (
    <form class="composer" id="composer" onSubmit={submitHandler(() => void send())} aria-label={t('formLabel')}>
      {optionsOpen && (
        <div class="composer-options" id="composer-options" role="group" aria-label={t('optionsGroup')}>
          <label>
            <span class="field-label">{t('type')}</span>
            <select name="kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as Kind)}>
              {(Object.keys(KIND_KEY) as Kind[]).map((k) => (
                <option key={k} value={k}>
                  {t(KIND_KEY[k])}
                </option>
              ))}
            </select>
          </label>
          {policy && choice && <CodePicker key={pickerKey} policy={policy} value={choice} onChange={setChoice} />}
          <label class="check">
            <input type="checkbox" name="ack" checked={ackRequired} onChange={(e) => setAckRequired(e.currentTarget.checked)} />
            {t('askAck')}
          </label>
          <label class="check" title={t('urgentHint')}>
            <input type="checkbox" name="urgent" checked={urgent} onChange={(e) => setUrgent(e.currentTarget.checked)} />
            {t('urgent')}
          </label>
        </div>
      )}
      {kind === 'request-for-assistance' && (
        <fieldset class="structured-fields">
          <legend>{t('kindRequestForAssistance')}</legend>
          {input('caseRef', t('caseRef'), { required: true })}
          {select('scope', t('scope'), AGREEMENT_SCOPES)}
          {input('subject', t('subject'), { required: true })}
          <label class="field">
            <span class="field-label">{t('details')}</span>
            <textarea name="details" rows={3} required value={fields.details ?? ''} onInput={set('details')} />
          </label>
          {input('dueBy', t('dueBy'), { type: 'datetime-local' })}
        </fieldset>
      )}
      {kind === 'controlled-delivery-update' && (
        <fieldset class="structured-fields">
          <legend>{t('kindControlledDelivery')}</legend>
          {input('operationRef', t('operationRef'), { required: true })}
          {select('status', t('status'), CONTROLLED_DELIVERY_STATUSES)}
          {input('location', t('location'))}
          {input('eta', t('eta'), { type: 'datetime-local' })}
          <label class="field">
            <span class="field-label">{t('consignment')}</span>
            <select name="substitution" value={fields.substitution ?? ''} onChange={set('substitution')}>
              <option value="">{t('notStated')}</option>
              {SUBSTITUTION_MODES.map((m) => (
                <option key={m} value={m}>
                  {SUBSTITUTION_LABEL[m]}
                </option>
              ))}
            </select>
          </label>
          {input('country', t('country'), { maxLength: 2, pattern: '[A-Za-z]{2}', autocapitalize: 'characters', 'aria-describedby': 'cdu-country-hint' })}
          <span id="cdu-country-hint" class="hint">
            {t('countryHint')}
          </span>
          {input('checkpoint', t('checkpoint'), { maxLength: 256 })}
          <label class="field">
            <span class="field-label">{t('consents')}</span>
            <textarea name="consents" rows={2} value={fields.consents ?? ''} onInput={set('consents')} aria-describedby="cdu-consents-hint" />
          </label>
          <span id="cdu-consents-hint" class="hint">
            {t('consentsHint')}
          </span>
          {input('notes', t('notes'))}
        </fieldset>
      )}
      {kind === 'reported-site' && (
        <fieldset class="structured-fields">
          <legend>{t('kindReportedSite')}</legend>
          {input('url', t('url'), { required: true, 'aria-describedby': 'site-url-hint' })}
          <span id="site-url-hint" class="hint">
            {t('urlHint')}
          </span>
          {select('category', t('category'), SITE_CATEGORIES)}
          {input('notes', t('notes'))}
        </fieldset>
      )}
      {mode && (
        <div class={`compose-mode ${mode.kind}`} data-testid={`compose-${mode.kind}`}>
          {mode.kind === 'reply' ? (
            <blockquote class="reply-quote">
              <strong>{tc('replyingTo', { name: mode.message.senderId === chat.me.officer.id ? tc('you') : (names[mode.message.senderId] ?? chat.nameOf(mode.message.senderId)) })}</strong>{' '}
              {(mode.message.edits?.at(-1)?.text ?? quotableText(mode.message.payload) ?? '').slice(0, 140)}
            </blockquote>
          ) : (
            <p class="hint">
              <strong>{tc('editing')}</strong> {tc('editHint')}
            </p>
          )}
          <button type="button" class="link" onClick={cancelMode}>
            {tc('cancel')}
          </button>
        </div>
      )}
      {file && (
        <p class="composer-file hint">
          📎 {file.name}{' '}
          <button type="button" class="link" onClick={() => setFile(null)}>
            {t('removeFile')}
          </button>
        </p>
      )}
      <div class="composer-row">
        <button
          type="button"
          class="secondary options-toggle"
          aria-expanded={optionsOpen}
          aria-controls="composer-options"
          onClick={() => setOptionsOpen(!optionsOpen)}
        >
          <span class="options-word">{t('options')}</span>
          {choice && <span class="options-code"> {choice.handling}</span>}
          <span aria-hidden="true" class="options-caret">
            {optionsOpen ? '▴' : '▾'}
          </span>
        </button>
        {kind === 'text' && (
          <label class="composer-text">
            <span class="sr-only">{file ? t('caption') : t('message')}</span>
            <textarea
              ref={textRef}
              name="text"
              rows={1}
              placeholder={file ? t('caption') : t('message')}
              value={fields.text ?? ''}
              role={candidates.length ? 'combobox' : undefined}
              aria-expanded={candidates.length ? true : undefined}
              aria-controls={candidates.length ? 'mention-list' : undefined}
              aria-autocomplete={candidates.length ? 'list' : undefined}
              aria-activedescendant={candidates.length ? `mention-${candidates[Math.min(mentionAt, candidates.length - 1)]!.id}` : undefined}
              onInput={(e) => {
                autoGrow(e.currentTarget);
                set('text')(e);
                setCaret(e.currentTarget.selectionStart ?? e.currentTarget.value.length);
                setMentionClosed(false);
                setMentionAt(0);
                if (e.currentTarget.value) chat.client.typing(channelId);
              }}
              onKeyDown={(e) => {
                if (candidates.length) {
                  const at = Math.min(mentionAt, candidates.length - 1);
                  if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
                    e.preventDefault();
                    setMentionAt((at + (e.key === 'ArrowDown' ? 1 : candidates.length - 1)) % candidates.length);
                    return;
                  }
                  if (e.key === 'Enter' || e.key === 'Tab') {
                    e.preventDefault();
                    chooseMention(candidates[at]!);
                    return;
                  }
                  if (e.key === 'Escape') {
                    e.preventDefault();
                    setMentionClosed(true);
                    return;
                  }
                }
                if (e.key === 'Escape' && mode) {
                  e.preventDefault();
                  cancelMode();
                  return;
                }
                if (e.key === 'ArrowUp' && !fields.text && !mode) {
                  const last = [...messages].reverse().find((m) => m.senderId === chat.me.officer.id && m.payload.kind === 'text' && !m.withdrawn && m.seq >= 0);
                  if (last) {
                    e.preventDefault();
                    startEdit(last);
                  }
                  return;
                }
                if (e.key === 'Enter' && !e.shiftKey) {
                  e.preventDefault();
                  void send();
                }
              }}
            />
          </label>
        )}
        {kind === 'text' && candidates.length > 0 && <MentionList id="mention-list" label={tc('mentionList')} candidates={candidates} active={Math.min(mentionAt, candidates.length - 1)} onChoose={chooseMention} />}
        <label class="attach button secondary" title={t('attach')}>
          <svg aria-hidden="true" viewBox="0 0 24 24" width="20" height="20" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
            <path d="M21 11.5l-8.6 8.6a5.5 5.5 0 0 1-7.8-7.8l8.6-8.6a3.7 3.7 0 0 1 5.2 5.2l-8.6 8.6a1.8 1.8 0 0 1-2.6-2.6l7.9-7.9" />
          </svg>
          <span class="sr-only">{t('attach')}</span>
          <input type="file" name="file" class="file-hidden" onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
        </label>
        <button type="submit" class="send" disabled={busy}>
          {busy ? t('sending') : editing ? tc('saveEdit') : file ? t('sendFile') : t('send')}
        </button>
      </div>
      {upload && <ProgressBar label={t('uploading', { name: upload.name })} loaded={upload.loaded} total={upload.total} />}
      <ErrorBox error={error} />
    </form>
  );
}
