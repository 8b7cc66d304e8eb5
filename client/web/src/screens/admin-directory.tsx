import { useEffect, useState } from 'preact/hooks';
import { SPECIALISATIONS } from '../../../../shared/directory/vocabulary.ts';
import type { CreateDirectoryEntryBody, DirectoryEntry } from '../../../../shared/schemas/directory.ts';
import { useChat } from '../app-context.ts';
import { CheckboxGroup, ErrorBox, Field, Notice, submitHandler, useAction } from '../components/form.tsx';
import { entryChanges, entryForm, type EntryForm } from '../lib/entry-edit.ts';
import { formatDate } from '../lib/format.ts';
import { availabilitySummary } from '../lib/schedule.ts';
import { useObservable } from '../state/observable.ts';

/** The agency's contact-point entries: create, re-confirm (they go stale after 180 days), retire. */
export function AdminDirectory() {
  const chat = useChat();
  const names = useObservable(chat.names);
  const [entries, setEntries] = useState<DirectoryEntry[] | null>(null);
  const [f, setF] = useState({ title: '', officerId: '', languages: 'en', phone: '', notes: '', mode: '24/7', days: 'Mon-Fri', start: '09:00', end: '17:00', timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone });
  const [specs, setSpecs] = useState<string[]>(['internet-drug-crime']);
  const set = (k: keyof typeof f) => (e: Event) => setF({ ...f, [k]: (e.currentTarget as HTMLInputElement).value });
  const [load, , loadError] = useAction(async () => {
    const page = await chat.api.directory({ q: chat.me.agency.name, limit: 100 });
    setEntries(page.entries.filter((e) => e.agency.id === chat.me.agency.id));
  });
  useEffect(() => void load(), []);
  const [create, busy, createError] = useAction(async () => {
    const days = f.days === 'Mon-Sun' ? [0, 1, 2, 3, 4, 5, 6] : [0, 1, 2, 3, 4];
    const body: CreateDirectoryEntryBody = {
      title: f.title.trim(),
      officerId: f.officerId || null,
      specialisations: specs as CreateDirectoryEntryBody['specialisations'],
      languages: f.languages.split(/[\s,]+/).filter(Boolean).map((l) => l.toLowerCase()),
      availability: f.mode === '24/7' ? { kind: '24/7' } : { kind: 'schedule', timeZone: f.timeZone, slots: days.map((day) => ({ day, start: f.start, end: f.end })) },
      ...(f.phone.trim() ? { phone: f.phone.trim() } : {}),
      ...(f.notes.trim() ? { notes: f.notes.trim() } : {}),
    };
    await chat.api.createDirectoryEntry(body);
    await load();
  });
  const [confirmEntry, , confirmError] = useAction(async (id: string) => {
    await chat.api.confirmDirectoryEntry(id);
    await load();
  });
  const [retire, , retireError] = useAction(async (id: string) => {
    await chat.api.deleteDirectoryEntry(id);
    await load();
  });
  const ownOfficers = Object.entries(names);
  const [editing, setEditing] = useState<string | null>(null);
  if (entries === null && loadError) return <Notice kind="warn">The directory is unavailable on this server right now.</Notice>;
  return (
    <section aria-labelledby="dir-admin-title">
      <h2 id="dir-admin-title">Directory entries of {chat.me.agency.name}</h2>
      <form class="card inline-form" onSubmit={submitHandler(() => void create())} aria-label="New contact point">
        <h3>New contact point</h3>
        <Field label="Desk name or title" name="entry-title" required minLength={2} value={f.title} onInput={set('title')} />
        <label class="field">
          <span class="field-label">Officer (leave empty for a rota desk)</span>
          <select name="entry-officer" value={f.officerId} onChange={set('officerId')}>
            <option value="">Rota desk</option>
            {ownOfficers.map(([id, n]) => (
              <option key={id} value={id}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <CheckboxGroup legend="Specialisations" options={SPECIALISATIONS} selected={specs} onChange={setSpecs} />
        <Field label="Languages (ISO codes)" name="entry-languages" required value={f.languages} onInput={set('languages')} />
        <label class="field">
          <span class="field-label">Availability</span>
          <select name="entry-mode" value={f.mode} onChange={set('mode')}>
            <option value="24/7">24/7</option>
            <option value="schedule">Weekly schedule</option>
          </select>
        </label>
        {f.mode === 'schedule' && (
          <>
            <label class="field">
              <span class="field-label">Days</span>
              <select value={f.days} onChange={set('days')}>
                <option value="Mon-Fri">Monday to Friday</option>
                <option value="Mon-Sun">Every day</option>
              </select>
            </label>
            <Field label="From" name="entry-start" type="time" value={f.start} onInput={set('start')} />
            <Field label="Until" name="entry-end" type="time" value={f.end} onInput={set('end')} />
            <Field label="Time zone (IANA)" name="entry-tz" value={f.timeZone} onInput={set('timeZone')} />
          </>
        )}
        <Field label="Phone (optional)" name="entry-phone" type="tel" value={f.phone} onInput={set('phone')} />
        <Field label="Notes (optional)" name="entry-notes" value={f.notes} onInput={set('notes')} />
        <button type="submit" disabled={busy}>
          Publish
        </button>
        <ErrorBox error={createError} />
      </form>
      <ErrorBox error={loadError ?? confirmError ?? retireError} />
      <ul class="entry-list">
        {entries?.map((e) => (
          <li key={e.id} class="card">
            <strong>{e.title}</strong>
            {e.officer ? ` — ${e.officer.displayName}` : ' — rota desk'}
            <div class="meta">
              {availabilitySummary(e.availability)} · confirmed {formatDate(e.lastConfirmedAt)}
              {e.stale && <span class="tag warn"> stale</span>}
            </div>
            <div class="actions">
              <button type="button" class="secondary" aria-expanded={editing === e.id} onClick={() => setEditing(editing === e.id ? null : e.id)}>
                Edit
              </button>
              <button type="button" class="secondary" onClick={() => void confirmEntry(e.id)}>
                Confirm still current
              </button>
              <button type="button" class="danger" onClick={() => confirm(`Retire “${e.title}”?`) && void retire(e.id)}>
                Retire
              </button>
            </div>
            {editing === e.id && (
              <EditEntry
                entry={e}
                officers={ownOfficers}
                onDone={() => {
                  setEditing(null);
                  void load();
                }}
              />
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Edit an entry in place; only the changed fields are sent (availability: retire and re-create for now). */
function EditEntry({ entry, officers, onDone }: { entry: DirectoryEntry; officers: [string, string][]; onDone: () => void }) {
  const chat = useChat();
  const [f, setF] = useState<EntryForm>(() => entryForm(entry));
  const set = (k: keyof EntryForm) => (e: Event) => setF({ ...f, [k]: (e.currentTarget as HTMLInputElement).value });
  const [save, saving, error] = useAction(async () => {
    const body = entryChanges(entry, f);
    if (body) await chat.api.updateDirectoryEntry(entry.id, body);
    onDone();
  });
  const id = (k: string) => `edit-${entry.id}-${k}`;
  return (
    <form class="inline-form" aria-label={`Edit ${entry.title}`} onSubmit={submitHandler(() => void save())}>
      <Field label="Desk name or title" name={id('title')} required minLength={2} value={f.title} onInput={set('title')} />
      <label class="field">
        <span class="field-label">Officer</span>
        <select name={id('officer')} value={f.officerId} onChange={set('officerId')}>
          <option value="">Rota desk</option>
          {officers.map(([oid, n]) => (
            <option key={oid} value={oid}>
              {n}
            </option>
          ))}
        </select>
      </label>
      <CheckboxGroup
        legend="Specialisations"
        options={SPECIALISATIONS}
        selected={f.specialisations}
        onChange={(specialisations) => setF({ ...f, specialisations })}
      />
      <Field label="Languages (ISO codes)" name={id('languages')} required value={f.languages} onInput={set('languages')} />
      <Field label="Phone (empty to remove)" name={id('phone')} type="tel" value={f.phone} onInput={set('phone')} />
      <Field label="Notes" name={id('notes')} value={f.notes} onInput={set('notes')} />
      <button type="submit" disabled={saving}>
        Save
      </button>{' '}
      <button type="button" class="secondary" onClick={onDone}>
        Cancel
      </button>
      <ErrorBox error={error} />
    </form>
  );
}
