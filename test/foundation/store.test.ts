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
      (id) => {
        store.accounts.insertAgency(agency(id));
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
