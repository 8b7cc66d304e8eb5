import { useEffect, useState } from 'preact/hooks';
import type { HandlingPolicy } from '../../../../shared/crypto/handling.ts';
import type { RequestPayload } from '../../../../shared/crypto/payload.ts';
import { REQUEST_TEMPLATES, type RequestTemplate, type RequestUrgency } from '../../../../shared/requests/lifecycle.ts';
import { useChat } from '../app-context.ts';
import { CodePicker, defaultChoice, type CodeChoice } from '../components/code-picker.tsx';
import { ErrorBox, submitHandler, useAction } from '../components/form.tsx';
import { TEMPLATE_LABEL, URGENCY_LABEL, deadlineRuleText } from '../lib/requests.ts';
import { href } from '../lib/router.ts';
import { useT } from '../i18n/i18n.ts';
import { useObservable } from '../state/observable.ts';
import { requestsStateOf } from '../state/requests.ts';

type Fields = { purpose: string; legalBasis: string; dataCategories: string; requestedInformation: string; caseRef: string; urgencyReasons: string };
const EMPTY: Fields = { purpose: '', legalBasis: '', dataCategories: '', requestedInformation: '', caseRef: '', urgencyReasons: '' };

/** The payload a request form makes (Art. 4 fields; categories one per line; empty optional fields omitted). */
export function buildRequestPayload(requestRef: string, template: RequestTemplate, urgency: RequestUrgency, directAccess: boolean, f: Fields): RequestPayload {
  return {
    kind: 'request',
    requestRef,
    template,
    urgency,
    ...(urgency === 'urgent' ? { urgencyReasons: f.urgencyReasons.trim() } : {}),
    dataAccess: directAccess ? 'direct' : 'indirect',
    purpose: f.purpose.trim(),
    legalBasis: f.legalBasis.trim(),
    dataCategories: f.dataCategories.split('\n').map((l) => l.trim()).filter((l) => l !== ''),
    requestedInformation: f.requestedInformation.trim(),
    ...(f.caseRef.trim() ? { caseRef: f.caseRef.trim() } : {}),
  };
}

