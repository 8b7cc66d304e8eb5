/** PROTOCOL.md §6.1: the opening steps of a sealed channel meta, and the SDK wrapper's error mapping. */
import { describe, expect, it } from 'vitest';
import { ChannelMetaError, channelMetaEpoch, getSodium, initSodium, openChannelMeta, sealChannelMeta, toB64, utf8, channelMetaAd, channelMetaKey } from '../../shared/crypto/index.ts';
import { decryptMeta, encryptMeta } from '../../client/sdk/meta.ts';

await initSodium();

const secret = new Uint8Array(32).fill(5);
const code = (f: () => unknown): string => {
  try {
    f();
    return 'ok';
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
};
/** An authentic blob with an arbitrary plaintext, sealed as §6.1 says. */
function sealRaw(channelId: string, epoch: number, plaintext: string): string {
  const nonce = new Uint8Array(24).fill(1);
  const ct = getSodium().crypto_aead_xchacha20poly1305_ietf_encrypt(utf8(plaintext), channelMetaAd(channelId, epoch), null, nonce, channelMetaKey(channelId, epoch, secret));
  return `m1.${epoch}.${toB64(nonce)}.${toB64(ct)}`;
}

describe('channel meta (PROTOCOL.md §6.1)', () => {
  it('seals to m1.<epoch>.<nonce>.<ct>; the SDK and shared/crypto read each other', () => {
    const sealed = sealChannelMeta('c1', 12, secret, { title: 'T', caseRef: 'C' });
    expect(sealed).toMatch(/^m1\.12\.[A-Za-z0-9_-]{32}\.[A-Za-z0-9_-]+$/);
    expect(channelMetaEpoch(sealed)).toBe(12);
    expect(decryptMeta('c1', sealed, () => secret)).toEqual({ title: 'T', caseRef: 'C' });
    expect(openChannelMeta('c1', encryptMeta('c1', 12, secret, { title: 'T' }), () => secret)).toEqual({ title: 'T' });
  });
  it('steps 1-2: not a v1 meta, or no secret for its epoch: untitled, no error', () => {
    for (const s of ['', 'm2.1.a.b', 'm1.1.a', 'm1.1.a.b.c']) expect(openChannelMeta('c1', s, () => secret), s).toBeNull();
    expect(channelMetaEpoch('m1.x.a.b')).toBeNull();
    expect(openChannelMeta('c1', sealChannelMeta('c1', 3, secret, { title: 'T' }), () => undefined)).toBeNull();
  });
  it('step 3: other channel, relabelled epoch, non-canonical base64url, bad nonce: meta/open-failed', () => {
    const sealed = sealChannelMeta('c1', 3, secret, { title: 'T' });
    const [, , nonce, ct] = sealed.split('.') as [string, string, string, string];
    expect(code(() => openChannelMeta('c2', sealed, () => secret))).toBe('meta/open-failed');
    expect(code(() => openChannelMeta('c1', `m1.4.${nonce}.${ct}`, () => secret))).toBe('meta/open-failed');
    expect(code(() => openChannelMeta('c1', `m1.3.${nonce}=.${ct}`, () => secret))).toBe('meta/open-failed');
    expect(code(() => openChannelMeta('c1', `m1.3.${nonce.slice(4)}.${ct}`, () => secret))).toBe('meta/open-failed');
    expect(() => openChannelMeta('c2', sealed, () => secret)).toThrow(ChannelMetaError);
  });
  it('step 4: not JSON, or no string title: meta/bad-plaintext; other members pass through', () => {
    for (const p of ['not json', 'null', '[]', '"T"', '{"title":1}', '{"description":"d"}']) expect(code(() => openChannelMeta('c1', sealRaw('c1', 3, p), () => secret)), p).toBe('meta/bad-plaintext');
    expect(openChannelMeta('c1', sealRaw('c1', 3, '{"caseRef":"C","title":"","x":1}'), () => secret)).toEqual({ caseRef: 'C', title: '', x: 1 });
  });
  it('the SDK reports both failures as channel/meta-invalid', () => {
    expect(code(() => decryptMeta('c2', sealChannelMeta('c1', 3, secret, { title: 'T' }), () => secret))).toBe('channel/meta-invalid');
    expect(code(() => decryptMeta('c1', sealRaw('c1', 3, '{}'), () => secret))).toBe('channel/meta-invalid');
  });
});
