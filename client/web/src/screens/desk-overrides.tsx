import { useRef, useState } from 'preact/hooks';
import type { Desk } from '../../../../shared/schemas/desks.ts';
import { useChat } from '../app-context.ts';
import { ErrorBox, useAction } from '../components/form.tsx';
import { epochToWallTime, shiftSpan, wallTimeToEpoch } from '../lib/rota-week.ts';

const HOUR_MS = 3_600_000;

/** User-visible strings of the overrides editor (issue 15 moves them to i18n). */
const text = {
  title: 'Swaps and extra shifts',
  hint: (zone: string) => `Dated changes to the weekly rota, in the desk’s time zone (${zone}). A swap hands one officer’s duty to another for that time.`,
  memberHint: 'You can swap your own shift: choose who takes it and when. Only your own swaps can be removed by you.',
  none: 'No swaps or extra shifts.',
  swap: (who: string, replaced: string, span: string) => `${who} covers for ${replaced}: ${span}`,
  extra: (who: string, span: string) => `${who}, extra shift: ${span}`,
  remove: 'Remove',
  removeLabel: (line: string) => `Remove: ${line}`,
  addTitle: 'Add a swap or an extra shift',
  addSwapTitle: 'Swap my shift',
  officer: 'Officer on duty',
  replaces: 'Instead of',
  noReplace: 'Nobody (an extra shift)',
  start: 'From',
  end: 'Until',
  add: 'Add',
  adding: 'Adding…',
  added: 'Added.',
  removed: 'Removed.',
  badTimes: 'Enter a start and an end, the end after the start.',
} as const;

/** Overrides: supervisors and administrators add and remove any; a member swaps their own shift and removes their own swap. */
export function DeskOverrides({ desk, nameOf, canEdit, onSaved }: { desk: Desk; nameOf: (id: string) => string; canEdit: boolean; onSaved: (d: Desk) => void }) {
  const chat = useChat();
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
    announce(text.added);
  });
  const [remove, , removeError] = useAction(async (id: string) => {
    setStatus(null);
    onSaved(await chat.api.removeOverride(desk.id, id));
    announce(text.removed);
  });
  const line = (o: Desk['rota']['overrides'][number]) => {
    const span = shiftSpan(o.start, o.end, desk.timeZone);
    return o.replaces ? text.swap(nameOf(o.officerId), nameOf(o.replaces), span) : text.extra(nameOf(o.officerId), span);
  };
  const overrides = [...desk.rota.overrides].sort((a, b) => a.start - b.start);
  return (
    <section aria-labelledby="overrides-title" data-testid="desk-overrides">
      <h2 id="overrides-title">{text.title}</h2>
      <p class="hint">{text.hint(desk.timeZone)}</p>
      {memberOnly && <p class="hint">{text.memberHint}</p>}
      {overrides.length === 0 ? (
        <p class="meta">{text.none}</p>
      ) : (
        <ul>
          {overrides.map((o) => (
            <li key={o.id}>
              {line(o)}{' '}
              {(canEdit || o.replaces === me) && (
                <button type="button" class="secondary" aria-label={text.removeLabel(line(o))} onClick={() => void remove(o.id)}>
                  {text.remove}
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
          <h3>{memberOnly ? text.addSwapTitle : text.addTitle}</h3>
          <div class="inline-form">
            <div class="field">
              <label class="field-label" for="override-officer">
                {text.officer}
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
                  {text.replaces}
                </label>
                <select id="override-replaces" value={replaces} onChange={(e) => setReplaces(e.currentTarget.value)}>
                  <option value="">{text.noReplace}</option>
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
                {text.start}
              </label>
              <input id="override-start" type="datetime-local" required value={start} aria-invalid={invalid} aria-describedby={invalid ? 'override-error' : undefined} onInput={(e) => setStart(e.currentTarget.value)} />
            </div>
            <div class="field">
              <label class="field-label" for="override-end">
                {text.end}
              </label>
              <input id="override-end" type="datetime-local" required value={end} aria-invalid={invalid} aria-describedby={invalid ? 'override-error' : undefined} onInput={(e) => setEnd(e.currentTarget.value)} />
            </div>
          </div>
          {invalid && (
            <p id="override-error" class="field-error" role="alert">
              {text.badTimes}
            </p>
          )}
          <button type="submit" disabled={adding}>
            {adding ? text.adding : text.add}
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
