import { afterEach, describe, expect, it } from 'vitest';
import { ConflictError } from '../../server/errors.ts';
import { CommitThenThrow } from '../../server/store/store.ts';
import { SqliteStore } from '../../server/store/sqlite/store.ts';
import { tempDir } from '../world/app.ts';

const stores: SqliteStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function openStore(): SqliteStore {
  const store = SqliteStore.open(tempDir('liaison-store-'));
  stores.push(store);
  return store;
}

function agency(id: string) {
  return { id, name: `Agency ${id}`, country: 'FR', kind: 'police' as const, createdAt: 1, updatedAt: 1 };
}

/** Resolves on a later macrotask, like real I/O would. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('SQLite store: unit of work', () => {
  it('commits, then runs onCommit hooks in order; the reader sees the row only once committed', async () => {
    const store = openStore();
    const seen: string[] = [];
    const result = await store.write((tx) => {
      tx.accounts.insertAgency(agency('a1'));
      tx.onCommit(() => seen.push(`hook1:${store.sqlite.inTransaction}`));
      tx.onCommit(() => seen.push('hook2'));
      return 'done';
    });
    expect(result).toBe('done');
    expect(seen).toEqual(['hook1:false', 'hook2']);
    expect(await store.read(async (r) => (await r.accounts.agency('a1'))?.name)).toBe('Agency a1');
  });

  it('rolls back on a throw and never runs the hooks', async () => {
    const store = openStore();
    let ran = false;
    await expect(
      store.write((tx) => {
        tx.accounts.insertAgency(agency('a2'));
        tx.onCommit(() => (ran = true));
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(ran).toBe(false);
    expect(await store.accounts.agency('a2')).toBeUndefined();
    expect(store.sqlite.inTransaction).toBe(false);
  });

  it('CommitThenThrow commits the work, then rejects with the error', async () => {
    const store = openStore();
    const err = new ConflictError('counted', 'conflict');
    await expect(
      store.write((tx) => {
        tx.accounts.insertAgency(agency('a3'));
        return new CommitThenThrow(err);
      }),
    ).rejects.toBe(err);
    expect((await store.accounts.agency('a3'))?.id).toBe('a3');
  });

  it('serialises writers: an await inside one transaction never lets another writer in', async () => {
    const store = openStore();
    const log: string[] = [];
    const slow = store.write(async (tx) => {
      log.push('slow:begin');
      tx.accounts.insertAgency(agency('s1'));
      await nextTurn();
      log.push('slow:commit');
      return 1;
    });
    const fast = store.write((tx) => {
      log.push('fast:begin');
      // Would see the slow writer's uncommitted row if it had been let in.
      log.push(`fast:sees-s1=${tx.accounts.agency('s1') !== undefined}`);
      return 2;
    });
    expect(await Promise.all([slow, fast])).toEqual([1, 2]);
    expect(log).toEqual(['slow:begin', 'slow:commit', 'fast:begin', 'fast:sees-s1=true']);
  });

  it('an await of real I/O inside a write cannot let another writer\'s statements into its transaction', async () => {
    const store = openStore();
    const slow = store.write(async (tx) => {
      tx.accounts.insertAgency(agency('t1'));
      await new Promise((resolve) => setTimeout(resolve, 5));
      throw new Error('rolled back');
    });
    // Started while the slow transaction is open: had it joined it, the rollback would take f1 too.
    const other = store.write((tx) => tx.accounts.insertAgency(agency('f1')));
    await expect(slow).rejects.toThrow('rolled back');
    await other;
    expect(await store.read((r) => r.accounts.agency('t1'))).toBeUndefined();
    expect(await store.read(async (r) => (await r.accounts.agency('f1'))?.id)).toBe('f1');
  });

  it('a rejected async body rolls back and releases the writer', async () => {
    const store = openStore();
    const failing = store.write(async (tx) => {
      tx.accounts.insertAgency(agency('r1'));
      await nextTurn();
      throw new Error('late');
    });
    await expect(failing).rejects.toThrow('late');
    await store.write((tx) => tx.accounts.insertAgency(agency('r2')));
    expect(await store.accounts.agency('r1')).toBeUndefined();
    expect((await store.accounts.agency('r2'))?.id).toBe('r2');
  });

  it('reads see committed state only, not a transaction still in flight', async () => {
    const store = openStore();
    let during: unknown = 'unset';
    await store.write(async (tx) => {
      tx.accounts.insertAgency(agency('w1'));
      during = await store.read((r) => r.accounts.agency('w1'));
    });
    expect(during).toBeUndefined();
    expect(await store.read(async (r) => (await r.accounts.agency('w1'))?.id)).toBe('w1');
  });

  it('a group-commit batch waits for the writer held by a unit of work, then applies', async () => {
    const store = openStore();
    const log: string[] = [];
    const batches = store.groupCommit<string, string>(
      async (tx, id) => {
        await tx.accounts.insertAgency(agency(id));
        log.push(`job:${id}`);
        return id;
      },
      () => undefined,
    );
    const held = store.write(async () => {
      log.push('write:begin');
      await nextTurn();
      await nextTurn();
      log.push('write:commit');
    });
    const job = batches.submit('g1');
    await Promise.all([held, job]);
    expect(log).toEqual(['write:begin', 'write:commit', 'job:g1']);
    expect((await store.accounts.agency('g1'))?.id).toBe('g1');
  });
});

describe('SQLite store: group commit', () => {
  it('an async apply that awaits between its statements keeps savepoint isolation: the failing job rolls back alone', async () => {
    const store = openStore();
    const committed: string[][] = [];
    const hooks: string[] = [];
    const batches = store.groupCommit<string, string>(
      async (tx, id) => {
        await tx.accounts.insertAgency(agency(`${id}-a`));
        tx.onCommit(() => hooks.push(id));
        // Real I/O between two statements of one job: the batch stays one transaction, other jobs wait.
        await nextTurn();
        await tx.accounts.insertAgency(agency(`${id}-b`));
        await nextTurn();
        if (id === 'bad') throw new Error('job failed');
        return id;
      },
      (done) => committed.push(done),
    );
    const jobs = ['j1', 'bad', 'j3'].map((id) => batches.submit(id));
    // Submitted while the batch is in flight: a writer queues behind it and sees its commit.
    const during = nextTurn().then(() => store.write(async (tx) => (await tx.accounts.agency('j3-b'))?.id));
    const [j1, bad, j3] = await Promise.allSettled(jobs);
    expect(j1).toEqual({ status: 'fulfilled', value: 'j1' });
    expect(bad).toMatchObject({ status: 'rejected', reason: new Error('job failed') });
    expect(j3).toEqual({ status: 'fulfilled', value: 'j3' });
    expect(await during).toBe('j3-b');
    for (const id of ['j1-a', 'j1-b', 'j3-a', 'j3-b']) expect(await store.read(async (r) => (await r.accounts.agency(id))?.id)).toBe(id);
    for (const id of ['bad-a', 'bad-b']) expect(await store.read((r) => r.accounts.agency(id))).toBeUndefined();
    // The failing job's after-commit hook is dropped with its savepoint.
    expect(hooks).toEqual(['j1', 'j3']);
    await nextTurn();
    expect(committed).toEqual([['j1', 'j3']]);
    expect(store.sqlite.inTransaction).toBe(false);
  });

  it('a failing COMMIT rejects every job of the batch and stores nothing of it', async () => {
    const store = openStore();
    let afterCommit = 0;
    let hookRan = false;
    const batches = store.groupCommit<string, string>(
      async (tx, id) => {
        await tx.accounts.insertAgency(agency(id));
        tx.onCommit(() => (hookRan = true));
        await nextTurn();
        if (id === 'c2') {
          // A foreign-key violation checked only at COMMIT: the commit itself fails.
          store.sqlite.pragma('defer_foreign_keys = ON');
          store.sqlite
            .prepare("INSERT INTO agencies (id, name, country, kind, sponsor_agency_id, created_at, updated_at) VALUES ('c2-orphan', 'x', 'FR', 'police', 'missing', 1, 1)")
            .run();
        }
        return id;
      },
      () => afterCommit++,
    );
    const results = await Promise.allSettled(['c1', 'c2', 'c3'].map((id) => batches.submit(id)));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect((results[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'SQLITE_CONSTRAINT_FOREIGNKEY' });
    expect(store.sqlite.inTransaction).toBe(false);
    for (const id of ['c1', 'c2', 'c3', 'c2-orphan']) expect(await store.read((r) => r.accounts.agency(id))).toBeUndefined();
    await nextTurn();
    expect(afterCommit).toBe(0);
    expect(hookRan).toBe(false);
    // The writer is free and the connection usable again.
    expect(await batches.submit('c4')).toBe('c4');
    expect(await store.read(async (r) => (await r.accounts.agency('c4'))?.id)).toBe('c4');
  });
});
