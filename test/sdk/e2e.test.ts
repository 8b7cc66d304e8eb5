import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { LiaisonClient, MemoryStore, type ReceivedMessage, type SecurityNotice } from '../../client/sdk/index.ts';
import type { Receipt } from '../../shared/schemas/channels.ts';

import type { ChainStore } from '../../client/sdk/chains.ts';
import type { EpochSecrets } from '../../client/sdk/secrets.ts';
import type { StoredMessage } from '../../shared/schemas/channels.ts';
import { bearer, enrol, makeApp, provision, provisionAgency, totpCode, type Enrolled, type TestApp } from '../world/app.ts';
import { outsiderOpenError } from '../world/outsider.ts';

const PASSPHRASE = 'liaison e2e passphrase 2026';
const DAY_MS = 24 * 3600 * 1000;

async function signIn(t: TestApp, baseUrl: string, who: Enrolled): Promise<LiaisonClient> {
  const client = new LiaisonClient({ baseUrl, store: new MemoryStore(), now: () => t.clock.now(), retry: { attempts: 3, baseDelayMs: 10 } });
  await client.login({ username: who.username, password: who.password, totp: totpCode(who.totpSecret, t.clock.now()), deviceLabel: 'e2e' });
  // TOTP codes are single-use per step: move the clock on for the next sign-in.
  t.clock.advance(30_000);
  return client;
}

