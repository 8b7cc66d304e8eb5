/**
 * Desk intake (PROTOCOL.md §11) beyond the known-answer vectors: supervisor pinning, certificate validity, rotation
 * pins, the intake secret's channel and handling rules, requests lifted or replayed under another requester, id or
 * desk, payload rules, and the wire codecs' limits. Each attack is tried and must fail with its code.
 */
import { describe, expect, it } from 'vitest';
import {
  IntakeError,
  acceptIntakeSecret,
  applyEvent,
  checkIntakeChannel,
  createDeskRequest,
  createIntakeKeyStatement,
  deskRequestCodec,
  deskRequestFields,
  deskRequestInner,
  encodePayload,
  generateIntakeKey,
  initSodium,
  intakeKeyPayload,
  intakeKeyStatementCodec,
  labelledSign,
  nextIntakePin,
  openDeskRequest,
  sealTo,
  toB64,
  utf8,
  verifyDeskRequestSignature,
  verifyIntakeKeyStatement,
} from '../../shared/crypto/index.ts';
import type { DeskRequest, IntakeKeyPair, IntakeKeyStatement, OfficerCertificate, Payload } from '../../shared/crypto/index.ts';
import { T0, YEAR_MS, addEvent, codeOf, createEvent, distribute, makeWorld, receive, send, session, threeMemberChannel } from './fixtures.ts';

await initSodium();

const w = makeWorld('desk-intake');
const rootA = w.adminA.keys.signPublicKey;
const rootB = w.adminB.keys.signPublicKey;
const DESK = 'desk-1';
const CHANNEL = 'c1';
const key1 = generateIntakeKey(DESK, 1);
const key2 = generateIntakeKey(DESK, 2);
const stmt1 = createIntakeKeyStatement({ deskId: DESK, channelId: CHANNEL, key: key1, createdAt: T0 }, w.carol.keys);
const stmt2 = createIntakeKeyStatement({ deskId: DESK, channelId: CHANNEL, key: key2, createdAt: T0 + 10 }, w.carol.keys);
const NOW = T0 + 60_000;
const text: Payload = { kind: 'text', text: 'Urgent: parcel 7741 arrives at 03:00.' };

const verifyStmt = (s: IntakeKeyStatement, extra: Partial<Parameters<typeof verifyIntakeKeyStatement>[1]> = {}) =>
  codeOf(() => verifyIntakeKeyStatement(s, { signerCert: w.carol.cert, authority: rootA, now: NOW, ...extra }));

function request(overrides: Partial<{ requestId: string; time: number; payload: Payload; statement: IntakeKeyStatement }> = {}): DeskRequest {
  return createDeskRequest({ statement: overrides.statement ?? stmt1, requestId: overrides.requestId ?? 'req-1', time: overrides.time ?? T0 + 1000, payload: overrides.payload ?? text }, w.bob.keys);
}

function open(r: DeskRequest, opts: { cert?: OfficerCertificate; authority?: Uint8Array; keys?: IntakeKeyPair[]; deskId?: string; now?: number } = {}) {
  const keys = opts.keys ?? [key1];
  return openDeskRequest({
    request: r,
    deskId: opts.deskId ?? DESK,
    requesterCert: opts.cert ?? w.bob.cert,
    authority: opts.authority ?? rootB,
    intakeKey: (v) => keys.find((k) => k.version === v),
    now: opts.now ?? NOW,
  });
}
const openCode = (r: DeskRequest, opts: Parameters<typeof open>[1] = {}) => codeOf(() => open(r, opts));

function signAs(r: Omit<DeskRequest, 'signature'>, signSecretKey: Uint8Array): DeskRequest {
  return { ...r, signature: labelledSign('liaison/v2/desk-request', deskRequestFields(r), signSecretKey) };
}

