import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DecryptError,
  applyEvent,
  fromB64,
  initSodium,
  messageEnvelopeCodec,
  receiverStateCodec,
  toB64,
  verifyEnvelopeSignature,
} from '../../shared/crypto/index.ts';
import type { MessageEnvelope } from '../../shared/crypto/index.ts';
import { T0, addEvent, codeOf, craftEnvelope, createEvent, distribute, makeWorld, receive, send, session, threeMemberChannel } from './fixtures.ts';

await initSodium();

function setup() {
  const w = makeWorld();
  const { state } = threeMemberChannel(w);
  const secrets = distribute(state, w.alice, [w.alice, w.bob, w.carol]);
  const mk = (o: typeof w.alice) => {
    const s = session(o, 'c1');
    s.secrets.set(state.current.epoch, secrets.get(o.keys.officerId)!);
    return s;
  };
  return { w, state, alice: mk(w.alice), bob: mk(w.bob), carol: mk(w.carol) };
}

function cloneEnvelope(e: MessageEnvelope): MessageEnvelope {
  return messageEnvelopeCodec.fromWire(JSON.parse(JSON.stringify(messageEnvelopeCodec.toWire(e))));
}

describe('envelope round trip', () => {
  it('decrypts any text for every other member (property)', () => {
    const { state, alice, bob, carol } = setup();
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 2000 }), (text) => {
        const env = send(alice, state, { kind: 'text', text });
        expect(receive(bob, state, env)).toEqual({ kind: 'text', text });
        expect(receive(carol, state, cloneEnvelope(env))).toEqual({ kind: 'text', text });
      }),
      { numRuns: 100 },
    );
  });

  it('lets the server check shape and signature without decrypting', () => {
    const { w, state, alice } = setup();
    const env = send(alice, state, { kind: 'text', text: 'hi' });
    const parsed = messageEnvelopeCodec.fromWire(JSON.parse(JSON.stringify(messageEnvelopeCodec.toWire(env))));
    expect(verifyEnvelopeSignature(parsed, w.alice.keys.signPublicKey)).toBe(true);
    expect(verifyEnvelopeSignature(parsed, w.bob.keys.signPublicKey)).toBe(false);
  });

  it('pads ciphertexts into 256-byte buckets', () => {
    const { state, alice } = setup();
    // A text payload carries `"replyTo":null,"mentions":null` (§9.3): 1 and 120 characters share a bucket.
    const a = send(alice, state, { kind: 'text', text: 'a' });
    const b = send(alice, state, { kind: 'text', text: 'a'.repeat(120) });
    expect(a.ciphertext.length).toBe(b.ciphertext.length);
    expect((a.ciphertext.length - 16) % 256).toBe(0);
  });
});

describe('tampering', () => {
  const flip = (b: Uint8Array, bit: number) => {
    const c = b.slice();
    c[(bit >> 3) % c.length]! ^= 1 << (bit & 7);
    return c;
  };

  it('rejects any flipped bit in ciphertext or signature (property)', () => {
    const { state, alice, bob } = setup();
    const env = send(alice, state, { kind: 'text', text: 'secret' });
    fc.assert(
      fc.property(fc.boolean(), fc.nat(), (inCiphertext, bit) => {
        const bad = inCiphertext ? { ...env, ciphertext: flip(env.ciphertext, bit) } : { ...env, signature: flip(env.signature, bit) };
        const err = (() => {
          try {
            receive(bob, state, bad);
          } catch (e) {
            return e;
          }
        })();
        expect(err).toBeInstanceOf(DecryptError);
        expect((err as DecryptError).code).toBe('envelope/bad-signature');
      }),
      { numRuns: 200 },
    );
  });

  it('rejects any flipped bit in any header (associated data) field (property)', () => {
    const { state, alice, bob } = setup();
    const env = send(alice, state, { kind: 'text', text: 'secret' });

    const binaryFields = ['stateHash', 'keyLogHash', 'nonce'];
    const stringFields = ['channelId', 'senderOfficerId', 'senderDeviceId', 'messageId'];
    const numberFields = ['epoch', 'counter', 'time', 'keyLogSize'];
    fc.assert(
      fc.property(fc.constantFrom(...binaryFields, ...stringFields, ...numberFields, 'handling'), fc.nat(), (field, bit) => {
        const h = { ...env.header } as Record<string, unknown>;
        if (binaryFields.includes(field)) h[field] = flip(h[field] as Uint8Array, bit);
        else if (stringFields.includes(field)) {
          const s = h[field] as string;
          const i = bit % s.length;
          h[field] = s.slice(0, i) + String.fromCharCode(s.charCodeAt(i) ^ (1 << (bit % 5))) + s.slice(i + 1);
        } else if (numberFields.includes(field)) h[field] = (h[field] as number) ^ (1 << (bit % 20));
        else h[field] = 'TLP:RED';
        const code = codeOf(() => receive(bob, state, { ...env, header: h as unknown as MessageEnvelope['header'] }));
        expect(code).toMatch(/^envelope\/(bad-signature|wrong-channel|unknown-epoch|not-member|epoch-expired|counter-limit)$/);
      }),
      { numRuns: 200 },
    );
  });

  it('rejects an envelope for another channel or another epoch', () => {
    const { w, state, alice, bob } = setup();
    const env = send(alice, state, { kind: 'text', text: 'x' });
    expect(codeOf(() => receive(bob, state, { ...env, header: { ...env.header, channelId: 'c2' } }))).toBe('envelope/wrong-channel');
    expect(codeOf(() => receive(bob, state, { ...env, header: { ...env.header, epoch: 1 } }))).toBe('envelope/unknown-epoch');
    expect(codeOf(() => receive(bob, state, { ...env, header: { ...env.header, epoch: 7 } }))).toBe('envelope/unknown-epoch');
    // Same channel id, different chain (another channel history): state hash is unknown.
    const other = applyEvent(null, createEvent('c1', w.bob), w.ctx);
    expect(codeOf(() => receive(bob, other, env))).toBe('envelope/unknown-epoch');
  });
});

