import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { FeedItem } from '../../shared/schemas/channels.ts';
import { withDefaultUser } from '../../server/store/pg/client.ts';
import { bearer, expectError, login, makeApp, pgTestStore, provision } from '../world/app.ts';
import { keyedNetwork } from '../world/actors.ts';
import { activeAgreement, call, chainContext, openChannel, trySend } from '../world/protocol.ts';
import { closeSockets, collect, connect, connected, listen, makeChannel, makeWorld, postMessage, sendBody, sleep, waitFor } from '../world/messaging.ts';

/**
 * Node A on a fresh schema with an agreement channel whose only member has sent `warm` messages, so A's
 * send path holds the channel's writability, the officer's key and certification in its caches.
 */
async function cachedChannel(warm: number) {
  const store = pgTestStore();
  const a = await makeApp({ config: { store } });
  const { a: agencyA, b: agencyB } = await keyedNetwork(a);
  const ag = await activeAgreement(a, [agencyA.admin, agencyB.admin]);
  const { channelId, state } = await openChannel(a, agencyA.officer, chainContext(agencyA.admin, agencyB.admin), { agreementId: ag.id });
  for (let i = 0; i < warm; i++) expect((await trySend(a, agencyA.officer, channelId, state)).statusCode).toBe(201);
  const sendAgain = () => trySend(a, agencyA.officer, channelId, state);
  /** Sends until one is refused (the change reached A's caches) or 10 s pass; the last answer. */
  const sendUntilRefused = async () => {
    const deadline = Date.now() + 10_000;
    let res = await sendAgain();
    while (res.statusCode === 201 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      res = await sendAgain();
    }
    return res;
  };
  return { store, a, agencyB, ag, sendUntilRefused };
}

/** Service flows through the HTTP API on the PostgreSQL store (STORE=postgres), each on a fresh schema. */
describe('the app on PostgreSQL', () => {
  afterEach(() => closeSockets());

  it('provisions, enrols and signs in over HTTP; the audit chain verifies; a second node on the same schema sees it all', async () => {
    const store = pgTestStore();
    const t = await makeApp({ config: { store } });
    expect(t.app.ctx.store.constructor.name).toBe('PgStore');
    const ready = await t.app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.json()).toMatchObject({ status: 'ready', checks: { database: 'ok', migrations: 'ok' } });

    const net = await provision(t);
    await login(t, net.officer);

    const verify = await t.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: bearer(net.admin.tokens) });
    expect(verify.statusCode).toBe(200);
    expect(verify.json()).toMatchObject({ ok: true, problem: null });
    const checked = verify.json().eventsChecked as number;
    expect(checked).toBeGreaterThan(5);

    // Another node (another pool) on the same database and schema: same officers, same chain.
    const other = await makeApp({ config: { store, dataDir: t.config.dataDir }, clock: t.clock });
    t.clock.advance(60_000); // a fresh TOTP step for the second sign-in
    const tokens = await login(other, net.officer);
    expect(tokens.accessToken).toBeTruthy();
    const again = await other.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: bearer(net.admin.tokens) });
    expect(again.json()).toMatchObject({ ok: true, problem: null });
    expect(again.json().eventsChecked).toBeGreaterThan(checked);
  });

  it("a node's cached channel state follows another node's change: an agreement suspended on node B makes node A refuse the next sends", async () => {
    // Node A's caches are kept across its own sends (its own feed notifications do not clear them).
    const { store, a, agencyB, ag, sendUntilRefused } = await cachedChannel(3);

    const b = await makeApp({ config: { store, dataDir: a.config.dataDir }, clock: a.clock });
    expect((await call(b, agencyB.admin, 'POST', `/agreements/${ag.id}/suspend`, { reason: 'review' })).statusCode).toBe(200);
    // B's commit reaches A as a feed notification from another writer, which clears A's caches.
    expectError(await sendUntilRefused(), 409, 'channel_read_only');
  });

  it('a change made with SQL by hand (not through Liaison) reaches the node\'s caches through the tables\' notification', async () => {
    const { store, ag, sendUntilRefused } = await cachedChannel(2);
    const psql = new pg.Client({ connectionString: withDefaultUser(store.url), options: `-c search_path=${store.schema}` });
    await psql.connect();
    try {
      await psql.query("UPDATE agreements SET status = 'terminated' WHERE id = $1", [ag.id]);
    } finally {
      await psql.end();
    }
    expectError(await sendUntilRefused(), 409, 'channel_read_only');
  });

  it('a socket is let in only once its channel rooms are joined: while the membership table is locked the handshake waits, then what commits after connect arrives live', async () => {
    const store = pgTestStore();
    const t = await makeApp({ config: { store } });
    const w = await makeWorld(t);
    const ch = makeChannel(t, w, w.alice, [w.bob]);
    const url = await listen(t);
    const locker = new pg.Client({ connectionString: withDefaultUser(store.url), options: `-c search_path=${store.schema}` });
    await locker.connect();
    try {
      await locker.query('BEGIN; LOCK TABLE channel_members IN ACCESS EXCLUSIVE MODE');
      const s = connect(url, w.bob.tokens.accessToken);
      const feed = collect<FeedItem>(s, 'feed');
      // The session is checked (it needs no membership), but the rooms cannot be read yet: no `connect`,
      // so a client cannot start its sync before the socket would receive what commits next.
      await sleep(700);
      expect(s.connected).toBe(false);
      await locker.query('COMMIT');
      await connected(s);
      expect((await postMessage(t, ch, w.alice, sendBody(ch, w.alice))).statusCode).toBe(201);
      await waitFor<FeedItem>(s, 'feed', (item) => item.kind === 'message', 5_000);
      expect(feed.filter((item) => item.kind === 'message')).toHaveLength(1);
    } finally {
      await locker.end();
    }
  });
});
