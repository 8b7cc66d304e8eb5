import { describe, expect, it } from 'vitest';
import { fromB64, identityFingerprint, toB64, toHex } from '../../shared/crypto/index.ts';
import { getSodium } from '../../shared/crypto/sodium.ts';
import { bearer, expectError } from '../world/app.ts';
import { createEntry, directoryWorld, search, searchUrl, titles, type DirectoryWorld } from './fixtures.ts';
import { rawDb } from '../world/db.ts';

/** Four entries across three agencies in two countries (one agency sponsored by its NCB). */
async function catalogue(w: DirectoryWorld) {
  const { t, pt, esNcb, esCustoms, net } = w;
  const darknet = await createEntry(t, pt.admin, {
    title: 'Darknet investigations desk',
    officerId: net.officer.id,
    specialisations: ['darknet-markets', 'internet-drug-crime'],
    languages: ['pt', 'en'],
    availability: { kind: 'schedule', timeZone: 'Europe/Lisbon', slots: [0, 1, 2, 3, 4].map((day) => ({ day, start: '09:00', end: '17:00' })) },
    notes: 'Handles Tor marketplace takedowns',
    phone: '+351 21 864 1000',
  });
  const precursors = await createEntry(t, pt.admin, {
    title: 'Precursor chemicals unit',
    specialisations: ['precursors'],
    languages: ['pt'],
    notes: 'Chemical diversion cases',
  });
  const fugitives = await createEntry(t, esNcb.admin, { title: 'Fugitive tracing desk', specialisations: ['fugitives'], languages: ['es', 'en'] });
  const delivery = await createEntry(t, esCustoms.admin, {
    title: 'Controlled delivery coordination',
    specialisations: ['controlled-delivery', 'money-laundering'],
    languages: ['es', 'fr'],
    availability: { kind: 'schedule', timeZone: 'Europe/Madrid', slots: [{ day: 0, start: '08:00', end: '20:00' }] },
  });
  return { darknet, precursors, fugitives, delivery };
}