describe('intake key statement (§11.1)', () => {
  it('verifies under the signer\'s agency root and refuses once the signer\'s certificate expired', () => {
    expect(verifyStmt(stmt1)).toBe('no-error');
    expect(verifyStmt(stmt1, { now: T0 + YEAR_MS })).toBe('intake/signer-not-certified');
    const err = (() => {
      try {
        verifyIntakeKeyStatement(stmt1, { signerCert: w.carol.cert, authority: rootA, now: T0 + YEAR_MS });
      } catch (e) {
        return e as IntakeError;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(IntakeError);
    expect((err?.cause as { code?: string } | undefined)?.code).toBe('cert/expired');
  });

  it('a desk member who knows the supervisors (desk channel owners) refuses a key signed by another officer of the agency', () => {
    const byAlice = createIntakeKeyStatement({ deskId: DESK, channelId: CHANNEL, key: key2, createdAt: T0 }, w.alice.keys);
    expect(verifyStmt(byAlice, { signerCert: w.alice.cert })).toBe('no-error');
    expect(verifyStmt(byAlice, { signerCert: w.alice.cert, supervisors: new Set(['carol']) })).toBe('intake/signer-not-supervisor');
    expect(verifyStmt(stmt1, { supervisors: new Set(['carol']) })).toBe('no-error');
  });

  it('a statement for another desk or agency than the one addressed is refused', () => {
    expect(verifyStmt(stmt1, { deskId: DESK, agencyId: 'agency-a' })).toBe('no-error');
    expect(verifyStmt(stmt1, { deskId: 'desk-2' })).toBe('intake/wrong-desk');
    expect(verifyStmt(stmt1, { agencyId: 'agency-b' })).toBe('intake/wrong-agency');
  });

  it('any changed signed field breaks the signature', () => {
    for (const changed of [{ deskId: 'desk-2' }, { channelId: 'c2' }, { version: 3 }, { dhPublicKey: key2.publicKey }, { createdAt: T0 + 1 }]) {
      expect(verifyStmt({ ...stmt1, ...changed }), JSON.stringify(Object.keys(changed))).toBe('intake/bad-signature');
    }
  });

  it('pins: a rotation moves the pin up, the same statement again is accepted, an older one is a rollback', () => {
    let pin = nextIntakePin(null, stmt1);
    expect(verifyStmt(stmt1, { pinned: pin })).toBe('no-error');
    expect(verifyStmt(stmt2, { pinned: pin })).toBe('no-error');
    pin = nextIntakePin(pin, stmt2);
    expect(pin.version).toBe(2);
    expect(nextIntakePin(pin, stmt1)).toBe(pin);
    expect(verifyStmt(stmt1, { pinned: pin })).toBe('intake/rollback');
    expect(verifyStmt(stmt2, { pinned: pin })).toBe('no-error');
  });

  it('version 0 and versions beyond u32 are refused in memory and on the wire', () => {
    expect(codeOf(() => generateIntakeKey(DESK, 0))).toBe('intake/bad-version');
    expect(codeOf(() => createIntakeKeyStatement({ deskId: DESK, channelId: CHANNEL, key: { version: 2 ** 32, publicKey: key1.publicKey }, createdAt: T0 }, w.carol.keys))).toBe('intake/bad-version');
    const wire = intakeKeyStatementCodec.toWire(stmt1);
    expect(intakeKeyStatementCodec.fromWire(wire)).toEqual(stmt1);
    for (const version of [0, 2 ** 32, 1.5]) expect(codeOf(() => intakeKeyStatementCodec.fromWire({ ...wire, version }))).toBe('wire/invalid');
    expect(codeOf(() => intakeKeyStatementCodec.fromWire({ ...wire, supervisor: 'carol' }))).toBe('wire/invalid');
  });
});

describe('intake secret in the desk channel (§11.2)', () => {
  it('travels as a desk-intake-key payload through the channel\'s E2E envelopes and matches the statement', () => {
    const { state } = threeMemberChannel(w);
    const secrets = distribute(state, w.alice, [w.alice, w.bob, w.carol]);
    const sender = session(w.alice, CHANNEL);
    sender.secrets.set(state.current.epoch, secrets.get('alice')!);
    const reader = session(w.carol, CHANNEL);
    reader.secrets.set(state.current.epoch, secrets.get('carol')!);
    const env = send(sender, state, intakeKeyPayload(key1), { handling: 'TLP:RED' });
    const payload = receive(reader, state, env);
    if (payload.kind !== 'desk-intake-key') throw new Error('expected a desk-intake-key payload');
    const accepted = acceptIntakeSecret({ payload, statement: stmt1, channelId: env.header.channelId, handling: env.header.handling });
    expect(accepted.secretKey).toEqual(key1.secretKey);
    expect(accepted.publicKey).toEqual(stmt1.dhPublicKey);
  });

  it('a sender passes it only into the statement\'s channel, and only when every member is of the desk\'s agency', () => {
    const { state } = threeMemberChannel(w);
    // c1 has bob of agency B: not a desk channel of agency A even though the statement names it.
    expect(codeOf(() => checkIntakeChannel(stmt1, state))).toBe('intake/wrong-channel');
    const internal = applyEvent(null, createEvent('desk-1-channel', w.carol), w.ctx);
    const withAlice = applyEvent(internal, addEvent(internal, w.carol, w.alice, T0 + 1), w.ctx);
    const deskStmt = createIntakeKeyStatement({ deskId: DESK, channelId: 'desk-1-channel', key: key1, createdAt: T0 }, w.carol.keys);
    expect(codeOf(() => checkIntakeChannel(deskStmt, withAlice))).toBe('no-error');
    expect(codeOf(() => checkIntakeChannel(stmt1, withAlice))).toBe('intake/wrong-channel');
  });

  it('refuses it outside the desk channel, without TLP:RED, for another desk or version, or when the secret is not the statement\'s', () => {
    const p = intakeKeyPayload(key1);
    const accept = (over: Partial<Parameters<typeof acceptIntakeSecret>[0]>) => codeOf(() => acceptIntakeSecret({ payload: p, statement: stmt1, channelId: CHANNEL, handling: 'TLP:RED', ...over }));
    expect(accept({})).toBe('no-error');
    expect(accept({ channelId: 'c2' })).toBe('intake/wrong-channel');
    expect(accept({ handling: 'TLP:AMBER+STRICT' })).toBe('intake/bad-handling');
    expect(accept({ payload: { ...p, deskId: 'desk-2' } })).toBe('intake/key-mismatch');
    expect(accept({ payload: { ...p, version: 2 } })).toBe('intake/key-mismatch');
    // A member (or an attacker who got into the channel) cannot swap in a key of its own for version 1.
    expect(accept({ payload: { ...p, secretKey: key2.secretKey } })).toBe('intake/key-mismatch');
  });
});

describe('sealed desk requests (§11.3)', () => {
  it('opens to the payload; the server check verifies the outer signature without any secret', () => {
    const r = request();
    expect(verifyDeskRequestSignature(r, w.bob.keys.signPublicKey)).toBe(true);
    expect(verifyDeskRequestSignature(r, w.dave.keys.signPublicKey)).toBe(false);
    expect(verifyDeskRequestSignature({ ...r, requestId: 'req-2' }, w.bob.keys.signPublicKey)).toBe(false);
    const opened = open(r);
    expect(opened.payload).toEqual(text);
    expect(opened).toMatchObject({ deskId: DESK, version: 1, requesterOfficerId: 'bob', requesterAgencyId: 'agency-b', requestId: 'req-1', time: T0 + 1000 });
    expect(deskRequestCodec.fromWire(JSON.parse(JSON.stringify(deskRequestCodec.toWire(r))))).toEqual(r);
  });

  it('lifting another officer\'s sealed request: dave re-signs bob\'s sealed bytes as his own → context mismatch', () => {
    const { signature: _s, ...bob } = request();
    const lifted = signAs({ ...bob, requesterOfficerId: 'dave' }, w.dave.keys.signSecretKey);
    expect(verifyDeskRequestSignature(lifted, w.dave.keys.signPublicKey)).toBe(true);
    expect(openCode(lifted, { cert: w.dave.cert })).toBe('intake/context-mismatch');
  });

  it('bob\'s sealed bytes replayed under another request id or time (re-signed by bob) → context mismatch', () => {
    const { signature: _s, ...bob } = request();
    expect(openCode(signAs({ ...bob, requestId: 'req-2' }, w.bob.keys.signSecretKey))).toBe('intake/context-mismatch');
    expect(openCode(signAs({ ...bob, time: bob.time + 1 }, w.bob.keys.signSecretKey))).toBe('intake/context-mismatch');
  });

  it('a request for another desk is refused before anything else; a key of another version does not open it', () => {
    expect(openCode(request(), { deskId: 'desk-2' })).toBe('intake/wrong-desk');
    expect(openCode(request(), { keys: [key2] })).toBe('intake/unknown-version');
    const v2 = request({ statement: stmt2 });
    expect(openCode(v2, { keys: [key1, key2] })).toBe('no-error');
    // The v1 secret relabelled as v2 by a confused store does not open a v2 request.
    expect(openCode(v2, { keys: [{ ...key1, version: 2 }] })).toBe('intake/open-failed');
  });

  it('the requester\'s certificate must verify under its agency root and be the requester\'s', () => {
    expect(openCode(request(), { authority: rootA })).toBe('intake/requester-not-certified');
    expect(openCode(request(), { cert: w.dave.cert })).toBe('intake/requester-not-certified');
    expect(openCode(request(), { now: T0 + YEAR_MS })).toBe('intake/requester-not-certified');
    const { signature: _s, ...bob } = request();
    expect(openCode(signAs({ ...bob, requesterAgencyId: 'agency-a' }, w.bob.keys.signSecretKey))).toBe('intake/requester-not-certified');
  });

  it('an intake secret is never a request; an invalid payload or a malformed inner frame is refused', () => {
    expect(codeOf(() => request({ payload: intakeKeyPayload(key2) }))).toBe('intake/bad-payload');
    const craft = (inner: Uint8Array) => {
      const unsigned = { v: 1 as const, deskId: DESK, version: 1, requesterOfficerId: 'bob', requesterAgencyId: 'agency-b', requestId: 'req-9', time: T0 + 9, sealed: sealTo(key1.publicKey, inner) };
      return signAs(unsigned, w.bob.keys.signSecretKey);
    };
    const ctx = { deskId: DESK, version: 1, requesterOfficerId: 'bob', requestId: 'req-9', time: T0 + 9 };
    expect(openCode(craft(deskRequestInner(ctx, encodePayload(intakeKeyPayload(key2)))))).toBe('intake/bad-payload');
    expect(openCode(craft(deskRequestInner(ctx, utf8('{"kind":"text","text":""}'))))).toBe('intake/bad-payload');
    expect(openCode(craft(deskRequestInner(ctx, utf8(JSON.stringify({ kind: 'desk-intake-key', deskId: DESK, version: 1, secretKey: toB64(key2.secretKey) }))))))
      .toBe('intake/bad-payload');
    expect(openCode(craft(utf8('not a frame')))).toBe('intake/open-failed');
    expect(openCode(craft(deskRequestInner({ ...ctx, version: 2 }, encodePayload(text))))).toBe('intake/context-mismatch');
  });

  it('the wire codec refuses a sealed value beyond its limit and unknown members', () => {
    const wire = deskRequestCodec.toWire(request());
    expect(codeOf(() => deskRequestCodec.fromWire({ ...wire, sealed: toB64(new Uint8Array(256 * 1024 + 4096 + 49)) }))).toBe('wire/invalid');
    expect(codeOf(() => deskRequestCodec.fromWire({ ...wire, sealed: toB64(new Uint8Array(256 * 1024 + 4096 + 48)) }))).toBe('no-error');
    expect(codeOf(() => deskRequestCodec.fromWire({ ...wire, payload: 'x' }))).toBe('wire/invalid');
  });
});
