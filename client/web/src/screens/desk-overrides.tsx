import { useRef, useState } from 'preact/hooks';
import type { Desk } from '../../../../shared/schemas/desks.ts';
import { useChat } from '../app-context.ts';
import { ErrorBox, useAction } from '../components/form.tsx';
import { useT } from '../i18n/i18n.ts';
import { epochToWallTime, shiftSpan, wallTimeToEpoch } from '../lib/rota-week.ts';

const HOUR_MS = 3_600_000;

/** Overrides: supervisors and administrators add and remove any; a member swaps their own shift and removes their own swap. */
export function DeskOverrides({ desk, nameOf, canEdit, onSaved }: { desk: Desk; nameOf: (id: string) => string; canEdit: boolean; onSaved: (d: Desk) => void }) {
  const chat = useChat();
  const t = useT('desk-overrides');
  const me = chat.me.officer.id;
  const memberOnly = !canEdit;
  const others = desk.members.filter((m) => !memberOnly || m !== me);
  const [officerId, setOfficerId] = useState(others[0] ?? '');
  const [replaces, setReplaces] = useState(memberOnly ? me : '');
  const [start, setStart] = useState(() => epochToWallTime(Math.ceil(Date.now() / HOUR_MS) * HOUR_MS, desk.timeZone));
  const [end, setEnd] = useState(() => epochToWallTime(Math.ceil(Date.now() / HOUR_MS) * HOUR_MS + 8 * HOUR_MS, desk.timeZone));
  const [invalid, setInvalid] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  const statusRef = useRef<HTMLDivElement>(null);
  const announce = (s: string) => {
    setStatus(s);
    setTimeout(() => statusRef.current?.focus(), 0);
  };
  const [add, adding, addError] = useAction(async () => {
    setStatus(null);
    const a = wallTimeToEpoch(start, desk.timeZone);
    const b = wallTimeToEpoch(end, desk.timeZone);
    setInvalid(a === null || b === null || b <= a);
    if (a === null || b === null || b <= a) return;
    onSaved(await chat.api.addOverride(desk.id, { officerId, start: a, end: b, ...(replaces ? { replaces } : {}) }));
    announce(t('added'));
  });
  const [remove, , removeError] = useAction(async (id: string) => {
    setStatus(null);
    onSaved(await chat.api.removeOverride(desk.id, id));
    announce(t('removed'));
  });
  const line = (o: Desk['rota']['overrides'][number]) => {
    const span = shiftSpan(o.start, o.end, desk.timeZone);
    return o.replaces ? t('swap', { who: nameOf(o.officerId), replaced: nameOf(o.replaces), span }) : t('extra', { who: nameOf(o.officerId), span });
  };
  const overrides = [...desk.rota.overrides].sort((a, b) => a.start - b.start);
  return (
    <section aria-labelledby="overrides-title" data-testid="desk-overrides">
      <h2 id="overrides-title">{t('title')}</h2>
      <p class="hint">{t('hint', { zone: desk.timeZone })}</p>
      {memberOnly && <p class="hint">{t('memberHint')}</p>}
      {overrides.length === 0 ? (
        <p class="meta">{t('none')}</p>
      ) : (
        <ul>
          {overrides.map((o) => (
            <li key={o.id}>
              {line(o)}{' '}
              {(canEdit || o.replaces === me) && (
                <button type="button" class="secondary" aria-label={t('removeLabel', { line: line(o) })} onClick={() => void remove(o.id)}>
                  {t('remove')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <ErrorBox error={removeError} />
      {others.length > 0 && (
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void add();
          }}
        >
          <h3>{memberOnly ? t('addSwapTitle') : t('addTitle')}</h3>
          <div class="inline-form">
            <div class="field">
              <label class="field-label" for="override-officer">
                {t('officer')}
              </label>
              <select id="override-officer" value={officerId} onChange={(e) => setOfficerId(e.currentTarget.value)}>
                {others.map((m) => (
                  <option key={m} value={m}>
                    {nameOf(m)}
                  </option>
                ))}
              </select>
            </div>
            {!memberOnly && (
              <div class="field">
                <label class="field-label" for="override-replaces">
                  {t('replaces')}
                </label>
                <select id="override-replaces" value={replaces} onChange={(e) => setReplaces(e.currentTarget.value)}>
                  <option value="">{t('noReplace')}</option>
                  {desk.members.map((m) => (
                    <option key={m} value={m}>
                      {nameOf(m)}
                    </option>
                  ))}
                </select>
              </div>
            )}
            <div class="field">
              <label class="field-label" for="override-start">
                {t('start')}
              </label>
              <input id="override-start" type="datetime-local" required value={start} aria-invalid={invalid} aria-describedby={invalid ? 'override-error' : undefined} onInput={(e) => setStart(e.currentTarget.value)} />
            </div>
            <div class="field">
              <label class="field-label" for="override-end">
                {t('end')}
              </label>
              <input id="override-end" type="datetime-local" required value={end} aria-invalid={invalid} aria-describedby={invalid ? 'override-error' : undefined} onInput={(e) => setEnd(e.currentTarget.value)} />
            </div>
          </div>
          {invalid && (
            <p id="override-error" class="field-error" role="alert">
              {t('badTimes')}
            </p>
          )}
          <button type="submit" disabled={adding}>
            {adding ? t('adding') : t('add')}
          </button>
          <ErrorBox error={addError} />
        </form>
      )}
      <div role="status" aria-live="polite" tabIndex={-1} ref={statusRef}>
        {status && <p class="notice notice-ok">{status}</p>}
      </div>
    </section>
  );
}
