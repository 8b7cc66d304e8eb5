import { useEffect, useState } from 'preact/hooks';
import { SPECIALISATIONS } from '../../../../shared/directory/vocabulary.ts';
import type { CreateDirectoryEntryBody, DirectoryEntry } from '../../../../shared/schemas/directory.ts';
import { useChat } from '../app-context.ts';
import { CheckboxGroup, ErrorBox, Field, Notice, submitHandler, useAction } from '../components/form.tsx';
import { useT } from '../i18n/i18n.ts';
import { entryChanges, entryForm, type EntryForm } from '../lib/entry-edit.ts';
import { formatDate } from '../lib/format.ts';
import { availabilitySummary } from '../lib/schedule.ts';

const DEFAULT_SPECS = ['internet-drug-crime'];
const emptyEntry = () => ({ title: '', officerId: '', languages: 'en', phone: '', notes: '', mode: '24/7', days: 'Mon-Fri', start: '09:00', end: '17:00', timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone });

/** The agency's contact-point entries: create, re-confirm (they go stale after 180 days), retire. */
export function AdminDirectory() {
  const chat = useChat();
  const [entries, setEntries] = useState<DirectoryEntry[] | null>(null);
  // Only my agency's active officers: an entry links an officer of its own agency (the server refuses others).
  const [ownOfficers, setOwnOfficers] = useState<[string, string][]>([]);
  const [f, setF] = useState(emptyEntry);
  const [specs, setSpecs] = useState<string[]>(DEFAULT_SPECS);
  const set = (k: keyof typeof f) => (e: Event) => setF({ ...f, [k]: (e.currentTarget as HTMLInputElement).value });
  const [load, , loadError] = useAction(async () => {
    const page = await chat.api.directory({ q: chat.me.agency.name, limit: 100 });
    setEntries(page.entries.filter((e) => e.agency.id === chat.me.agency.id));
    const officers = await chat.api.officers(chat.me.agency.id);
    setOwnOfficers(officers.filter((o) => o.status === 'active').map((o) => [o.id, o.displayName]));
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
    setF(emptyEntry());
    setSpecs(DEFAULT_SPECS);
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
  const [editing, setEditing] = useState<string | null>(null);
  const t = useT('admin-directory');
  if (entries === null && loadError) return <Notice kind="warn">{t('unavailable')}</Notice>;
  return (
    <section aria-labelledby="dir-admin-title">
      <h2 id="dir-admin-title">{t('title', { agency: chat.me.agency.name })}</h2>
      <form class="card inline-form" onSubmit={submitHandler(() => void create())} aria-label={t('newEntry')}>
        <h3>{t('newEntry')}</h3>
        <Field label={t('deskTitle')} name="entry-title" required minLength={2} value={f.title} onInput={set('title')} />
        <label class="field">
          <span class="field-label">{t('officerOrRota')}</span>
          <select name="entry-officer" value={f.officerId} onChange={set('officerId')}>
            <option value="">{t('rotaDesk')}</option>
            {ownOfficers.map(([id, n]) => (
              <option key={id} value={id}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <CheckboxGroup legend={t('specialisations')} options={SPECIALISATIONS} selected={specs} onChange={setSpecs} />
        <Field label={t('languages')} name="entry-languages" required value={f.languages} onInput={set('languages')} />
        <label class="field">
          <span class="field-label">{t('availability')}</span>
          <select name="entry-mode" value={f.mode} onChange={set('mode')}>
            <option value="24/7">{t('always')}</option>
            <option value="schedule">{t('weekly')}</option>
          </select>
        </label>
        {f.mode === 'schedule' && (
          <>
            <label class="field">
              <span class="field-label">{t('days')}</span>
              <select value={f.days} onChange={set('days')}>
                <option value="Mon-Fri">{t('monFri')}</option>
                <option value="Mon-Sun">{t('everyDay')}</option>
              </select>
            </label>
            <Field label={t('from')} name="entry-start" type="time" value={f.start} onInput={set('start')} />
            <Field label={t('until')} name="entry-end" type="time" value={f.end} onInput={set('end')} />
            <Field label={t('timeZone')} name="entry-tz" value={f.timeZone} onInput={set('timeZone')} />
          </>
        )}
        <Field label={t('phoneOptional')} name="entry-phone" type="tel" value={f.phone} onInput={set('phone')} />
        <Field label={t('notesOptional')} name="entry-notes" value={f.notes} onInput={set('notes')} />
        <button type="submit" disabled={busy}>
          {t('publish')}
        </button>
        <ErrorBox error={createError} />
      </form>
      <ErrorBox error={loadError ?? confirmError ?? retireError} />
      <ul class="entry-list">
        {entries?.map((e) => (
          <li key={e.id} class="card">
            <strong>{e.title}</strong>
            {e.officer ? t('entryOfficer', { name: e.officer.displayName }) : t('entryRota')}
            <div class="meta">
              {t('entryMeta', { availability: availabilitySummary(e.availability), date: formatDate(e.lastConfirmedAt) })}
              {e.stale && <span class="tag warn">{t('stale')}</span>}
            </div>
            <div class="actions">
              <button type="button" class="secondary" aria-expanded={editing === e.id} onClick={() => setEditing(editing === e.id ? null : e.id)}>
                {t('edit')}
              </button>
              <button type="button" class="secondary" onClick={() => void confirmEntry(e.id)}>
                {t('confirmCurrent')}
              </button>
              <button type="button" class="danger" onClick={() => confirm(t('confirmRetire', { title: e.title })) && void retire(e.id)}>
                {t('retire')}
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
  const t = useT('admin-directory');
  return (
    <form class="inline-form" aria-label={t('editLabel', { title: entry.title })} onSubmit={submitHandler(() => void save())}>
      <Field label={t('deskTitle')} name={id('title')} required minLength={2} value={f.title} onInput={set('title')} />
      <label class="field">
        <span class="field-label">{t('officer')}</span>
        <select name={id('officer')} value={f.officerId} onChange={set('officerId')}>
          <option value="">{t('rotaDesk')}</option>
          {officers.map(([oid, n]) => (
            <option key={oid} value={oid}>
              {n}
            </option>
          ))}
        </select>
      </label>
      <CheckboxGroup
        legend={t('specialisations')}
        options={SPECIALISATIONS}
        selected={f.specialisations}
        onChange={(specialisations) => setF({ ...f, specialisations })}
      />
      <Field label={t('languages')} name={id('languages')} required value={f.languages} onInput={set('languages')} />
      <Field label={t('phoneRemove')} name={id('phone')} type="tel" value={f.phone} onInput={set('phone')} />
      <Field label={t('notes')} name={id('notes')} value={f.notes} onInput={set('notes')} />
      <button type="submit" disabled={saving}>
        {t('save')}
      </button>{' '}
      <button type="button" class="secondary" onClick={onDone}>
        {t('cancel')}
      </button>
      <ErrorBox error={error} />
    </form>
  );
}
