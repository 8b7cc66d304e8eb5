import { useEffect, useState } from 'preact/hooks';
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

type Kind = 'text' | 'request-for-assistance' | 'controlled-delivery-update' | 'reported-site';
const KIND_LABEL: Record<Kind, string> = {
  text: 'Text',
  'request-for-assistance': 'Request for assistance',
  'controlled-delivery-update': 'Controlled-delivery update',
  'reported-site': 'Reported site',
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

export function Composer({ channelId }: { channelId: string }) {
  const chat = useChat();
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
      return;
    }
    if (kind === 'text' && !fields.text?.trim()) return;
    await chat.send(channelId, buildPayload(kind, fields), opts);
    setFields({});
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
    <form class="composer" onSubmit={submitHandler(() => void send())} aria-label="Send a message">
      <div class="composer-options">
        <label>
          <span class="field-label">Type</span>
          <select name="kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as Kind)}>
            {(Object.keys(KIND_LABEL) as Kind[]).map((k) => (
              <option key={k} value={k}>
                {KIND_LABEL[k]}
              </option>
            ))}
          </select>
        </label>
        {policy && choice && <CodePicker key={pickerKey} policy={policy} value={choice} onChange={setChoice} />}
        <label class="check">
          <input type="checkbox" name="ack" checked={ackRequired} onChange={(e) => setAckRequired(e.currentTarget.checked)} />
          Ask for acknowledgement
        </label>
        <label class="check" title="In a channel that belongs to a desk, an urgent message pages the officer on duty">
          <input type="checkbox" name="urgent" checked={urgent} onChange={(e) => setUrgent(e.currentTarget.checked)} />
          Urgent
        </label>
      </div>
      {kind === 'request-for-assistance' && (
        <fieldset class="structured-fields">
          <legend>Request for assistance</legend>
          {input('caseRef', 'Case reference', { required: true })}
          {select('scope', 'Scope', AGREEMENT_SCOPES)}
          {input('subject', 'Subject', { required: true })}
          <label class="field">
            <span class="field-label">Details</span>
            <textarea name="details" rows={3} required value={fields.details ?? ''} onInput={set('details')} />
          </label>
          {input('dueBy', 'Due by (optional)', { type: 'datetime-local' })}
        </fieldset>
      )}
      {kind === 'controlled-delivery-update' && (
        <fieldset class="structured-fields">
          <legend>Controlled-delivery update</legend>
          {input('operationRef', 'Operation reference', { required: true })}
          {select('status', 'Status', CONTROLLED_DELIVERY_STATUSES)}
          {input('location', 'Location (optional)')}
          {input('eta', 'ETA (optional)', { type: 'datetime-local' })}
          <label class="field">
            <span class="field-label">Consignment (optional)</span>
            <select name="substitution" value={fields.substitution ?? ''} onChange={set('substitution')}>
              <option value="">Not stated</option>
              {SUBSTITUTION_MODES.map((m) => (
                <option key={m} value={m}>
                  {SUBSTITUTION_LABEL[m]}
                </option>
              ))}
            </select>
          </label>
          {input('country', 'Country of the event (optional, ISO code such as PT)', { maxLength: 2, pattern: '[A-Za-z]{2}', autocapitalize: 'characters', 'aria-describedby': 'cdu-country-hint' })}
          <span id="cdu-country-hint" class="hint">
            Two letters: ISO 3166-1 alpha-2.
          </span>
          {input('checkpoint', 'Checkpoint (optional)', { maxLength: 256 })}
          <label class="field">
            <span class="field-label">Consents of the states concerned (optional)</span>
            <textarea name="consents" rows={2} value={fields.consents ?? ''} onInput={set('consents')} aria-describedby="cdu-consents-hint" />
          </label>
          <span id="cdu-consents-hint" class="hint">
            One per line: country code, colon, the consent’s reference (ES: AN-2026/114).
          </span>
          {input('notes', 'Notes (optional)')}
        </fieldset>
      )}
      {kind === 'reported-site' && (
        <fieldset class="structured-fields">
          <legend>Reported site</legend>
          {input('url', 'Address (URL, hostname or onion address)', { required: true, 'aria-describedby': 'site-url-hint' })}
          <span id="site-url-hint" class="hint">
            An http(s) address, or a hostname such as example.org or a v3 onion address (56 characters before .onion). Tracking parameters and the part after # are removed.
          </span>
          {select('category', 'Category', SITE_CATEGORIES)}
          {input('notes', 'Notes (optional)')}
        </fieldset>
      )}
      {kind === 'text' && (
        <label class="field">
          <span class="field-label">{file ? 'Caption (optional)' : 'Message'}</span>
          <textarea
            name="text"
            rows={2}
            value={fields.text ?? ''}
            onInput={set('text')}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey) {
                e.preventDefault();
                void send();
              }
            }}
          />
        </label>
      )}
      <div class="composer-actions">
        <label class="file-input">
          <span class="field-label">Attach a file</span>
          <input type="file" name="file" onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
        </label>
        <button type="submit" disabled={busy}>
          {busy ? 'Sending…' : file ? 'Encrypt and send file' : 'Send'}
        </button>
      </div>
      {upload && <ProgressBar label={`Uploading ${upload.name}`} loaded={upload.loaded} total={upload.total} />}
      <ErrorBox error={error} />
    </form>
  );
}