describe('replay and ordering', () => {
  it('rejects a replay, also after the receiver state is serialised and restored', () => {
    const { state, alice, bob } = setup();
    const env = send(alice, state, { kind: 'text', text: 'once' });
    receive(bob, state, env);
    expect(codeOf(() => receive(bob, state, env))).toBe('envelope/replay');
    const json = JSON.stringify(receiverStateCodec.toWire(bob.receiver));
    bob.receiver = receiverStateCodec.fromWire(JSON.parse(json));
    expect(codeOf(() => receive(bob, state, cloneEnvelope(env)))).toBe('envelope/replay');
    const next = send(alice, state, { kind: 'text', text: 'twice' });
    expect(receive(bob, state, next)).toEqual({ kind: 'text', text: 'twice' });
  });

  it('accepts any permutation within the window exactly once (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 12 }).chain((n) => fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n })),
        (order) => {
          const { state, alice, bob } = setup();
          const envs = order.map((_, k) => send(alice, state, { kind: 'text', text: `m${k}` }));
          const shuffled = order.map((i) => envs[i]!);
          for (const e of shuffled) expect(receive(bob, state, e)).toEqual({ kind: 'text', text: `m${e.header.counter}` });
          for (const e of shuffled) expect(codeOf(() => receive(bob, state, e))).toBe('envelope/replay');
        },
      ),
      { numRuns: 25 },
    );
  });

  it('keeps skipped keys across restore and rejects a counter beyond the window', () => {
    const { state, alice, bob } = setup();
    const envs = Array.from({ length: 300 }, (_, i) => send(alice, state, { kind: 'text', text: `m${i}` }));
    receive(bob, state, envs[5]!);
    bob.receiver = receiverStateCodec.fromWire(JSON.parse(JSON.stringify(receiverStateCodec.toWire(bob.receiver))));
    expect(receive(bob, state, envs[2]!)).toEqual({ kind: 'text', text: 'm2' });
    expect(codeOf(() => receive(bob, state, envs[2]!))).toBe('envelope/replay');
    expect(codeOf(() => receive(bob, state, envs[263]!))).toBe('envelope/too-far-ahead');
    expect(receive(bob, state, envs[262]!)).toEqual({ kind: 'text', text: 'm262' });
  });

  it('at most 256 ahead, inclusive: counter − next = 256 is accepted, 257 is not (envelope/too-far-ahead)', () => {
    const { w, state, bob } = setup();
    const secret = bob.secrets.get(state.current.epoch)!;
    const at = (counter: number) => craftEnvelope({ state, sender: w.alice, secret, counter, handling: 'TLP:AMBER' });
    expect(codeOf(() => receive(bob, state, at(257)))).toBe('envelope/too-far-ahead');
    expect(receive(bob, state, at(256))).toEqual({ kind: 'text', text: 'crafted' });
    expect(receive(bob, state, at(513))).toEqual({ kind: 'text', text: 'crafted' });
  });

  it('keeps at most 512 skipped keys per chain: the 513th drops the oldest (lowest counter), whose message is then a replay', () => {
    const { w, state, bob } = setup();
    const secret = bob.secrets.get(state.current.epoch)!;
    const at = (counter: number) => craftEnvelope({ state, sender: w.alice, secret, counter, handling: 'TLP:AMBER' });
    receive(bob, state, at(256)); // skips 0 … 255
    receive(bob, state, at(513)); // skips 257 … 512: 512 kept
    const chain = () => Object.values(bob.receiver.chains)[0]!;
    expect(chain().skipped.length).toBe(512);
    receive(bob, state, at(515)); // skips 514: 513 → the key of counter 0 is dropped
    expect(chain().skipped.length).toBe(512);
    expect(chain().skipped[0]!.counter).toBe(1);
    expect(codeOf(() => receive(bob, state, at(0)))).toBe('envelope/replay');
    expect(receive(bob, state, at(1))).toEqual({ kind: 'text', text: 'crafted' });
    expect(receive(bob, state, at(514))).toEqual({ kind: 'text', text: 'crafted' });
  });

  it('expires skipped keys', () => {
    const { state, alice, bob } = setup();
    const envs = Array.from({ length: 3 }, (_, i) => send(alice, state, { kind: 'text', text: `m${i}` }));
    receive(bob, state, envs[2]!, T0 + 10_000);
    expect(codeOf(() => receive(bob, state, envs[0]!, T0 + 8 * 24 * 3600 * 1000))).toBe('envelope/replay');
  });
});

