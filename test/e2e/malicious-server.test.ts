import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LiaisonClient, MemoryStore, type ReceivedMessage } from '../../client/sdk/index.ts';
import {
  createKeyEvent,
  createMembershipEvent,
  fromB64,
  generateIdentity,
  getSodium,
  issueCertificate,
  keyLogEntryCodec,
  keyLogEntryHash,
  type KeyLogEntry,
  membershipEventCodec,
  membershipEventHash,
  signTreeHead,
  randomBytes,
  toB64,
  treeHeadCodec,
  type ChannelState,
} from '../../shared/crypto/index.ts';
import type { FeedItem, StoredMessage } from '../../shared/schemas/channels.ts';
import { E2E_PASSPHRASE, openCaseChannel, signIn, totpCode, twoAgencyNetwork, type TwoAgencyNetwork } from '../world/network.ts';
import { KeyLogWriter } from '../../server/keys/key-log.ts';
import { securityLog, startHost } from './host.ts';
import { tamperableFetch } from './tamper.ts';
import { rawDb } from '../world/db.ts';

const YEAR_MS = 365 * 24 * 3600 * 1000;

async function setup(prefix: string) {
  const host = await startHost();
  const bobFetch = tamperableFetch();
  const aliceFetch = tamperableFetch();
  const net = await twoAgencyNetwork(host, { prefix, fetch: { alice: aliceFetch.fetch, bob: bobFetch.fetch } });
  const channel = await openCaseChannel(net, { title: 'Operation Kestrel', caseRef: 'CASE-7' });
  const bobMessages: ReceivedMessage[] = [];
  net.bob.on('message', (m) => bobMessages.push(m));
  return { host, net, channel, aliceFetch, bobFetch, bobMessages, aliceSecurity: securityLog(net.alice), bobSecurity: securityLog(net.bob) };
}

function count(net: TwoAgencyNetwork, sql: string, ...args: unknown[]): number {
  return rawDb(net.host.app).prepare(sql).pluck().get(...args) as number;
}

function texts(ms: ReceivedMessage[]): string[] {
  return ms.map((m) => (m.payload.kind === 'text' ? m.payload.text : m.payload.kind));
}

