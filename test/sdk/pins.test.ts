import { describe, expect, it } from 'vitest';
import { TypedEmitter, MemoryStore, type LiaisonEvents, type SecurityNotice } from '../../client/sdk/index.ts';
import { PinStore } from '../../client/sdk/pins.ts';

const key = (n: number) => new Uint8Array(32).fill(n);

describe('TOFU key pinning', () => {
  it('pins on first sight, flags a changed key until markVerified, and persists', async () => {
    const store = new MemoryStore();
    const events = new TypedEmitter<LiaisonEvents>();
    const security: SecurityNotice[] = [];
    events.on('security', (e) => security.push(e));
    const pins = new PinStore(store, events);

    expect(await pins.checkOfficer({ officerId: 'bob', signPublicKey: key(1), dhPublicKey: key(2) })).toBe('new');
    expect(await pins.checkOfficer({ officerId: 'bob', signPublicKey: key(1), dhPublicKey: key(2) })).toBe('match');
    expect(pins.trusted('bob', key(1), key(2))).toBe(true);
    expect(security).toEqual([]);

    // The server presents another key for bob: key_changed once, encryption refused.
    expect(await pins.checkOfficer({ officerId: 'bob', signPublicKey: key(7), dhPublicKey: key(2) })).toBe('changed');
    expect(await pins.checkOfficer({ officerId: 'bob', signPublicKey: key(7), dhPublicKey: key(2) })).toBe('changed');
    expect(security).toEqual([expect.objectContaining({ kind: 'key_changed', officerId: 'bob' })]);
    expect(pins.trusted('bob', key(7), key(2))).toBe(false);
    expect(pins.trusted('bob', key(1), key(2))).toBe(false);

    // A fresh PinStore over the same store remembers the pin and the pending change.
    const again = new PinStore(store, events);
    expect(await again.checkOfficer({ officerId: 'bob', signPublicKey: key(7), dhPublicKey: key(2) })).toBe('changed');
    await again.markVerified('bob');
    expect(again.trusted('bob', key(7), key(2))).toBe(true);
    expect(await again.officer('bob')).toMatchObject({ verified: true, changed: null });
    expect(await again.checkOfficer({ officerId: 'bob', signPublicKey: key(1), dhPublicKey: key(2) })).toBe('changed');
    expect(security.filter((s) => s.kind === 'key_changed')).toHaveLength(2);
  });

  it('pins agency roots and keeps the old root when another is presented', async () => {
    const events = new TypedEmitter<LiaisonEvents>();
    const security: SecurityNotice[] = [];
    events.on('security', (e) => security.push(e));
    const pins = new PinStore(new MemoryStore(), events);
    expect(await pins.checkRoot('agency-a', key(3))).toBe('new');
    expect(await pins.checkRoot('agency-a', key(4))).toBe('changed');
    expect(pins.rootKey('agency-a')).toEqual(key(3));
    expect(security).toEqual([expect.objectContaining({ kind: 'key_changed' })]);
  });
});
