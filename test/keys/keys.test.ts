import { describe, expect, it } from 'vitest';
import {
  createKeyEvent,
  fromB64,
  generateIdentity,
  generateSignedPrekey,
  keyEventCodec,
  keyLogEntryCodec,
  sealBackup,
  backupBlobCodec,
  signedPrekeyCodec,
  prekeyHash,
  treeHeadCodec,
  verifyKeyLogExtension,
  assertNoForeignEntries,
  keyEventHash,
  type TreeHead,
} from '../../shared/crypto/index.ts';
import { expectError, makeApp, provision } from '../world/app.ts';
import { certificationBody, certify, keyedNetwork, placeholderBackup, registerKeys, registrationBody } from '../world/actors.ts';
import { call } from '../world/protocol.ts';

interface KeyLogPage {
  entries: Record<string, unknown>[];
  head: Record<string, unknown> | null;
  serverSignPublicKey: string;
  size: number;
}

describe('keys and the key-transparency log', () => {
  it('registers, certifies, and every page of the log verifies client-side from a remembered head', async () => {
    const t = await makeApp();
    const net = await provision(t);
    const admin = await registerKeys(t, net.agencyAdmin);
    const root = await call(t, admin, 'GET', `/keys/agencies/${admin.agencyId}/root`);
    expect(root.statusCode).toBe(200);
    expect((root.json() as { root: { officerId: string } }).root.officerId).toBe(admin.id);

    const first = (await call(t, admin, 'GET', '/keylog')).json() as KeyLogPage;
    const serverPk = fromB64(first.serverSignPublicKey);
    const known: TreeHead = verifyKeyLogExtension({ known: null, entries: first.entries.map((e) => keyLogEntryCodec.fromWire(e)), head: treeHeadCodec.fromWire(first.head), serverSignPublicKey: serverPk });
    expect(known.size).toBe(1);

    await certify(t, admin, admin);
    const officer = await registerKeys(t, net.officer);
    const pending = (await call(t, admin, 'GET', '/keys/pending')).json() as { officers: { officerId: string }[] };
    expect(pending.officers.map((o) => o.officerId)).toEqual([officer.id]);
    await certify(t, admin, officer);
    expect(((await call(t, admin, 'GET', '/keys/pending')).json() as { officers: unknown[] }).officers).toEqual([]);

    const next = (await call(t, officer, 'GET', `/keylog?from=${known.size}`)).json() as KeyLogPage;
    const entries = next.entries.map((e) => keyLogEntryCodec.fromWire(e));
    const head = verifyKeyLogExtension({ known, entries, head: treeHeadCodec.fromWire(next.head), serverSignPublicKey: serverPk });
    expect(head.size).toBe(4);
    expect(entries.map((e) => e.event.kind)).toEqual(['cert-issue', 'enrol', 'cert-issue']);
    // The officer recognises its own enrol and the certificate its admin handed it; nothing foreign.
    assertNoForeignEntries(entries, officer.id, entries.filter((e) => e.event.officerId === officer.id).map((e) => keyEventHash(e.event)));

    // Paging: each page carries the head at its end, so it verifies on its own.
    const page = (await call(t, officer, 'GET', '/keylog?from=1&limit=2')).json() as KeyLogPage;
    expect(page.size).toBe(4);
    const h2 = verifyKeyLogExtension({ known, entries: page.entries.map((e) => keyLogEntryCodec.fromWire(e)), head: treeHeadCodec.fromWire(page.head), serverSignPublicKey: serverPk });
    expect(h2.size).toBe(3);
    // A tampered page is caught by the client.
    const forged = structuredClone(page.entries);
    (forged[0]!.event as { time: number }).time += 1;
    expect(() => verifyKeyLogExtension({ known, entries: forged.map((e) => keyLogEntryCodec.fromWire(e)), head: treeHeadCodec.fromWire(page.head), serverSignPublicKey: serverPk })).toThrow(/keylog|verify/i);

    const view = (await call(t, admin, 'GET', `/keys/officers/${officer.id}`)).json() as { keys: { certificate: unknown; fingerprint: string } };
    expect(view.keys.certificate).not.toBeNull();
    expect(view.keys.fingerprint).toMatch(/^[0-9a-f]{60}$/);
  });

  it('refuses registrations about someone else, mismatched backups, weak backups and bad signatures', async () => {
    const t = await makeApp();
    const net = await provision(t);
    const me = { id: net.officer.tokens.officer.id, agencyId: net.officer.tokens.officer.agencyId };
    const keys = generateIdentity({ officerId: me.id, agencyId: me.agencyId });
    const other = generateIdentity({ officerId: net.agencyAdmin.tokens.officer.id, agencyId: me.agencyId });
    const put = (payload: unknown) => call(t, { tokens: net.officer.tokens } as never, 'PUT', '/keys/me', payload);

    expectError(await put(registrationBody(other, t.clock.now())), 400, 'wrong_subject');
    const swapped = { ...registrationBody(keys, t.clock.now()), backup: backupBlobCodec.toWire(placeholderBackup(generateIdentity({ officerId: me.id, agencyId: me.agencyId }))) };
    expectError(await put(swapped), 400, 'backup_mismatch');
    const weak = { ...placeholderBackup(keys), opslimit: 1 };
    expectError(await put(registrationBody(keys, t.clock.now(), weak)), 400, 'backup_too_weak');
    const tampered = registrationBody(keys, t.clock.now());
    (tampered.keyEvent as { time: number }).time += 1;
    expectError(await put(tampered), 400, 'keylog_bad_event_signature');
    expectError(await put({ ...registrationBody(keys, t.clock.now()), keyEvent: { v: 1 } }), 400, 'wire_invalid');
    expect((await call(t, { tokens: net.officer.tokens } as never, 'GET', '/keylog')).json()).toMatchObject({ size: 0, head: null });
  });

  it('accepts a real sealed backup, serves it only to its owner, and rotates prekeys through the log', async () => {
    const t = await makeApp();
    const net = await provision(t);
    const me = net.officer.tokens.officer;
    const keys = generateIdentity({ officerId: me.id, agencyId: me.agencyId });
    const backup = sealBackup(keys, { kind: 'passphrase', value: 'a long enough passphrase' });
    const asMe = { tokens: net.officer.tokens } as never;
    const res = await call(t, asMe, 'PUT', '/keys/me', registrationBody(keys, t.clock.now(), backup));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ agencyRoot: false, logIndex: 0 });
    const mine = await call(t, asMe, 'GET', '/keys/me/backup');
    expect(mine.json()).toEqual({ backup: backupBlobCodec.toWire(backup) });
    // An admin has no route to someone else's backup; their own does not exist yet.
    expectError(await call(t, { tokens: net.agencyAdmin.tokens } as never, 'GET', '/keys/me/backup'), 404, 'not_found');

    const { prekey } = generateSignedPrekey(keys, { prekeyId: 2, createdAt: t.clock.now() });
    const ev = createKeyEvent({ kind: 'prekey-rotate', officerId: me.id, agencyId: me.agencyId, signPublicKey: keys.signPublicKey, dhPublicKey: prekey.publicKey, recordHash: prekeyHash(prekey), time: t.clock.now() }, keys);
    const rot = await call(t, asMe, 'POST', '/keys/me/prekey', { prekey: signedPrekeyCodec.toWire(prekey), keyEvent: keyEventCodec.toWire(ev) });
    expect(rot.statusCode).toBe(200);
    expectError(await call(t, asMe, 'POST', '/keys/me/prekey', { prekey: signedPrekeyCodec.toWire(prekey), keyEvent: keyEventCodec.toWire(ev) }), 409, 'stale_prekey');
    expect(((await call(t, asMe, 'GET', '/keylog')).json() as KeyLogPage).size).toBe(2);
  });

  it('only the agency root certifies, only its own agency, only the registered keys', async () => {
    const t = await makeApp();
    const { a, b } = await keyedNetwork(t);
    // A non-root officer cannot issue certificates.
    expectError(await call(t, a.officer, 'POST', '/keys/certificates', certificationBody(t, a.officer, a.officer).body), 403, 'not_agency_root');
    // Root of B cannot certify an officer of A (looks missing).
    const foreign = { ...a.officer, agencyId: b.agencyId, keys: { ...a.officer.keys, agencyId: b.agencyId } };
    expectError(await call(t, b.admin, 'POST', '/keys/certificates', certificationBody(t, b.admin, foreign).body), 404, 'not_found');
    // A certificate for keys the officer never registered.
    const impostor = { ...a.officer, keys: generateIdentity({ officerId: a.officer.id, agencyId: a.agencyId }) };
    expectError(await call(t, a.admin, 'POST', '/keys/certificates', certificationBody(t, a.admin, impostor).body), 400, 'key_mismatch');
    // The cert-issue event must be signed by the root and describe this certificate.
    const { body } = certificationBody(t, a.admin, a.officer);
    const { body: other } = certificationBody(t, a.admin, a.admin);
    expectError(await call(t, a.admin, 'POST', '/keys/certificates', { certificate: body.certificate, keyEvent: other.keyEvent }), 400, 'event_mismatch');
    expectError(await call(t, a.officer, 'GET', '/keys/pending'), 403, 'forbidden');
    expectError(await call(t, a.officer, 'GET', '/keys/officers/nobody'), 404, 'not_found');
  });
});
