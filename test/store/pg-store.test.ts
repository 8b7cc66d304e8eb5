import crypto from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../server/errors.ts';
import { dropSchema } from '../../server/store/pg/client.ts';
import { PgStore } from '../../server/store/pg/store.ts';
import { CommitThenThrow } from '../../server/store/store.ts';

/** PostgreSQL from the machine (docs/CLUSTER.md); every store here gets a fresh schema, dropped afterwards. */
const URL_ = process.env.DATABASE_URL ?? 'postgres://127.0.0.1:5432/test';
const opened: { store: PgStore; schema: string }[] = [];

async function openStore(schema = `t_${crypto.randomBytes(8).toString('hex')}`): Promise<PgStore> {
  const store = await PgStore.open({ url: URL_, schema });
  opened.push({ store, schema });
  return store;
}

afterEach(async () => {
  const schemas = new Set(opened.map((o) => o.schema));
  while (opened.length) await opened.pop()!.store.close();
  for (const s of schemas) await dropSchema(URL_, s);
});

const agency = (id: string) => ({ id, name: `Agency ${id}`, country: 'PT', kind: 'police' as const, createdAt: 1, updatedAt: 1 });

describe('PgStore (PostgreSQL storage port)', () => {
  it('migrates a fresh schema, reports it up to date, answers ping, and two stores on one schema share the data', async () => {
    const a = await openStore();
    expect(await a.migrationsUpToDate()).toBe(true);
    await a.ping();
    const b = await openStore(a.schema); // a second node: migrations already applied, nothing re-run
    await a.write((tx) => tx.accounts.insertAgency(agency('x')));
    expect((await b.read((r) => r.accounts.agency('x')))?.name).toBe('Agency x');
  });

  it('write: commits, runs onCommit hooks in order after the commit, rolls back on throw, and CommitThenThrow commits then rejects', async () => {
    const s = await openStore();
    const seen: string[] = [];
    await s.write(async (tx) => {
      await tx.accounts.insertAgency(agency('a'));
      tx.onCommit(() => seen.push('first'));
      tx.onCommit(() => seen.push('second'));
    });
    expect(seen).toEqual(['first', 'second']);

    await expect(
      s.write(async (tx) => {
        await tx.accounts.insertAgency(agency('b'));
        tx.onCommit(() => seen.push('never'));
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await s.accounts.agency('b')).toBeUndefined();
    expect(seen).toEqual(['first', 'second']);

    await expect(
      s.write(async (tx) => {
        await tx.accounts.insertAgency(agency('c'));
        return new CommitThenThrow(new AppError(409, 'conflict', 'stored, then refused'));
      }),
    ).rejects.toThrow('stored, then refused');
    expect((await s.accounts.agency('c'))?.id).toBe('c');
  });

  it('groupCommit: jobs of one turn share a transaction, a failing job rolls back alone, results settle after the commit', async () => {
    const s = await openStore();
    const committed: string[][] = [];
    const gc = s.groupCommit<string, string>(
      async (tx, id) => {
        await tx.accounts.insertAgency(agency(id));
        if (id.startsWith('bad')) throw new Error(`job ${id} fails`);
        return id;
      },
      (ids) => committed.push(ids),
    );
    const results = await Promise.allSettled(['g1', 'bad1', 'g2', 'bad2', 'g3'].map((id) => gc.submit(id)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
    const stored = (await s.accounts.listAgencies()).map((a) => a.id).sort();
    expect(stored).toEqual(['g1', 'g2', 'g3']);
    await new Promise((r) => setImmediate(r));
    expect(committed).toEqual([['g1', 'g2', 'g3']]);
  });

  it('groupCommit: a batch of one failing job (no savepoint) rejects with its own error, stores nothing and runs none of its hooks; a batch whose first and last jobs fail keeps the middle one', async () => {
    const s = await openStore();
    const committed: string[][] = [];
    const hooks: string[] = [];
    const gc = s.groupCommit<string, string>(
      async (tx, id) => {
        await tx.accounts.insertAgency(agency(id));
        tx.onCommit(() => hooks.push(id));
        if (id.startsWith('bad')) throw new Error(`job ${id} fails`);
        return id;
      },
      (ids) => committed.push(ids),
    );
    await expect(gc.submit('bad-solo')).rejects.toThrow('job bad-solo fails');
    expect(await gc.submit('solo')).toBe('solo');
    const results = await Promise.allSettled(['bad-first', 'middle', 'bad-last'].map((id) => gc.submit(id)));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'rejected']);
    expect((await s.accounts.listAgencies()).map((a) => a.id).sort()).toEqual(['middle', 'solo']);
    await new Promise((r) => setImmediate(r));
    expect(hooks).toEqual(['solo', 'middle']);
    expect(committed).toEqual([['solo'], ['middle']]);
  });

  it('the global write lock serialises read-then-write transactions across two stores (two nodes): no lost update, positions in commit order', async () => {
    const a = await openStore();
    const b = await openStore(a.schema);
    await a.write((tx) => tx.accounts.upsertLoginFailure({ username: 'counter', count: 0, windowStart: 0 }));
    const bump = (s: PgStore) =>
      s.write(async (tx) => {
        const row = await tx.accounts.loginFailure('counter');
        await new Promise((r) => setTimeout(r, 2)); // widen the read-modify-write window
        await tx.accounts.upsertLoginFailure({ username: 'counter', count: row!.count + 1, windowStart: 0 });
        return tx.feed.insert('ch', 'channel', null, null, String(row!.count + 1), 0);
      });
    const N = 30;
    const positions = await Promise.all(Array.from({ length: N }, (_, i) => bump(i % 2 ? a : b)));
    expect((await a.accounts.loginFailure('counter'))?.count).toBe(N);
    // Position order is commit order: the payload (the counter value each transaction saw) rises with pos.
    const rows = await a.feed.rowsAt([...positions].sort((x, y) => x - y));
    expect(rows.map((r) => Number(r.payload))).toEqual(Array.from({ length: N }, (_, i) => i + 1));
  });

  it('every table notifies the feed readers on a write, with the writer token of the store that wrote (or none, for SQL run by hand)', async () => {
    const a = await openStore();
    const untriggered = (await a.pool.query<{ tablename: string }>(
      `SELECT t.tablename FROM pg_tables t WHERE t.schemaname = current_schema() AND t.tablename <> '__drizzle_migrations'
       AND NOT EXISTS (SELECT 1 FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
                       WHERE c.relnamespace = current_schema()::regnamespace AND c.relname = t.tablename AND g.tgname = 'liaison_change_notify')`,
    )).rows.map((r) => r.tablename);
    expect(untriggered).toEqual([]);

    const listener = await a.pool.connect();
    const payloads: string[] = [];
    listener.on('notification', (n) => {
      if (n.channel === 'liaison_feed') payloads.push(n.payload ?? '');
    });
    try {
      await listener.query('LISTEN liaison_feed');
      await a.write((tx) => tx.accounts.insertAgency(agency('through-the-store')));
      await a.pool.query("UPDATE agencies SET name = 'renamed by hand' WHERE id = 'through-the-store'");
      for (let i = 0; i < 50 && payloads.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
      // One notification per transaction (identical ones fold), the store's own named by its token.
      expect(payloads).toEqual([a.cluster.writerToken, '']);
    } finally {
      await listener.query('UNLISTEN *');
      listener.release();
    }
  });

  it('backup is refused with a pointer to pg_dump', async () => {
    const s = await openStore();
    await expect(s.backup('/tmp/nowhere.db')).rejects.toThrow(/pg_dump/);
  });
});
