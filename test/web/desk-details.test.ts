import { describe, expect, it } from 'vitest';
import { changedDetails, knownSpecialisations, splitList, type DeskDetails } from '../../client/web/src/lib/desk-details.ts';

const before: DeskDetails = { name: 'Drug desk', phone: '+351218641000', timeZone: 'Europe/Lisbon', specialisations: ['precursors', 'forensics'], languages: ['pt', 'en'] };

describe('desk details form', () => {
  it('splits comma lists: trimmed, empty items dropped, case-insensitive duplicates removed, order kept', () => {
    expect(splitList(' pt, en ,, PT,es  ')).toEqual(['pt', 'en', 'es']);
    expect(splitList('')).toEqual([]);
    expect(splitList('pt-BR,  pt-br')).toEqual(['pt-BR']);
  });

  it('sends only what changed, and nothing when nothing did (specialisations compared as a set)', () => {
    expect(changedDetails(before, { ...before, specialisations: ['forensics', 'precursors'] })).toBeNull();
    expect(changedDetails(before, { ...before, phone: '+351218641001', languages: ['pt'] })).toEqual({ phone: '+351218641001', languages: ['pt'] });
    expect(changedDetails(before, { ...before, timeZone: 'Atlantic/Azores', name: 'Desk' })).toEqual({ timeZone: 'Atlantic/Azores', name: 'Desk' });
  });

  it('keeps only specialisations of the vocabulary', () => {
    expect(knownSpecialisations(['precursors', 'cooking', 'forensics'])).toEqual(['precursors', 'forensics']);
  });
});