/** The request form in a channel: templates, the Art. 4 fields, urgency and access, the handling code, the deadline in words. */
export function RequestComposer({ channelId, onClose }: { channelId: string; onClose: () => void }) {
  const chat = useChat();
  const t = useT('request-composer');
  const [template, setTemplate] = useState<RequestTemplate>('eu-2023-977');
  const [urgency, setUrgency] = useState<RequestUrgency>('non-urgent');
  const [direct, setDirect] = useState(false);
  const [fields, setFields] = useState<Fields>(EMPTY);
  const [policy, setPolicy] = useState<HandlingPolicy | null>(null);
  const [choice, setChoice] = useState<CodeChoice | null>(null);
  const channels = useObservable(chat.channels);
  const agencies = useObservable(chat.agencies);
  // The requested agency: implicit with one other agency in the channel, chosen when there are several (Art. 4(a)).
  const others = [...new Set((channels.find((c) => c.id === channelId)?.members ?? []).map((m) => m.agencyId).filter((a) => a !== chat.me.agency.id))];
  const [target, setTarget] = useState('');
  const [result, setResult] = useState<{ id: string; duplicates: string[] } | null>(null);
  useEffect(() => {
    let live = true;
    void chat.client.codes.policy(channelId).then((p) => {
      if (!live) return;
      setPolicy(p);
      setChoice(defaultChoice(p));
    });
    return () => {
      live = false;
    };
  }, [channelId]);
  const set = (k: keyof Fields) => (e: Event) => setFields({ ...fields, [k]: (e.currentTarget as HTMLInputElement).value });

  const [send, busy, error] = useAction(async () => {
    const payload = buildRequestPayload(crypto.randomUUID(), template, urgency, direct, fields);
    const opts = choice ? { handling: choice.handling, codes: choice.codes } : {};
    const { kind: _kind, ...input } = payload;
    const requestedAgencyId = others.length > 1 ? target : undefined;
    const res = await chat.send(channelId, payload, { ...opts, ...(urgency === 'urgent' ? { urgent: true } : {}) }, () =>
      chat.client.requests.send(channelId, { ...input, ...(requestedAgencyId ? { requestedAgencyId } : {}) }, opts),
    );
    setResult(res.request ? { id: res.request.id, duplicates: res.request.possibleDuplicates ?? [] } : null);
    setFields(EMPTY);
    void requestsStateOf(chat.client).refresh().catch(() => undefined);
  });

  const area = (k: keyof Fields, label: string, props: Record<string, unknown> = {}) => (
    <label class="field">
      <span class="field-label">{label}</span>
      <textarea name={k} rows={2} value={fields[k]} onInput={set(k)} {...props} />
    </label>
  );

  if (result)
    return (
      <section class="composer request-composer" aria-label={t('form')} data-testid="request-sent">
        <p role="status">
          {t('sent')} <a href={href({ name: 'requests', requestId: result.id })}>{t('openRequest')}</a>
        </p>
        {result.duplicates.length > 0 && (
          <p class="notice notice-warn" data-testid="possible-duplicates">
            {t('duplicates', { count: result.duplicates.length })}{' '}
            {result.duplicates.map((d, i) => (
              <a key={d} href={href({ name: 'requests', requestId: d })}>
                {t('duplicateLink', { n: i + 1 })}{' '}
              </a>
            ))}
          </p>
        )}
        <button type="button" onClick={onClose}>
          {t('cancel')}
        </button>
      </section>
    );

  return (
    <form class="composer request-composer" aria-label={t('form')} onSubmit={submitHandler(() => void send())}>
      <h3>{t('form')}</h3>
      <label class="field">
        <span class="field-label">{t('template')}</span>
        <select name="template" value={template} onChange={(e) => setTemplate(e.currentTarget.value as RequestTemplate)}>
          {REQUEST_TEMPLATES.map((tpl) => (
            <option key={tpl} value={tpl}>
              {TEMPLATE_LABEL[tpl]}
            </option>
          ))}
        </select>
      </label>
      {others.length > 1 && (
        <label class="field">
          <span class="field-label">{t('requestedAgency')}</span>
          <select name="requestedAgency" required value={target} onChange={(e) => setTarget(e.currentTarget.value)}>
            <option value="">{t('chooseAgency')}</option>
            {others.map((a) => (
              <option key={a} value={a}>
                {agencies[a]?.name ?? a.slice(0, 8)}
              </option>
            ))}
          </select>
        </label>
      )}
      {area('purpose', t('purpose'), { required: true, maxLength: 4096 })}
      {area('legalBasis', t('legalBasis'), { required: true, rows: 1, maxLength: 1024 })}
      {area('dataCategories', t('dataCategories'), { required: true, 'aria-describedby': 'req-categories-hint' })}
      <span id="req-categories-hint" class="hint">
        {t('dataCategoriesHint')}
      </span>
      {area('requestedInformation', t('requestedInformation'), { required: true, rows: 3 })}
      <label class="field">
        <span class="field-label">{t('caseRef')}</span>
        <input name="caseRef" value={fields.caseRef} onInput={set('caseRef')} />
      </label>
      <fieldset class="structured-fields">
        <legend>{t('urgency')}</legend>
        {(['non-urgent', 'urgent'] as const).map((u) => (
          <label class="check" key={u}>
            <input type="radio" name="urgency" value={u} checked={urgency === u} onChange={() => setUrgency(u)} />
            {URGENCY_LABEL[u]}
          </label>
        ))}
        {urgency === 'urgent' && area('urgencyReasons', t('urgencyReasons'), { required: true, maxLength: 4096 })}
        <label class="check">
          <input type="checkbox" name="directAccess" checked={direct} onChange={(e) => setDirect(e.currentTarget.checked)} />
          {t('directAccess')}
        </label>
      </fieldset>
      {policy && choice && <CodePicker policy={policy} value={choice} onChange={setChoice} />}
      <p class="notice" role="status" data-testid="deadline-rule">
        <strong>{t('deadline')}:</strong> {deadlineRuleText(urgency, direct)}
      </p>
      <div class="composer-actions">
        <button type="button" onClick={onClose}>
          {t('cancel')}
        </button>
        <button type="submit" disabled={busy}>
          {busy ? t('sending') : t('send')}
        </button>
      </div>
      <ErrorBox error={error} />
    </form>
  );
}
