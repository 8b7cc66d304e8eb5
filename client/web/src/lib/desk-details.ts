import { SPECIALISATIONS, type Specialisation } from '../../../../shared/directory/vocabulary.ts';

/** The desk-details form (name, phone, time zone, specialisations, languages): parsing. Its texts are the `desk-details` namespace. */

/** `a, b ,, c` → `['a', 'b', 'c']`: trimmed, empty items dropped, duplicates (case-insensitive) removed, order kept. */
export function splitList(value: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of value.split(',')) {
    const item = raw.trim().replace(/\s+/g, ' ');
    if (item === '' || seen.has(item.toLowerCase())) continue;
    seen.add(item.toLowerCase());
    out.push(item);
  }
  return out;
}

export interface DeskDetails {
  name: string;
  phone: string;
  timeZone: string;
  specialisations: Specialisation[];
  languages: string[];
}

/** Only the fields that changed (the PATCH body), or null when nothing did. */
export function changedDetails(before: DeskDetails, after: DeskDetails): Partial<DeskDetails> | null {
  const out: Partial<DeskDetails> = {};
  if (after.name !== before.name) out.name = after.name;
  if (after.phone !== before.phone) out.phone = after.phone;
  if (after.timeZone !== before.timeZone) out.timeZone = after.timeZone;
  if ([...after.specialisations].sort().join('\n') !== [...before.specialisations].sort().join('\n')) out.specialisations = after.specialisations;
  if (after.languages.join('\n') !== before.languages.join('\n')) out.languages = after.languages;
  return Object.keys(out).length === 0 ? null : out;
}

/** The desk's specialisations as the vocabulary's values (the desk view types them as strings). */
export function knownSpecialisations(list: readonly string[]): Specialisation[] {
  return list.filter((s): s is Specialisation => (SPECIALISATIONS as readonly string[]).includes(s));
}
