import { afterEach, describe, expect, it } from 'vitest';
import { ChannelAccess } from '../../server/channels/access.ts';
import type { ChannelRow } from '../../server/channels/access-repository.ts';
import { systemClock } from '../../server/clock.ts';
import { SqliteStore } from '../../server/store/sqlite/store.ts';
import { tempDir } from '../world/app.ts';

const stores: SqliteStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

/** Resolves on a later macrotask, like real I/O would. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

const row: ChannelRow = {
  id: 'c1',
  agreementId: null,
  policy: '{}',
  headSeq: 0,
  headHash: '',
  lastMessageSeq: 0,
  retentionDays: 365,
  legalHold: 0,
  closedAt: null,
};

let agencies = 0;
function agency() {
  const id = `ag${++agencies}`;
  return { id, name: `Agency ${id}`, country: 'FR', kind: 'police' as const, createdAt: 1, updatedAt: 1 };
}

/** A ChannelAccess on a real store whose rules count how often they are asked (a cache miss each). */
function setup() {
  const store = SqliteStore.open(tempDir('liaison-access-'));
  stores.push(store);
  const asked = { readOnly: 0, keys: 0 };
  const access = new ChannelAccess({
    store,
    clock: systemClock,
    channels: {
      readOnlyReason: async () => {
        asked.readOnly++;
        await nextTurn();
        return null;
      },
    },
    keys: {
      signPublicKey: async () => {
        asked.keys++;
        return new Uint8Array(32);
      },
      certificateRefusal: async () => null,
      deviceSigner: async () => ({ kind: 'identity' }),
    },
  });
  return { store, access, asked };
}

describe('ChannelAccess caches on the async port', () => {
  it('a look-up while another unit of work is open (it could still roll back) is answered but not cached', async () => {
    const { store, access, asked } = setup();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const write = store.write(async (tx) => {
      await tx.accounts.insertAgency(agency());
      await gate;
      throw new Error('rolled back');
    });
    await nextTurn();
    expect(store.inTransaction).toBe(true);
    expect(await access.readOnlyReason(row)).toBeNull();
    expect(await access.signKey('o1')).toBeDefined();
    expect(await access.readOnlyReason(row)).toBeNull();
    expect(await access.signKey('o1')).toBeDefined();
    expect(asked).toEqual({ readOnly: 2, keys: 2 });
    release();
    await expect(write).rejects.toThrow('rolled back');
    // Committed state again: filled once, then served from the cache.
    await access.readOnlyReason(row);
    await access.readOnlyReason(row);
    await access.signKey('o1');
    await access.signKey('o1');
    expect(asked).toEqual({ readOnly: 3, keys: 3 });
  });

  it('a look-up that a write overtakes while it awaits is not cached', async () => {
    const { store, access, asked } = setup();
    const lookUp = access.readOnlyReason(row);
    // The rule awaits a turn: a write commits meanwhile.
    await store.write((tx) => tx.accounts.insertAgency(agency()));
    await lookUp;
    await access.readOnlyReason(row);
    expect(asked.readOnly).toBe(2);
    await access.readOnlyReason(row);
    expect(asked.readOnly).toBe(2);
  });

  it("the send path's own batch (withOwnWrites, awaiting between statements) keeps valid caches; any other write clears them", async () => {
    const { store, access, asked } = setup();
    const batches = store.groupCommit<string, string>(
      async (tx, id) => {
        await tx.accounts.insertAgency(agency());
        await nextTurn();
        return id;
      },
      () => undefined,
      (run) => access.withOwnWrites(run),
    );
    await access.readOnlyReason(row);
    await access.signKey('o1');
    expect(asked).toEqual({ readOnly: 1, keys: 1 });
    // Look-ups interleaved with the batch's awaits are served from the cache too.
    const during: Promise<unknown>[] = [];
    const jobs = ['j1', 'j2'].map((id) => batches.submit(id));
    for (let i = 0; i < 4; i++) {
      await nextTurn();
      during.push(access.readOnlyReason(row), access.signKey('o1'));
    }
    expect(await Promise.all(jobs)).toEqual(['j1', 'j2']);
    await Promise.all(during);
    await access.readOnlyReason(row);
    await access.signKey('o1');
    expect(asked).toEqual({ readOnly: 1, keys: 1 });
    // Anyone else's write (here a plain unit of work) clears them.
    await store.write((tx) => tx.accounts.insertAgency(agency()));
    await access.readOnlyReason(row);
    await access.signKey('o1');
    expect(asked).toEqual({ readOnly: 2, keys: 2 });
  });
});
