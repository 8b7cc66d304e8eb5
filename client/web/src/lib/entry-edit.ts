import type { DirectoryEntry, UpdateDirectoryEntryBody } from '../../../../shared/schemas/directory.ts';

export interface EntryForm {
  title: string;
  officerId: string;
  languages: string;
  specialisations: string[];
  phone: string;
  notes: string;
}

export function entryForm(e: DirectoryEntry): EntryForm {
  return { title: e.title, officerId: e.officer?.id ?? '', languages: e.languages.join(', '), specialisations: [...e.specialisations], phone: e.phone ?? '', notes: e.notes ?? '' };
}

/** Only what changed (the PATCH needs at least one field; null when nothing did). An empty phone clears it. */
export function entryChanges(e: DirectoryEntry, f: EntryForm): UpdateDirectoryEntryBody | null {
  const body: UpdateDirectoryEntryBody = {};
  const languages = f.languages.split(/[\s,]+/).filter(Boolean).map((l) => l.toLowerCase());
  if (f.title.trim() !== e.title) body.title = f.title.trim();
  if ((f.officerId || null) !== (e.officer?.id ?? null)) body.officerId = f.officerId || null;
  if (languages.join(',') !== e.languages.join(',')) body.languages = languages;
  if ([...f.specialisations].sort().join(',') !== [...e.specialisations].sort().join(',')) body.specialisations = f.specialisations as UpdateDirectoryEntryBody['specialisations'];
  if ((f.phone.trim() || null) !== (e.phone ?? null)) body.phone = f.phone.trim() || null;
  if (f.notes.trim() !== (e.notes ?? '')) body.notes = f.notes.trim();
  return Object.keys(body).length ? body : null;
}