describe('authenticity between members', () => {
  it('a member holding the epoch key cannot forge another member\'s message', () => {
    const { w, state, bob } = setup();
    const secret = bob.secrets.get(state.current.epoch)!;
    // Bob builds a message claiming to be from alice, signed with his own key.
    const forged = craftEnvelope({ state, sender: { ...w.alice, keys: { ...w.alice.keys, signSecretKey: w.bob.keys.signSecretKey } }, secret, counter: 0, handling: 'TLP:AMBER' });
    const carol = setup().carol;
    expect(codeOf(() => receive(carol, state, forged))).toBe('envelope/bad-signature');
  });

  it('rejects a sender that is not a member (e.g. dave)', () => {
    const { w, state, bob } = setup();
    const forged = craftEnvelope({ state, sender: w.dave, secret: bob.secrets.get(0 + state.current.epoch)!, counter: 0, handling: 'TLP:AMBER' });
    expect(codeOf(() => receive(bob, state, forged))).toBe('envelope/not-member');
  });
});

describe('handling codes', () => {
  function amberChannel() {
    const w = makeWorld();
    let state = applyEvent(null, createEvent('c1', w.alice, 'TLP:AMBER'), w.ctx);
    state = applyEvent(state, addEvent(state, w.alice, w.carol, T0 + 1), w.ctx);
    const secrets = distribute(state, w.alice, [w.alice, w.carol]);
    const carol = session(w.carol, 'c1');
    carol.secrets.set(state.current.epoch, secrets.get('carol')!);
    const alice = session(w.alice, 'c1');
    alice.secrets.set(state.current.epoch, secrets.get('alice')!);
    return { w, state, alice, carol, secret: secrets.get('alice')! };
  }

  it('the sender refuses a code below the channel policy', () => {
    const { state, alice } = amberChannel();
    expect(codeOf(() => send(alice, state, { kind: 'text', text: 'x' }, { handling: 'TLP:GREEN' }))).toBe('handling/not-allowed');
  });

  it('the receiver rejects a downgraded code even when validly signed', () => {
    const { w, state, carol, secret } = amberChannel();
    const env = craftEnvelope({ state, sender: w.alice, secret, counter: 0, handling: 'TLP:GREEN' });
    expect(codeOf(() => receive(carol, state, env))).toBe('envelope/handling-not-allowed');
  });

  it('rejects inner handling code or message id that differ from the header', () => {
    const { w, state, carol, secret } = amberChannel();
    const a = craftEnvelope({ state, sender: w.alice, secret, counter: 0, handling: 'TLP:RED', innerHandling: 'TLP:AMBER' });
    expect(codeOf(() => receive(carol, state, a))).toBe('envelope/inner-mismatch');
    const b = craftEnvelope({ state, sender: w.alice, secret, counter: 1, handling: 'TLP:RED', messageId: 'm1', innerMessageId: 'm2' });
    expect(codeOf(() => receive(carol, state, b))).toBe('envelope/inner-mismatch');
    const ok = craftEnvelope({ state, sender: w.alice, secret, counter: 2, handling: 'TLP:RED' });
    expect(receive(carol, state, ok)).toEqual({ kind: 'text', text: 'crafted' });
  });
});

describe('envelope wire format', () => {
  it('round-trips through JSON and rejects malformed shapes', () => {
    const { state, alice } = setup();
    const env = send(alice, state, { kind: 'text', text: 'x' });
    const wire = messageEnvelopeCodec.toWire(env) as { header: Record<string, unknown>; signature: string };
    expect(messageEnvelopeCodec.fromWire(JSON.parse(JSON.stringify(wire)))).toEqual(env);
    const bad = (patch: (x: typeof wire) => void) => {
      const c = JSON.parse(JSON.stringify(wire)) as typeof wire;
      patch(c);
      return codeOf(() => messageEnvelopeCodec.fromWire(c));
    };
    expect(bad((c) => (c.header.v = 2))).toBe('wire/invalid');
    expect(bad((c) => (c.header.extra = 1))).toBe('wire/invalid');
    expect(bad((c) => delete c.header.nonce)).toBe('wire/invalid');
    expect(bad((c) => (c.signature = toB64(fromB64(c.signature).subarray(1))))).toBe('wire/invalid');
    expect(bad((c) => (c.signature = c.signature + '='))).toBe('wire/invalid');
    expect(bad((c) => (c.header.handling = 'TLP:WHITE'))).toBe('wire/invalid');
    expect(bad((c) => (c.header.counter = -1))).toBe('wire/invalid');
  });
});