describe('a malicious server is detected by the SDK', () => {
  it('(a) an injected member (add signed by a key the server invented): chain_invalid at the receiver, the sender refuses to encrypt', { timeout: 60_000 }, async () => {
    const { net, channel, bobSecurity, aliceSecurity, bobMessages } = await setup('ma-');
    const { alice, bob, host } = net;
    await bob.sync();
    const db = rawDb(host.app);
    const row = db.prepare('SELECT head_seq AS headSeq, head_hash AS headHash FROM channels WHERE id = ?').get(channel.id) as { headSeq: number; headHash: string };
    // The server invents an officer of agency A, a "root" to certify it and a key to sign the add as alice.
    const now = host.clock.now();
    const ghost = generateIdentity({ officerId: crypto.randomUUID(), agencyId: net.a.agencyId });
    const fakeRoot = generateIdentity({ officerId: crypto.randomUUID(), agencyId: net.a.agencyId });
    const forgedKey = generateIdentity({ officerId: alice.officerId!, agencyId: net.a.agencyId });
    const cert = issueCertificate(ghost, { role: 'officer', issuedAt: now - 1000, expiresAt: now + YEAR_MS }, fakeRoot);
    // createMembershipEvent only reads the channel id and the head of the state.
    const head = { channelId: channel.id, current: { epoch: row.headSeq, stateHash: fromB64(row.headHash) } } as unknown as ChannelState;
    const event = createMembershipEvent(head, { kind: 'add', time: now, actorOfficerId: alice.officerId!, actorDeviceId: alice.deviceId, member: cert, role: 'member' }, forgedKey);
    const wire = membershipEventCodec.toWire(event);
    db.transaction(() => {
      db.prepare('INSERT INTO membership_events (channel_id, seq, event, hash, author_id, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(channel.id, event.seq, JSON.stringify(wire), toB64(membershipEventHash(event)), alice.officerId, now);
      db.prepare('UPDATE channels SET head_seq = ?, head_hash = ? WHERE id = ?').run(event.seq, toB64(membershipEventHash(event)), channel.id);
      db.prepare("INSERT INTO feed (channel_id, kind, message_pk, recipient_id, payload, created_at) VALUES (?, 'membership', NULL, NULL, ?, ?)").run(channel.id, JSON.stringify(wire), now);
    })();

    // The receiver gets the event through sync and rejects it.
    await bob.sync();
    expect(bobSecurity).toEqual([expect.objectContaining({ kind: 'chain_invalid', channelId: channel.id, code: 'chain/bad-signature' })]);
    expect((await bob.members(channel.id)).map((m) => m.officerId).sort()).toEqual([alice.officerId, bob.officerId].sort());
    // (The server's own GET /channels/:id now answers 500: it re-verifies the stored chain too.)

    // The sender pulls the chain before encrypting, detects the same and sends nothing (twice).
    const before = count(net, 'SELECT count(*) FROM messages WHERE channel_id = ?', channel.id);
    await expect(alice.send(channel.id, { kind: 'text', text: 'for the ghost?' })).rejects.toMatchObject({ code: 'chain/bad-signature' });
    await expect(alice.send(channel.id, { kind: 'text', text: 'again?' })).rejects.toMatchObject({ code: expect.stringMatching(/^chain\/(bad-signature|untrusted)$/) });
    expect(aliceSecurity[0]).toMatchObject({ kind: 'chain_invalid', channelId: channel.id, code: 'chain/bad-signature' });
    expect(count(net, 'SELECT count(*) FROM messages WHERE channel_id = ?', channel.id)).toBe(before);
    expect((await alice.members(channel.id)).map((m) => m.officerId)).not.toContain(ghost.officerId);
    // An unsigned variant (zero signature) is refused the same way by a fresh device.
    const bobPhone = await signIn(host, net.b.bob);
    await bobPhone.unlock(E2E_PASSPHRASE);
    const phoneSecurity = securityLog(bobPhone);
    await expect(bobPhone.members(channel.id)).rejects.toMatchObject({ code: 'chain/bad-signature' });
    expect(phoneSecurity).toEqual([expect.objectContaining({ kind: 'chain_invalid', code: 'chain/bad-signature' })]);
    const unsigned = { ...wire, signature: toB64(new Uint8Array(64)) };
    db.prepare('UPDATE membership_events SET event = ? WHERE channel_id = ? AND seq = ?').run(JSON.stringify(unsigned), channel.id, event.seq);
    const bobLaptop = await signIn(host, net.b.bob);
    const laptopSecurity = securityLog(bobLaptop);
    await expect(bobLaptop.members(channel.id)).rejects.toMatchObject({ code: 'chain/bad-signature' });
    expect(laptopSecurity).toEqual([expect.objectContaining({ kind: 'chain_invalid', code: 'chain/bad-signature' })]);
    expect(bobMessages).toEqual([]);
  });

  it('(b) a dropped or reordered membership event: chain_invalid (broken link)', { timeout: 60_000 }, async () => {
    const { net, channel, bobFetch, bobSecurity } = await setup('mb-');
    const { alice, bob, host } = net;
    await bob.sync();
    // Events 2 (add the PT admin) and 3 (remove them) while bob is away.
    expect(await alice.addMember(channel.id, net.a.admin.id)).toBe('added');
    await alice.removeMember(channel.id, net.a.admin.id);
    // The server hides event 2 everywhere: in the feed and in the events API.
    const drop2 = (url: URL, _m: string, body: unknown): unknown => {
      if (url.pathname === '/api/v1/sync') {
        const page = body as { items: FeedItem[] };
        return { ...page, items: page.items.filter((i) => !(i.kind === 'membership' && (i.data as { seq: number }).seq === 2)) };
      }
      if (url.pathname.endsWith('/events')) {
        const page = body as { events: { seq: number }[] };
        return { ...page, events: page.events.filter((e) => e.seq !== 2) };
      }
      return body;
    };
    bobFetch.set(drop2);
    const membership: number[] = [];
    bob.on('membership', (m) => membership.push(m.epoch));
    await bob.sync();
    // Every later item of the channel (event 3, its key envelope) is refused again: one notice each.
    expect(bobSecurity.length).toBeGreaterThanOrEqual(1);
    for (const n of bobSecurity) expect(n).toMatchObject({ kind: 'chain_invalid', channelId: channel.id, code: 'chain/broken-link' });
    expect(membership).toEqual([]);
    bobFetch.set(null);
    await expect(bob.send(channel.id, { kind: 'text', text: 'x' })).rejects.toMatchObject({ code: expect.stringMatching(/^chain\//) });
    expect((await bob.channel(channel.id)).untrusted).toBe('chain/broken-link');

    // Reordered (3 before 2) for a fresh device of bob's: refused as well.
    const swap = tamperableFetch();
    const bobPhone = new LiaisonClient({ baseUrl: host.baseUrl, store: new MemoryStore(), now: () => host.clock.now(), fetch: swap.fetch });
    await bobPhone.login({ username: net.b.bob.username, password: net.b.bob.password, totp: totpCode(net.b.bob.totpSecret, host.clock.now()) });
    host.clock.advance(30_000);
    const phoneSecurity = securityLog(bobPhone);
    swap.set((url, _m, body) => {
      if (!url.pathname.endsWith('/events')) return body;
      const page = body as { events: { seq: number }[] };
      const ev = [...page.events];
      const i2 = ev.findIndex((e) => e.seq === 2);
      const i3 = ev.findIndex((e) => e.seq === 3);
      [ev[i2], ev[i3]] = [ev[i3]!, ev[i2]!];
      return { ...page, events: ev };
    });
    await expect(bobPhone.members(channel.id)).rejects.toMatchObject({ code: 'chain/broken-link' });
    expect(phoneSecurity).toEqual([expect.objectContaining({ kind: 'chain_invalid', code: 'chain/broken-link' })]);
    // Honest answers verify (the detection is about the tampering, not the chain).
    swap.set(null);
    const honest = await signIn(host, net.b.bob);
    expect((await honest.members(channel.id)).map((m) => m.officerId).sort()).toEqual([alice.officerId, bob.officerId].sort());
  });

  it('(c) a replayed envelope (stored again as a new message, or served twice) is not delivered twice', { timeout: 60_000 }, async () => {
    const { net, channel, bobFetch, bobMessages, bobSecurity } = await setup('mc-');
    const { alice, bob, host } = net;
    const sent = await alice.send(channel.id, { kind: 'text', text: 'Transfer of 40 kg confirmed.' });
    await bob.sync();
    expect(texts(bobMessages)).toEqual(['Transfer of 40 kg confirmed.']);

    // 1. The server re-inserts the stored envelope as a new message (new id, next seq) with a feed row.
    const db = rawDb(host.app);
    const now = host.clock.now();
    db.transaction(() => {
      const info = db
        .prepare(
          `INSERT INTO messages (id, channel_id, seq, sender_id, sender_device_id, epoch, handling, envelope, size, ack_required, forwarded_from, created_at, expires_at)
           SELECT ?, channel_id, seq + 1, sender_id, sender_device_id, epoch, handling, envelope, size, ack_required, forwarded_from, ?, expires_at FROM messages WHERE id = ? RETURNING pk`,
        )
        .get(crypto.randomUUID(), now, sent.messageId) as { pk: number };
      db.prepare('UPDATE channels SET last_message_seq = last_message_seq + 1 WHERE id = ?').run(channel.id);
      db.prepare("INSERT INTO feed (channel_id, kind, message_pk, recipient_id, payload, created_at) VALUES (?, 'message', ?, NULL, NULL, ?)").run(channel.id, Number(info.pk), now);
    })();
    await bob.sync();
    expect(texts(bobMessages)).toEqual(['Transfer of 40 kg confirmed.']);
    expect(bobSecurity).toEqual([expect.objectContaining({ kind: 'message_rejected', channelId: channel.id, code: 'envelope/metadata-mismatch' })]);

    // 2. The server serves the original item again (same id, a new pos and seq) in the feed.
    let original: FeedItem | undefined;
    bobFetch.set((url, _m, body) => {
      if (url.pathname !== '/api/v1/sync') return body;
      const page = body as { items: FeedItem[]; cursor: number };
      if (!original) return body;
      const pos = page.cursor + 1;
      const replay = { ...original, pos, data: { ...(original.data as StoredMessage), seq: 99 } };
      original = undefined;
      return { ...page, items: [...page.items, replay], cursor: pos };
    });
    const feed = (await host.app.inject({ method: 'GET', url: '/api/v1/sync?cursor=0', headers: { authorization: `Bearer ${net.b.bob.accessToken}` } })).json() as { items: FeedItem[] };
    original = feed.items.find((i) => i.kind === 'message' && (i.data as StoredMessage).messageId === sent.messageId);
    expect(original).toBeDefined();
    await bob.sync();
    expect(original).toBeUndefined(); // it was served
    expect(texts(bobMessages)).toEqual(['Transfer of 40 kg confirmed.']);
    // Not silently: the receiver raises a replay notice (PROTOCOL.md §6, §7 step 6).
    expect(bobSecurity.slice(1)).toEqual([expect.objectContaining({ kind: 'message_replayed', channelId: channel.id, code: 'envelope/replay', officerId: alice.officerId })]);

    // 3. A fresh device reading history: the server lists the same envelope twice; it is opened once.
    bobFetch.set(null);
    const dup = tamperableFetch();
    dup.set((url, _m, body) => {
      if (!url.pathname.endsWith('/messages')) return body;
      const page = body as { messages: StoredMessage[] };
      const first = page.messages.find((m) => m.messageId === sent.messageId);
      return first ? { ...page, messages: [...page.messages, { ...first, seq: 1000 }] } : body;
    });
    const bobPhone = new LiaisonClient({ baseUrl: host.baseUrl, store: new MemoryStore(), now: () => host.clock.now(), fetch: dup.fetch });
    const phoneSecurity = securityLog(bobPhone);
    await bobPhone.login({ username: net.b.bob.username, password: net.b.bob.password, totp: totpCode(net.b.bob.totpSecret, host.clock.now()) });
    host.clock.advance(30_000);
    await bobPhone.unlock(E2E_PASSPHRASE);
    const history = await bobPhone.history(channel.id);
    expect(history.filter((m) => m.messageId === sent.messageId)).toHaveLength(1);
    expect(texts(history)).toEqual(['Transfer of 40 kg confirmed.']);
    expect(phoneSecurity.filter((s) => s.kind === 'message_replayed')).toEqual([expect.objectContaining({ channelId: channel.id, code: 'envelope/replay' })]);
  });

  it('(d) an envelope of channel X served in channel Y\'s feed is rejected', { timeout: 60_000 }, async () => {
    const { net, channel: x, bobFetch, bobMessages, bobSecurity } = await setup('md-');
    const { alice, bob } = net;
    const y = await openCaseChannel(net, { title: 'Operation Osprey' });
    await bob.sync();
    const sent = await alice.send(x.id, { kind: 'text', text: 'Only for channel X.' });
    bobFetch.set((url, _m, body) => {
      if (url.pathname !== '/api/v1/sync') return body;
      const page = body as { items: FeedItem[] };
      return {
        ...page,
        items: page.items.map((i) => (i.kind === 'message' && i.channelId === x.id ? { ...i, channelId: y.id, data: { ...(i.data as StoredMessage), channelId: y.id } } : i)),
      };
    });
    await bob.sync();
    expect(bobMessages).toEqual([]);
    expect(bobSecurity).toEqual([expect.objectContaining({ kind: 'message_rejected', channelId: y.id, code: 'envelope/metadata-mismatch' })]);
    // History of Y through the same tampering: nothing from X appears there.
    bobFetch.set((url, _m, body) => {
      if (url.pathname !== `/api/v1/channels/${y.id}/messages`) return body;
      return { messages: [{ ...history0!, channelId: y.id }], hasMore: false };
    });
    const history0 = ((await net.host.app.inject({ method: 'GET', url: `/api/v1/channels/${x.id}/messages`, headers: { authorization: `Bearer ${net.b.bob.accessToken}` } })).json() as { messages: StoredMessage[] }).messages.find(
      (m) => m.messageId === sent.messageId,
    );
    expect(history0).toBeDefined();
    expect(await bob.history(y.id)).toEqual([]);
    bobFetch.set(null);
    expect(texts(await bob.history(x.id))).toEqual(['Only for channel X.']);
  });

  it('(e) a different key-log head of the same size (equivocation): keylog_equivocation', { timeout: 60_000 }, async () => {
    const { net, bobFetch, bobSecurity } = await setup('me-');
    const { bob, host } = net;
    const first = await bob.auditKeyLog();
    expect(first.size).toBeGreaterThan(0);
    // The server (it holds its log key) signs a second head for the same size with another hash.
    const pair = getSodium().crypto_sign_seed_keypair(host.app.ctx.secrets.keyLogSigningSeed);
    const forged = signTreeHead({ size: first.size, headHash: randomBytes(32) }, pair.privateKey, host.clock.now());
    bobFetch.set((url, _m, body) => {
      if (url.pathname !== '/api/v1/keylog') return body;
      return { ...(body as object), head: treeHeadCodec.toWire(forged) };
    });
    await expect(bob.auditKeyLog()).rejects.toMatchObject({ code: 'keylog/equivocation' });
    expect(bobSecurity).toEqual([expect.objectContaining({ kind: 'keylog_equivocation', code: 'keylog/equivocation' })]);
    // The honest log still audits from the head bob kept (the forged one was not adopted).
    bobFetch.set(null);
    expect(await bob.auditKeyLog()).toMatchObject({ size: first.size, foreignEntries: 0 });
  });

  it('(f) a server stamp moved a week away (§7.1): the message is still shown, at that stamp, marked time-skew', { timeout: 60_000 }, async () => {
    const { net, channel, bobFetch, bobMessages, bobSecurity } = await setup('mf-');
    const { alice, bob } = net;
    const WEEK = 7 * 24 * 3600 * 1000;
    bobFetch.set((url, _m, body) => {
      if (url.pathname !== '/api/v1/sync') return body;
      const page = body as { items: FeedItem[] };
      return { ...page, items: page.items.map((i) => (i.kind === 'message' ? { ...i, data: { ...(i.data as StoredMessage), createdAt: (i.data as StoredMessage).createdAt + WEEK } } : i)) };
    });
    const sent = await alice.send(channel.id, { kind: 'text', text: 'Meeting moved to Thursday.' });
    await bob.sync();
    expect(bobMessages).toEqual([expect.objectContaining({ messageId: sent.messageId, sentAt: sent.createdAt + WEEK, timeSkew: true })]);
    expect(texts(bobMessages)).toEqual(['Meeting moved to Thursday.']);
    expect(bobSecurity).toEqual([expect.objectContaining({ kind: 'message_time_skew', channelId: channel.id, code: 'envelope/time-skew' })]);
  });

  describe('(g) key-log gossip (§7): the head in a sender\'s envelope header must be a prefix of the receiver\'s audited log', () => {
    type Net = Awaited<ReturnType<typeof setup>>;

    /** A key event about an officer the server invents (validly self-signed, so only the head signature is the server's). */
    function ghostEvent(net: TwoAgencyNetwork) {
      const ghost = generateIdentity({ officerId: crypto.randomUUID(), agencyId: net.a.agencyId });
      return createKeyEvent(
        { kind: 'enrol', officerId: ghost.officerId, agencyId: net.a.agencyId, signPublicKey: ghost.signPublicKey, dhPublicKey: ghost.dhPublicKey, time: net.host.clock.now() },
        ghost,
      );
    }

    /**
     * The server shows alice (only) a forked log: its first `keep` honest entries, then one invented entry,
     * under a head it signs with its real key-log key. Alice's audit of it succeeds.
     */
    async function forkAliceView(s: Net, keep: number): Promise<void> {
      // sync() audits the key log (deprovisioning, PROTOCOL.md §4.3 Revocation): alice forgets her audit of the
      // honest log, so that the forked view is the first log she audits, as the scenario requires.
      const aliceStore = (s.net.alice as unknown as { ctx: { store: { delete(key: string): Promise<void> } } }).ctx.store;
      for (const key of ['keylog:head', 'keylog:heads', 'keylog:prefix', 'keylog:revocations']) await aliceStore.delete(key);
      const pair = getSodium().crypto_sign_seed_keypair(s.host.app.ctx.secrets.keyLogSigningSeed);
      s.aliceFetch.set((url, _m, body) => {
        if (url.pathname !== '/api/v1/keylog') return body;
        const page = body as { entries: Record<string, unknown>[]; size: number };
        const honest = page.entries.map((e) => keyLogEntryCodec.fromWire(e)).slice(0, keep);
        const prevHash = honest.length > 0 ? keyLogEntryHash(honest[honest.length - 1]!) : new Uint8Array(32);
        const forged: KeyLogEntry = { index: keep, prevHash, event: ghostEvent(s.net) };
        const head = signTreeHead({ size: keep + 1, headHash: keyLogEntryHash(forged) }, pair.privateKey, s.host.clock.now());
        return { ...page, entries: [...honest, forged].map((e) => keyLogEntryCodec.toWire(e)), head: treeHeadCodec.toWire(head), size: keep + 1 };
      });
      await s.net.alice.auditKeyLog();
      s.aliceFetch.set(null);
    }

    /** The server appends an honest entry (a new officer's enrolment). */
    async function growLog(s: Net): Promise<void> {
      const writer = new KeyLogWriter(s.host.clock, s.host.app.ctx.secrets.keyLogSigningSeed);
      await s.host.app.ctx.store.write((tx) => writer.append(tx, ghostEvent(s.net)));
    }

    async function send(s: Net, text: string): Promise<void> {
      await s.net.alice.send(s.channel.id, { kind: 'text', text });
      await s.net.bob.sync();
    }

    function refused(s: Net): void {
      expect(s.bobMessages).toEqual([]);
      expect(s.bobSecurity).toEqual([
        expect.objectContaining({ kind: 'keylog_equivocation', code: 'keylog/equivocation' }),
        expect.objectContaining({ kind: 'message_rejected', channelId: s.channel.id, code: 'keylog/equivocation' }),
      ]);
    }

    it('honest: a sender behind, level with or ahead of the receiver is delivered (ahead: the receiver audits first)', { timeout: 60_000 }, async () => {
      const s = await setup('mf1-');
      await send(s, 'Never audited.'); // both at size 0
      const audited = await s.net.alice.auditKeyLog();
      await send(s, 'Sender ahead.'); // bob audits up to alice's head
      await growLog(s);
      expect((await s.net.bob.auditKeyLog()).size).toBe(audited.size + 1);
      await send(s, 'Sender behind.'); // prefix of bob's log
      await s.net.alice.auditKeyLog();
      await send(s, 'Level.');
      expect(texts(s.bobMessages)).toEqual(['Never audited.', 'Sender ahead.', 'Sender behind.', 'Level.']);
      expect(s.bobSecurity).toEqual([]);
    });

    it('same size, different hash: the receiver detects the fork and refuses the message', { timeout: 60_000 }, async () => {
      const s = await setup('mf2-');
      const honest = await s.net.bob.auditKeyLog();
      await forkAliceView(s, honest.size - 1);
      await send(s, 'From a forked view.');
      refused(s);
      // bob's own view is untouched: the honest log still audits from his head.
      expect(await s.net.bob.auditKeyLog()).toMatchObject({ size: honest.size });
    });

    it('sender ahead of a log the server does not serve the receiver: equivocation after the receiver audits', { timeout: 60_000 }, async () => {
      const s = await setup('mf3-');
      const honest = await s.net.bob.auditKeyLog();
      await forkAliceView(s, honest.size); // alice sees size + 1
      await send(s, 'From a longer fork.');
      refused(s);
    });

    it('sender behind the receiver with a hash that is not the receiver\'s prefix: equivocation', { timeout: 60_000 }, async () => {
      const s = await setup('mf4-');
      const honest = await s.net.bob.auditKeyLog();
      await forkAliceView(s, honest.size - 1); // alice: size n, forked last entry
      await growLog(s);
      await growLog(s);
      expect((await s.net.bob.auditKeyLog()).size).toBe(honest.size + 2);
      await send(s, 'From behind, forked.');
      refused(s);
    });
  });
});
