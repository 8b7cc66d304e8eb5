import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { initSodium } from '../../shared/crypto/index.ts';
import { TypedEmitter, MemoryStore, type LiaisonEvents } from '../../client/sdk/index.ts';
import { SealedStore } from '../../client/sdk/sealed-store.ts';
import { encryptMeta, decryptMeta } from '../../client/sdk/meta.ts';

beforeAll(async () => {
  await initSodium();
});

describe('TypedEmitter', () => {
  it('delivers typed payloads, unsubscribes, and isolates throwing handlers', async () => {
    const e = new TypedEmitter<LiaisonEvents>();
    const seen: string[] = [];
    const off = e.on('connection', (c) => {
      expectTypeOf(c.state).toEqualTypeOf<'connecting' | 'connected' | 'disconnected' | 'signed_out'>();
      seen.push(c.state);
    });
    e.on('connection', () => {
      throw new Error('app bug');
    });
    const errors: unknown[] = [];
    const onErr = (err: unknown) => errors.push(err);
    process.on('uncaughtException', onErr);
    e.emit('connection', { state: 'connected' });
    off();
    e.emit('connection', { state: 'signed_out' });
    await new Promise((r) => setTimeout(r, 0));
    process.off('uncaughtException', onErr);
    expect(seen).toEqual(['connected']);
    expect(errors).toHaveLength(2);
    expect(e.listenerCount('connection')).toBe(1);
    // @ts-expect-error unknown event names do not compile
    e.on('nope', () => undefined);
  });

  it('once() fires a single time', () => {
    const e = new TypedEmitter<{ tick: number }>();
    const got: number[] = [];
    e.once('tick', (n) => got.push(n));
    e.emit('tick', 1);
    e.emit('tick', 2);
    expect(got).toEqual([1]);
  });
});

describe('MemoryStore and SealedStore', () => {
  it('stores JSON copies and lists keys by prefix', async () => {
    const s = new MemoryStore();
    const v = { a: [1, 2] };
    await s.set('x:1', v);
    v.a.push(3);
    expect(await s.get('x:1')).toEqual({ a: [1, 2] });
    await s.set('x:2', 1);
    await s.set('y', 1);
    expect(await s.keys('x:')).toEqual(['x:1', 'x:2']);
    await s.delete('x:1');
    expect(await s.get('x:1')).toBeUndefined();
  });

  it('seals secrets: nothing readable in the store, entries bound to their name, locked = no access', async () => {
    const s = new MemoryStore();
    const sealed = new SealedStore(s);
    const dh = new Uint8Array(32).fill(9);
    sealed.unlock('alice', dh);
    await sealed.set('epoch:c1/0', 'SECRET-EPOCH-VALUE');
    expect(JSON.stringify(s.dump())).not.toContain('SECRET-EPOCH-VALUE');
    expect(await sealed.get('epoch:c1/0')).toBe('SECRET-EPOCH-VALUE');
    // Moving a sealed value under another name breaks the AEAD.
    await s.set('epoch:c1/1', await s.get('epoch:c1/0'));
    await expect(sealed.get('epoch:c1/1')).rejects.toMatchObject({ code: 'store/unseal-failed' });
    sealed.lock();
    await expect(sealed.get('epoch:c1/0')).rejects.toMatchObject({ code: 'keys/locked' });
    // Another identity key cannot open it.
    sealed.unlock('alice', new Uint8Array(32).fill(1));
    await expect(sealed.get('epoch:c1/0')).rejects.toMatchObject({ code: 'store/unseal-failed' });
  });

  it('channel meta is encrypted under a per-epoch key and only opens with that epoch secret', () => {
    const secret = new Uint8Array(32).fill(4);
    const enc = encryptMeta('c1', 3, secret, { title: 'Operation X', caseRef: 'CASE-1' });
    expect(enc).not.toContain('Operation');
    expect(decryptMeta('c1', enc, (e) => (e === 3 ? secret : undefined))).toEqual({ title: 'Operation X', caseRef: 'CASE-1' });
    expect(decryptMeta('c1', enc, () => undefined)).toBeNull();
    expect(() => decryptMeta('c2', enc, () => secret)).toThrow(/does not decrypt/);
  });
});