describe('directory search: filters and text', () => {
  it('filters by country, specialisation, language and agency kind, alone and combined', async () => {
    const w = await directoryWorld();
    await catalogue(w);
    const who = w.net.officer;
    expect(await titles(w.t, who)).toEqual([
      'Fugitive tracing desk', // ES, "Interpol NCB Madrid"
      'Controlled delivery coordination', // ES, "Vigilancia Aduanera"
      'Darknet investigations desk', // PT, same agency: by title
      'Precursor chemicals unit',
    ]);
    expect(await titles(w.t, who, { country: 'ES' })).toEqual(['Fugitive tracing desk', 'Controlled delivery coordination']);
    expect(await titles(w.t, who, { country: 'DE' })).toEqual([]);
    expect(await titles(w.t, who, { specialisation: 'precursors' })).toEqual(['Precursor chemicals unit']);
    expect(await titles(w.t, who, { specialisation: 'money-laundering' })).toEqual(['Controlled delivery coordination']);
    expect(await titles(w.t, who, { specialisation: 'training' })).toEqual([]);
    expect(await titles(w.t, who, { language: 'fr' })).toEqual(['Controlled delivery coordination']);
    expect(await titles(w.t, who, { language: 'en' })).toEqual(['Fugitive tracing desk', 'Darknet investigations desk']);
    expect(await titles(w.t, who, { agencyKind: 'ncb' })).toEqual(['Fugitive tracing desk']);
    expect(await titles(w.t, who, { agencyKind: 'police' })).toEqual(['Darknet investigations desk', 'Precursor chemicals unit']);
    expect(await titles(w.t, who, { country: 'ES', language: 'en' })).toEqual(['Fugitive tracing desk']);
    // Text with each filter (the filters then run inside FTS5 as facet tokens).
    expect(await titles(w.t, who, { q: 'desk', country: 'PT' })).toEqual(['Darknet investigations desk']);
    expect(await titles(w.t, who, { q: 'desk', language: 'es' })).toEqual(['Fugitive tracing desk']);
    expect(await titles(w.t, who, { q: 'desk', specialisation: 'internet-drug-crime' })).toEqual(['Darknet investigations desk']);
    expect(await titles(w.t, who, { q: 'desk', agencyKind: 'ncb' })).toEqual(['Fugitive tracing desk']);
    expect(await titles(w.t, who, { q: 'desk', agencyKind: 'customs' })).toEqual([]);
    expect(await titles(w.t, who, { country: 'PT', specialisation: 'darknet-markets', language: 'pt', agencyKind: 'police', q: 'tor' })).toEqual([
      'Darknet investigations desk',
    ]);
  });

  it('matches free text over title, agency name, notes and linked officer name, by word prefix and without accents', async () => {
    const w = await directoryWorld();
    await catalogue(w);
    const who = w.net.officer;
    expect(await titles(w.t, who, { q: 'darknet' })).toEqual(['Darknet investigations desk']);
    expect(await titles(w.t, who, { q: 'marketplace' })).toEqual(['Darknet investigations desk']); // notes
    expect(await titles(w.t, who, { q: 'aduanera' })).toEqual(['Controlled delivery coordination']); // agency name
    expect(await titles(w.t, who, { q: 'silva' })).toEqual(['Darknet investigations desk']); // officer name
    expect(await titles(w.t, who, { q: 'Polícia' })).toEqual(['Darknet investigations desk', 'Precursor chemicals unit']);
    expect(await titles(w.t, who, { q: 'precurs' })).toEqual(['Precursor chemicals unit']); // prefix
    expect(await titles(w.t, who, { q: 'desk fugitive' })).toEqual(['Fugitive tracing desk']); // every word must match
    expect(await titles(w.t, who, { q: 'desk' })).toEqual(['Fugitive tracing desk', 'Darknet investigations desk']);
    expect(await titles(w.t, who, { q: 'nothing-like-this' })).toEqual([]);
    expect(await titles(w.t, who, { q: '   ' })).toHaveLength(4); // blank = no text filter
  });

  it('renders entries with agency, sponsoring NCB, linked officer, phone and facets', async () => {
    const w = await directoryWorld();
    const { darknet, delivery, fugitives } = await catalogue(w);
    expect(delivery.agency).toEqual({
      id: w.esCustoms.id,
      name: 'Vigilancia Aduanera',
      kind: 'customs',
      country: 'ES',
      sponsor: { id: w.esNcb.id, name: 'Interpol NCB Madrid' },
    });
    expect(fugitives.agency.sponsor).toBeNull();
    const [found] = (await search(w.t, w.net.officer, { q: 'coordination' })).entries;
    expect(found?.agency.sponsor).toEqual({ id: w.esNcb.id, name: 'Interpol NCB Madrid' });

    expect(darknet).toMatchObject({
      country: 'PT',
      phone: '+351218641000',
      specialisations: ['darknet-markets', 'internet-drug-crime'],
      languages: ['en', 'pt'],
      officer: { id: w.net.officer.id, displayName: 'Ana Silva', status: 'active', fingerprint: null },
      stale: false,
    });
  });

  it("shows the linked officer's identity-key fingerprint once keys are registered", async () => {
    const w = await directoryWorld();
    const { darknet } = await catalogue(w);
    const sodium = getSodium();
    const sign = sodium.crypto_sign_keypair().publicKey;
    const dh = sodium.crypto_box_keypair().publicKey;
    rawDb(w.t.app)
      .prepare(
        `INSERT INTO officer_keys (officer_id, agency_id, sign_public_key, dh_public_key, enrol_event, prekey, backup, created_at, updated_at)
         VALUES (?, ?, ?, ?, '{}', '{}', '{}', 0, 0)`,
      )
      .run(w.net.officer.id, w.pt.id, toB64(sign), toB64(dh));
    const res = await w.t.app.inject({ method: 'GET', url: `/api/v1/directory/${darknet.id}`, headers: bearer(w.net.officer.tokens) });
    const expected = toHex(identityFingerprint({ officerId: w.net.officer.id, signPublicKey: fromB64(toB64(sign)), dhPublicKey: dh }));
    expect((res.json() as { entry: { officer: { fingerprint: string } } }).entry.officer.fingerprint).toBe(expected);
  });

  it('excludes retired entries and re-indexes edited text', async () => {
    const w = await directoryWorld();
    const { precursors, darknet } = await catalogue(w);
    const admin = w.pt.admin;
    let res = await w.t.app.inject({ method: 'DELETE', url: `/api/v1/directory/${precursors.id}`, headers: bearer(admin.tokens) });
    expect(res.statusCode).toBe(200);
    expect(await titles(w.t, w.net.officer, { q: 'chemical' })).toEqual([]);
    expect(await titles(w.t, w.net.officer, { country: 'PT' })).toEqual(['Darknet investigations desk']);

    res = await w.t.app.inject({
      method: 'PATCH',
      url: `/api/v1/directory/${darknet.id}`,
      headers: bearer(admin.tokens),
      payload: { title: 'Cryptomarket unit', languages: ['de'], specialisations: ['forensics'] },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(await titles(w.t, w.net.officer, { q: 'darknet' })).toEqual([]);
    expect(await titles(w.t, w.net.officer, { q: 'cryptomarket' })).toEqual(['Cryptomarket unit']);
    expect(await titles(w.t, w.net.officer, { q: 'marketplace' })).toEqual(['Cryptomarket unit']); // untouched notes still indexed
    expect(await titles(w.t, w.net.officer, { language: 'pt' })).toEqual([]);
    expect(await titles(w.t, w.net.officer, { language: 'de' })).toEqual(['Cryptomarket unit']);
    expect(await titles(w.t, w.net.officer, { specialisation: 'darknet-markets' })).toEqual([]);
    expect(await titles(w.t, w.net.officer, { specialisation: 'forensics' })).toEqual(['Cryptomarket unit']);
  });

  it('never lets search text inject FTS5 syntax: operators are plain words, malformed input is no error', async () => {
    const w = await directoryWorld();
    await catalogue(w);
    const who = w.net.officer;
    // Were these parsed as FTS5 syntax they would return Darknet and/or Precursor (OR / NEAR / column filter / NOT).
    expect(await titles(w.t, who, { q: 'darknet OR precursor' })).toEqual([]);
    expect(await titles(w.t, who, { q: 'NEAR(darknet precursor)' })).toEqual([]);
    expect(await titles(w.t, who, { q: 'title:precursor' })).toEqual([]);
    expect(await titles(w.t, who, { q: 'desk NOT fugitive' })).toEqual([]);
    // Punctuation is dropped: what is left is an ordinary word search.
    expect(await titles(w.t, who, { q: '"darknet' })).toEqual(['Darknet investigations desk']);
    expect(await titles(w.t, who, { q: 'darknet*' })).toEqual(['Darknet investigations desk']);
    expect(await titles(w.t, who, { q: '^darknet' })).toEqual(['Darknet investigations desk']);
    expect(await titles(w.t, who, { q: '{title notes}: darknet' })).toEqual([]);
    // Filter tokens live in a hidden FTS column that free text cannot reach.
    expect(await titles(w.t, who, { q: 'cpt' })).toEqual([]);
    expect(await titles(w.t, who, { q: 'kpolice len' })).toEqual([]);
    for (const q of ['"', '""', '*', '"*"', 'NEAR(', ')', 'OR', 'AND', 'NOT', '(((', '-', ':', '^', '+', "'; DROP TABLE directory_entries; --", '\u0000', 'x'.repeat(200)]) {
      const res = await w.t.app.inject({ method: 'GET', url: searchUrl({ q }), headers: bearer(who.tokens) });
      expect(res.statusCode, `q=${JSON.stringify(q)}: ${res.body}`).toBe(200);
    }
    expect(await titles(w.t, who, { q: '"*"' })).toHaveLength(4); // no words at all = no text filter
    expect(await titles(w.t, who)).toHaveLength(4); // and the table is still there
  });

  it('rejects bad filters with a clear 400', async () => {
    const w = await directoryWorld();
    const get = (query: Record<string, string>) =>
      w.t.app.inject({ method: 'GET', url: searchUrl(query), headers: bearer(w.net.officer.tokens) });
    expectError(await get({ language: 'xx' }), 400, 'invalid_language');
    expectError(await get({ language: 'EN' }), 400, 'validation_failed');
    expectError(await get({ country: 'pt' }), 400, 'validation_failed');
    expectError(await get({ specialisation: 'hacking' }), 400, 'validation_failed');
    expectError(await get({ agencyKind: 'army' }), 400, 'validation_failed');
    expectError(await get({ availableNow: 'maybe' }), 400, 'validation_failed');
    expectError(await get({ limit: '0' }), 400, 'validation_failed');
    expectError(await get({ limit: '101' }), 400, 'validation_failed');
    expectError(await get({ q: 'x'.repeat(201) }), 400, 'validation_failed');
    expectError(await get({ sort: 'title' }), 400, 'validation_failed');
    expectError(await get({ cursor: 'not-a-cursor' }), 400, 'invalid_cursor');
    expectError(await get({ cursor: Buffer.from('[1,2,3]').toString('base64url') }), 400, 'invalid_cursor');
  });
});