/** Polls until `check` returns a value (events arrive asynchronously over the socket). */
async function waitFor<T>(check: () => T | undefined | null | false, what: string, timeoutMs = 10_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('SDK end to end over real sockets', () => {
  it('two agencies: keys, agreement, channel, invitation, messages, file, receipts, add/remove', { timeout: 120_000 }, async () => {
    const t = await makeApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;

    // Agency A (from the standard fixture) gets a second officer (carol); agency B has bob.
    const netA = await provision(t, { prefix: 'a-' });
    const netB = await provisionAgency(t, netA.admin, { name: 'Guardia Civil', country: 'ES', prefix: 'b-', officers: ['bob'] });
    const carolRes = await t.app.inject({
      method: 'POST',
      url: `/api/v1/agencies/${netA.agency.id}/officers`,
      headers: bearer(netA.agencyAdmin.tokens),
      payload: { username: 'a-carol', displayName: 'Carol' },
    });
    const carolCreds = await enrol(t, (carolRes.json() as { enrolment: { token: string } }).enrolment.token);

    const adminA = await signIn(t, baseUrl, netA.agencyAdmin);
    const adminB = await signIn(t, baseUrl, netB.agencyAdmin);
    const alice = await signIn(t, baseUrl, netA.officer);
    const bob = await signIn(t, baseUrl, netB.officers[0]!);
    const carol = await signIn(t, baseUrl, carolCreds);
    const all = [adminA, adminB, alice, bob, carol];

    // Keys: admins become agency roots (self-issued certificates), then certify their officers.
    expect(await adminA.createIdentity(PASSPHRASE)).toEqual({ agencyRoot: true });
    expect(await adminB.createIdentity(PASSPHRASE)).toEqual({ agencyRoot: true });
    for (const c of [alice, bob, carol]) expect(await c.createIdentity(PASSPHRASE)).toEqual({ agencyRoot: false });
    expect((await adminA.certifyPending()).sort()).toEqual([alice.officerId, carol.officerId].sort());
    expect(await adminB.certifyPending()).toEqual([bob.officerId]);

    const security: Record<string, SecurityNotice[]> = {};
    for (const c of all) {
      security[c.officerId!] = [];
      c.on('security', (e) => security[c.officerId!]!.push(e));
    }
    // Key-log audit: every client sees a consistent log and no foreign entry about itself.
    for (const c of all) expect((await c.auditKeyLog()).foreignEntries).toBe(0);

    // Agreement proposed by A, signed by both admins → active; both signatures verify.
    const meA = await adminA.me();
    const meB = await adminB.me();
    const proposed = await adminA.proposeAgreement({
      parties: [meA.agency.id, meB.agency.id],
      scope: ['drug-trafficking', 'precursors'],
      validFrom: t.clock.now() - 1000,
      validUntil: t.clock.now() + 90 * DAY_MS,
      title: 'MOU A–B',
      text: 'Cooperation on precursors and drug trafficking.',
    });
    await adminA.signAgreement(proposed.id);
    const active = await adminB.signAgreement(proposed.id);
    expect(active.status).toBe('active');
    expect(await alice.verifyAgreement(active)).toMatchObject({ valid: true });

    for (const c of [alice, bob, carol]) await c.connect();

    // Alice opens a case channel with Bob (other agency) → invitation → Bob accepts.
    const invitations: string[] = [];
    bob.on('invitation', (e) => invitations.push(e.id));
    const channel = await alice.createChannel({ kind: 'case', agreementId: active.id, title: 'Operation Nightjar', caseRef: 'CASE-42', members: [bob.officerId!], policy: { minimum: 'TLP:GREEN' } });
    const invitationId = await waitFor(() => invitations[0], 'invitation');
    await bob.acceptInvitation(invitationId);
    // Alice distributes the new epoch's secret when she sees the accepted add; Bob can then read the title.
    await waitForAsync(async () => (await bob.channels())[0]?.title === 'Operation Nightjar', 'title decrypted by bob');
    expect((await alice.members(channel.id)).map((m) => m.officerId).sort()).toEqual([alice.officerId, bob.officerId].sort());

    // Alice sends text and a file; Bob receives both live and decrypts them.
    const bobGot: ReceivedMessage[] = [];
    bob.on('message', (m) => bobGot.push(m));
    const aliceReceipts: Receipt[] = [];
    alice.on('receipt', (r) => aliceReceipts.push(r));
    const sent = await alice.send(channel.id, { kind: 'text', text: 'Shipment leaves Rotterdam on Friday.' }, { handling: 'TLP:AMBER' });
    const fileBytes = new TextEncoder().encode('manifest line 1\nmanifest line 2\n'.repeat(5000));
    const progress: number[] = [];
    const file = await alice.uploadAttachment(channel.id, fileBytes, { name: 'manifest.txt', mimeType: 'text/plain', onProgress: (n) => progress.push(n) });
    expect(progress[0]).toBe(0);
    expect(progress.length).toBeGreaterThan(3);
    expect(progress.at(-1)).toBe(progress.at(-2));
    await alice.send(channel.id, file, { handling: 'TLP:AMBER' });
    await waitFor(() => bobGot.length >= 2, 'bob receives two messages');
    expect(bobGot[0]).toMatchObject({ channelId: channel.id, messageId: sent.messageId, senderId: alice.officerId, handling: 'TLP:AMBER', payload: { kind: 'text', text: 'Shipment leaves Rotterdam on Friday.' } });
    const filePayload = bobGot[1]!.payload;
    if (filePayload.kind !== 'file') throw new Error('expected a file payload');
    expect(await bob.downloadAttachment(filePayload)).toEqual(fileBytes);

    // Bob marks read; Alice sees the receipt live (delivered receipts were sent automatically).
    await bob.markRead(channel.id, [sent.messageId]);
    await waitFor(() => aliceReceipts.find((r) => r.kind === 'read' && r.messageId === sent.messageId), 'read receipt');
    const status = await alice.receipts(sent.messageId);
    expect(status.recipients.find((r) => r.officerId === bob.officerId)).toMatchObject({ delivered: expect.any(Number), read: expect.any(Number) });

    // Carol (agency A) is added, receives a message, is removed; she gets nothing afterwards.
    const carolGot: ReceivedMessage[] = [];
    carol.on('message', (m) => carolGot.push(m));
    expect(await alice.addMember(channel.id, carol.officerId!)).toBe('added');
    await alice.send(channel.id, { kind: 'text', text: 'Welcome Carol.' });
    await waitFor(() => carolGot.length === 1, 'carol receives while a member');
    await alice.removeMember(channel.id, carol.officerId!);
    const after = await alice.send(channel.id, { kind: 'text', text: 'After Carol left.' });
    await waitFor(() => bobGot.find((m) => m.messageId === after.messageId), 'bob receives after removal');
    await carol.sync();
    await carol.idle();
    expect(carolGot.map((m) => (m.payload.kind === 'text' ? m.payload.text : m.payload.kind))).toEqual(['Welcome Carol.']);
    // The server no longer serves her the channel…
    await expect(carol.history(channel.id)).rejects.toMatchObject({ status: 404 });
    // …and even with the ciphertext in hand she holds no secret for the new epoch and cannot open it.
    const removalEpoch = (await alice.channel(channel.id)).headSeq;
    const carolInternals = carol as unknown as { secrets: EpochSecrets; chains: ChainStore };
    expect(await carolInternals.secrets.load(channel.id, removalEpoch)).toBeUndefined();
    const page = await t.app.inject({ method: 'GET', url: `/api/v1/channels/${channel.id}/messages`, headers: bearer(netB.officers[0]!.tokens) });
    const stored = (page.json() as { messages: StoredMessage[] }).messages.find((m) => m.messageId === after.messageId)!;
    expect(stored.epoch).toBe(removalEpoch);
    const carolState = (await carolInternals.chains.state(channel.id))!;
    // She may learn of her own removal, but she is not a member of that epoch.
    expect(carolState.epochs.get(removalEpoch)?.members.has(carol.officerId!) ?? false).toBe(false);
    expect(await outsiderOpenError(carol, carolState, stored, t.clock.now())).toBe('envelope/no-epoch-key');
    // Alice's channel title was re-encrypted for the new epoch; Bob still reads it.
    expect((await bob.channel(channel.id)).title).toBe('Operation Nightjar');
    expect(Object.values(security).flat()).toEqual([]);

    for (const c of all) c.disconnect();
  });
});

describe('SDK security over the real server', () => {
  it('unlock on a new device; a key registered elsewhere is flagged by the key-log audit and pins', { timeout: 60_000 }, async () => {
    const t = await makeApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    const net = await provision(t, { prefix: 's-' });
    const admin = await signIn(t, baseUrl, net.agencyAdmin);
    const ana = await signIn(t, baseUrl, net.officer);
    await admin.createIdentity(PASSPHRASE);
    await ana.createIdentity(PASSPHRASE);
    await admin.certifyPending();
    const adminSecurity: SecurityNotice[] = [];
    const anaSecurity: SecurityNotice[] = [];
    admin.on('security', (e) => adminSecurity.push(e));
    ana.on('security', (e) => anaSecurity.push(e));
    expect((await ana.auditKeyLog()).foreignEntries).toBe(0);
    await admin.auditKeyLog();
    const before = await admin.safetyNumber(ana.officerId!);
    expect(before.digits).toMatch(/^\d{60}$/);
    expect((await ana.safetyNumber(admin.officerId!)).digits).toBe(before.digits);

    // A second device opens the sealed backup; a wrong passphrase does not.
    const anaPhone = await signIn(t, baseUrl, net.officer);
    await expect(anaPhone.unlock('wrong passphrase!!')).rejects.toMatchObject({ code: 'backup/wrong-secret' });
    await anaPhone.unlock(PASSPHRASE);
    expect(anaPhone.unlocked).toBe(true);
    // The restored device did not create ana's enrol or prekey entries, but they are signed with her
    // current identity key: not foreign (PROTOCOL.md §4.3).
    const phoneSecurity: SecurityNotice[] = [];
    anaPhone.on('security', (e) => phoneSecurity.push(e));
    expect((await anaPhone.auditKeyLog()).foreignEntries).toBe(0);
    expect(phoneSecurity).toEqual([]);
    anaPhone.lock();
    expect(anaPhone.unlocked).toBe(false);

    // Someone registers new keys for ana (here: another session; to ana's client it is foreign).
    // lock() forgot the sign-in password, so createIdentity is given it (it checks the passphrase against it).
    await anaPhone.createIdentity(PASSPHRASE, { password: net.officer.password });
    // Two foreign entries (besides the phone's device-add under ana's own identity): the enrol of the new keys and the device-add they signed for that installation (§4.5).
    expect((await ana.auditKeyLog()).foreignEntries).toBe(2);
    expect(anaSecurity).toEqual([
      // The phone's own device key, added earlier under ana's identity: announced, not an alarm.
      expect.objectContaining({ kind: 'device_added', officerId: ana.officerId }),
      expect.objectContaining({ kind: 'keylog_foreign_entry', officerId: ana.officerId, message: expect.stringContaining('(enrol)') }),
      expect.objectContaining({ kind: 'keylog_foreign_entry', officerId: ana.officerId, message: expect.stringContaining('(device-add)') }),
    ]);
    // The admin's pin for ana no longer matches: key_changed, and safety numbers refuse until verified.
    await admin.auditKeyLog();
    expect(adminSecurity).toEqual([expect.objectContaining({ kind: 'key_changed', officerId: ana.officerId })]);
    await admin.certifyPending();
    await expect(admin.createChannel({ kind: 'team', title: 'x', members: [ana.officerId!] })).rejects.toMatchObject({ code: 'keys/unverified-member' });
    await admin.markVerified(ana.officerId!);
    const after = await admin.safetyNumber(ana.officerId!);
    expect(after.digits).not.toBe(before.digits);
    await admin.createChannel({ kind: 'team', title: 'after verification', members: [ana.officerId!] });
  });
});

async function waitForAsync(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
