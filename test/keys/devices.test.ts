/**
 * Per-device keys, server side (PROTOCOL.md §4.5): POST/GET /keys/me/devices and
 * POST /keys/me/devices/:deviceId/revoke. A device's key is certified by the officer's identity key with a
 * logged `device-add`; its envelopes are verified with that key; a `device-revoke` ends the device's
 * sessions and refuses its sends at once. Every forged event is tried and must be refused.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  createDeviceEvent,
  createKeyEvent,
  deviceRecordHash,
  emptyKeyLog,
  encryptMessage,
  generateDeviceKeys,
  generateIdentity,
  keyEventCodec,
  keyLogEntryCodec,
  messageEnvelopeCodec,
  startSendingChain,
  toB64,
  type DeviceKeys,
  type IdentityKeys,
  type KeyEvent,
  type KeyEventKind,
} from '../../shared/crypto/index.ts';
import type { AckResult } from '../../shared/realtime.ts';
import type { DeviceView } from '../../shared/schemas/keys.ts';
import type { SendResult } from '../../shared/schemas/channels.ts';
import type { TokenPair } from '../../shared/schemas/auth.ts';
import { bearer, expectError, login, makeApp, provision, worldOf, type TestApp } from '../world/app.ts';
import { registrationBody } from '../world/actors.ts';
import { closeSockets, connect, connected, listen, waitFor, type ClientSocket } from '../world/messaging.ts';
import type { Channel, Member } from '../world/world.ts';

afterEach(() => closeSockets());

const MINUTE = 60_000;

async function setup() {
  const t = await makeApp();
  const net = await provision(t);
  const w = worldOf(t);
  const agencyA = net.agency.id;
  w.root(agencyA);
  const carolAccount = await w.officer({ id: agencyA, admin: net.agencyAdmin }, 'carol');
  const alice = w.keys({ id: net.officer.id, agencyId: agencyA, tokens: net.officer.tokens });
  const carol = w.keys(carolAccount);
  const ch = w.channel(alice, [carol]);
  /** Another session of alice (a second sign-in). */
  const secondSession = async (): Promise<TokenPair> => login(t, net.officer);
  return { t, net, alice, carol, ch, secondSession };
}

function deviceOf(who: Member, deviceId: string): DeviceKeys {
  return generateDeviceKeys({ officerId: who.id, deviceId });
}

function addBody(event: KeyEvent, deviceId: string, name = 'Chromium on Linux'): Record<string, unknown> {
  return { deviceId, name, keyEvent: keyEventCodec.toWire(event) };
}

function addEvent(t: TestApp, who: Member, device: DeviceKeys, time = t.clock.now()): KeyEvent {
  return createDeviceEvent('device-add', device, time, who.keys);
}

function revokeEvent(t: TestApp, who: Member, device: DeviceKeys, time = t.clock.now()): KeyEvent {
  return createDeviceEvent('device-revoke', device, time, who.keys);
}

/** A device event with every field chosen by the test, signed by `author`. */
function forged(who: Member, kind: KeyEventKind, fields: { signPublicKey: Uint8Array; recordHash: Uint8Array; time: number; officerId?: string; agencyId?: string; dhPublicKey?: Uint8Array }, author: IdentityKeys): KeyEvent {
  return createKeyEvent(
    {
      kind,
      officerId: fields.officerId ?? who.id,
      agencyId: fields.agencyId ?? who.agencyId,
      signPublicKey: fields.signPublicKey,
      dhPublicKey: fields.dhPublicKey ?? who.keys.dhPublicKey,
      recordHash: fields.recordHash,
      time: fields.time,
    },
    author,
  );
}

function addDevice(t: TestApp, tokens: TokenPair, body: Record<string, unknown>) {
  return t.app.inject({ method: 'POST', url: '/api/v1/keys/me/devices', headers: bearer(tokens), payload: body });
}

function listDevices(t: TestApp, tokens: TokenPair) {
  return t.app.inject({ method: 'GET', url: '/api/v1/keys/me/devices', headers: bearer(tokens) });
}

function revokeDevice(t: TestApp, tokens: TokenPair, deviceId: string, event: KeyEvent) {
  return t.app.inject({
    method: 'POST',
    url: `/api/v1/keys/me/devices/${encodeURIComponent(deviceId)}/revoke`,
    headers: bearer(tokens),
    payload: { keyEvent: keyEventCodec.toWire(event) },
  });
}

/** Key-log events of a kind, read through GET /keylog. */
async function logged(t: TestApp, tokens: TokenPair, kind: KeyEventKind): Promise<KeyEvent[]> {
  const res = await t.app.inject({ method: 'GET', url: '/api/v1/keylog?from=0&limit=500', headers: bearer(tokens) });
  expect(res.statusCode).toBe(200);
  return (res.json().entries as unknown[]).map((e) => keyLogEntryCodec.fromWire(e).event).filter((e) => e.kind === kind);
}

let messages = 0;
/** A real envelope from `sender`'s device `deviceId`, signed by `signer` (a device key) or, without one, by the identity key. */
function envelopeFrom(t: TestApp, ch: Channel, sender: Member, deviceId: string, signer?: DeviceKeys): Record<string, unknown> {
  const view = ch.state.current;
  const secret = ch.sessions.get(sender.id)!.secrets.get(view.epoch)!;
  const sending = startSendingChain(secret, { channelId: ch.id, epoch: view.epoch, stateHash: view.stateHash, officerId: sender.id, deviceId });
  const { envelope } = encryptMessage({
    channel: ch.state,
    sending,
    sender: sender.keys,
    messageId: `dev-msg-${++messages}`,
    handling: 'TLP:AMBER',
    payload: { kind: 'text', text: 'from a device' },
    time: t.clock.now(),
    keyLogHead: { size: 0, hash: emptyKeyLog().headHash },
    ...(signer ? { device: signer } : {}),
  });
  return messageEnvelopeCodec.toWire(envelope);
}

function send(t: TestApp, ch: Channel, tokens: TokenPair, envelope: Record<string, unknown>) {
  return t.app.inject({ method: 'POST', url: `/api/v1/channels/${ch.id}/messages`, headers: bearer(tokens), payload: { envelope } });
}

function emitAck<T>(s: ClientSocket, event: 'send', payload: unknown): Promise<AckResult<T>> {
  return new Promise((resolve) => (s as unknown as { emit(e: string, p: unknown, a: (r: AckResult<T>) => void): void }).emit(event, payload, resolve));
}

describe('devices: add and list', () => {
  it('a new device is 201 with one device-add log entry; announcing it again is 200 without one; the list marks each session\'s device', async () => {
    const { t, alice, secondSession } = await setup();
    const d1 = deviceOf(alice, 'd1');
    const event = addEvent(t, alice, d1);
    const res = await addDevice(t, alice.tokens, addBody(event, 'd1'));
    expect(res.statusCode).toBe(201);
    const added = res.json().device as DeviceView;
    expect(added).toEqual({
      deviceId: 'd1',
      name: 'Chromium on Linux',
      signPublicKey: toB64(d1.signPublicKey),
      addedAt: t.clock.now(),
      revokedAt: null,
      lastSeenAt: t.clock.now(),
      current: true,
    });
    const adds = await logged(t, alice.tokens, 'device-add');
    expect(adds).toHaveLength(1);
    expect(adds[0]!.officerId).toBe(alice.id);
    expect(toB64(adds[0]!.signPublicKey)).toBe(toB64(d1.signPublicKey));
    expect(toB64(adds[0]!.recordHash)).toBe(toB64(deviceRecordHash(alice.id, 'd1')));

    // After a new sign-in, the very event already logged may be re-announced outside the 10-minute window:
    // 200, renamed, nothing logged.
    t.clock.advance(30 * MINUTE);
    const later = await secondSession();
    const again = await addDevice(t, later, addBody(event, 'd1', 'Renamed'));
    expect(again.statusCode).toBe(200);
    expect(again.json().device).toMatchObject({ deviceId: 'd1', name: 'Renamed', addedAt: added.addedAt, lastSeenAt: t.clock.now(), current: true });
    expect(await logged(t, later, 'device-add')).toHaveLength(1);

    // Another session announces the same device with a fresh event: 200, bound to that session too, still one entry.
    const b = await secondSession();
    const fromB = await addDevice(t, b, addBody(addEvent(t, alice, d1), 'd1'));
    expect(fromB.statusCode).toBe(200);
    expect(await logged(t, b, 'device-add')).toHaveLength(1);

    // Session B moves to another device; newest first, each session sees its own device as current.
    t.clock.advance(MINUTE);
    const d2 = deviceOf(alice, 'd2');
    expect((await addDevice(t, b, addBody(addEvent(t, alice, d2), 'd2', 'Firefox'))).statusCode).toBe(201);
    expect(await logged(t, b, 'device-add')).toHaveLength(2);
    const listB = (await listDevices(t, b)).json().devices as DeviceView[];
    expect(listB.map((d) => [d.deviceId, d.current])).toEqual([
      ['d2', true],
      ['d1', false],
    ]);
    const listLater = (await listDevices(t, later)).json().devices as DeviceView[];
    expect(listLater.map((d) => [d.deviceId, d.current])).toEqual([
      ['d2', false],
      ['d1', true],
    ]);
  });

  it('forged or malformed device-add events are 400 with a code and log nothing', async () => {
    const { t, alice, carol } = await setup();
    const d = deviceOf(alice, 'dx');
    const now = t.clock.now();
    const good = { signPublicKey: d.signPublicKey, recordHash: deviceRecordHash(alice.id, 'dx'), time: now };
    const rogue = generateIdentity({ officerId: alice.id, agencyId: alice.agencyId });
    const tampered = keyEventCodec.toWire(addEvent(t, alice, d)) as Record<string, unknown>;
    tampered['time'] = now + 1;
    const cases: [string, Record<string, unknown>, string][] = [
      // Someone holding only alice's session certifies their own key with an identity key of their own.
      ['author is not the registered identity key', addBody(forged(alice, 'device-add', good, rogue), 'dx'), 'event_author_mismatch'],
      // A device certifying itself.
      ['signed by the device key', addBody(forged(alice, 'device-add', good, { ...alice.keys, signPublicKey: d.signPublicKey, signSecretKey: d.signSecretKey }), 'dx'), 'event_author_mismatch'],
      ['recordHash of another device id', addBody(forged(alice, 'device-add', { ...good, recordHash: deviceRecordHash(alice.id, 'other') }, alice.keys), 'dx'), 'event_mismatch'],
      ['recordHash of another officer', addBody(forged(alice, 'device-add', { ...good, recordHash: deviceRecordHash(carol.id, 'dx') }, alice.keys), 'dx'), 'event_mismatch'],
      ['dhPublicKey not the identity DH key', addBody(forged(alice, 'device-add', { ...good, dhPublicKey: carol.keys.dhPublicKey }, alice.keys), 'dx'), 'event_mismatch'],
      ['a device-revoke posted as an add', addBody(revokeEvent(t, alice, d), 'dx'), 'wrong_event_kind'],
      ['an enrol event', addBody(forged(alice, 'enrol', { ...good, signPublicKey: alice.keys.signPublicKey }, alice.keys), 'dx'), 'wrong_event_kind'],
      ['11 minutes old', addBody(addEvent(t, alice, d, now - 11 * MINUTE), 'dx'), 'event_time_skew'],
      ['11 minutes ahead', addBody(addEvent(t, alice, d, now + 11 * MINUTE), 'dx'), 'event_time_skew'],
      // Carol's genuine event for her own device, replayed by alice.
      ['another officer', addBody(createDeviceEvent('device-add', deviceOf(carol, 'dx'), now, carol.keys), 'dx'), 'wrong_subject'],
      ['another agency named', addBody(forged(alice, 'device-add', { ...good, agencyId: 'elsewhere' }, alice.keys), 'dx'), 'wrong_subject'],
      ['the identity key as the device key', addBody(forged(alice, 'device-add', { ...good, signPublicKey: alice.keys.signPublicKey }, alice.keys), 'dx'), 'device_key_invalid'],
      ['signature broken (time changed after signing)', { deviceId: 'dx', name: 'x', keyEvent: tampered }, 'keylog_bad_event_signature'],
      ['not a key event', { deviceId: 'dx', name: 'x', keyEvent: { kind: 'device-add' } }, 'wire_invalid'],
    ];
    for (const [what, body, code] of cases) {
      const res = await addDevice(t, alice.tokens, body);
      expect({ what, status: res.statusCode, code: res.json().error?.code }).toEqual({ what, status: 400, code });
      expectError(res, 400, code);
    }
    expect(await logged(t, alice.tokens, 'device-add')).toEqual([]);
    expect((await listDevices(t, alice.tokens)).json().devices).toEqual([]);
    // The genuine event still goes through afterwards.
    expect((await addDevice(t, alice.tokens, addBody(addEvent(t, alice, d), 'dx'))).statusCode).toBe(201);
  });

  it('an officer without identity keys gets 409 keys_required', async () => {
    const { t, net } = await setup();
    // The agency admin never registered keys in this world.
    const stranger = generateIdentity({ officerId: net.agencyAdmin.tokens.officer.id, agencyId: net.agency.id });
    const d = generateDeviceKeys({ officerId: stranger.officerId, deviceId: 'd1' });
    const res = await addDevice(t, net.agencyAdmin.tokens, addBody(createDeviceEvent('device-add', d, t.clock.now(), stranger), 'd1'));
    expectError(res, 409, 'keys_required');
  });

  it('a device id keeps the key it was added with: another key for it is 409 device_key_conflict', async () => {
    const { t, alice, secondSession } = await setup();
    const d1 = deviceOf(alice, 'd1');
    expect((await addDevice(t, alice.tokens, addBody(addEvent(t, alice, d1), 'd1'))).statusCode).toBe(201);
    const other = deviceOf(alice, 'd1');
    const res = await addDevice(t, await secondSession(), addBody(addEvent(t, alice, other), 'd1'));
    expectError(res, 409, 'device_key_conflict');
    expect(await logged(t, alice.tokens, 'device-add')).toHaveLength(1);
    const list = (await listDevices(t, alice.tokens)).json().devices as DeviceView[];
    expect(list.map((d) => d.signPublicKey)).toEqual([toB64(d1.signPublicKey)]);
  });
});

describe('devices: revoke', () => {
  it('is logged, ends the sessions of that device only, and the id can never be added again', async () => {
    const { t, alice, carol, secondSession } = await setup();
    const d1 = deviceOf(alice, 'd1');
    const d2 = deviceOf(alice, 'd2');
    expect((await addDevice(t, alice.tokens, addBody(addEvent(t, alice, d1), 'd1'))).statusCode).toBe(201);
    const b = await secondSession();
    expect((await addDevice(t, b, addBody(addEvent(t, alice, d2), 'd2'))).statusCode).toBe(201);

    // Refused revocations change nothing.
    const now = t.clock.now();
    const refused: [string, Promise<{ statusCode: number; json(): unknown }>, number, string][] = [
      ['unknown device', revokeDevice(t, b, 'nope', revokeEvent(t, alice, deviceOf(alice, 'nope'))), 404, 'not_found'],
      ["another officer's device", revokeDevice(t, carol.tokens, 'd1', createDeviceEvent('device-revoke', { officerId: carol.id, deviceId: 'd1', signPublicKey: d1.signPublicKey }, now, carol.keys)), 404, 'not_found'],
      ['a device-add posted as a revoke', revokeDevice(t, b, 'd1', addEvent(t, alice, d1)), 400, 'wrong_event_kind'],
      ['the key of another device', revokeDevice(t, b, 'd1', createDeviceEvent('device-revoke', { officerId: alice.id, deviceId: 'd1', signPublicKey: d2.signPublicKey }, now, alice.keys)), 400, 'event_mismatch'],
      ['recordHash of the other device', revokeDevice(t, b, 'd1', forged(alice, 'device-revoke', { signPublicKey: d1.signPublicKey, recordHash: deviceRecordHash(alice.id, 'd2'), time: now }, alice.keys)), 400, 'event_mismatch'],
      ['not signed by the identity key', revokeDevice(t, b, 'd1', forged(alice, 'device-revoke', { signPublicKey: d1.signPublicKey, recordHash: deviceRecordHash(alice.id, 'd1'), time: now }, generateIdentity({ officerId: alice.id, agencyId: alice.agencyId }))), 400, 'event_author_mismatch'],
      ['11 minutes old', revokeDevice(t, b, 'd1', revokeEvent(t, alice, d1, now - 11 * MINUTE)), 400, 'event_time_skew'],
    ];
    for (const [what, p, status, code] of refused) {
      const res = await p;
      expect({ what, status: res.statusCode, code: (res.json() as { error?: { code?: string } }).error?.code }).toEqual({ what, status, code });
    }
    expect(await logged(t, b, 'device-revoke')).toEqual([]);
    expect((await listDevices(t, alice.tokens)).statusCode).toBe(200);

    t.clock.advance(MINUTE);
    const res = await revokeDevice(t, b, 'd1', revokeEvent(t, alice, d1));
    expect(res.statusCode).toBe(200);
    expect(res.json().device).toMatchObject({ deviceId: 'd1', revokedAt: t.clock.now(), current: false });
    const revokes = await logged(t, b, 'device-revoke');
    expect(revokes).toHaveLength(1);
    expect(toB64(revokes[0]!.signPublicKey)).toBe(toB64(d1.signPublicKey));

    // The device's session is over; the other session of the officer works on.
    expectError(await listDevices(t, alice.tokens), 401, 'session_expired');
    const list = await listDevices(t, b);
    expect(list.statusCode).toBe(200);
    expect((list.json().devices as DeviceView[]).map((d) => [d.deviceId, d.revokedAt !== null, d.current])).toEqual([
      ['d2', false, true],
      ['d1', true, false],
    ]);

    // Revoked for good: neither the old key nor a new one brings the id back, and it cannot be revoked twice.
    expectError(await addDevice(t, b, addBody(addEvent(t, alice, d1), 'd1')), 409, 'device_revoked');
    expectError(await addDevice(t, b, addBody(addEvent(t, alice, deviceOf(alice, 'd1')), 'd1')), 409, 'device_revoked');
    expectError(await revokeDevice(t, b, 'd1', revokeEvent(t, alice, d1)), 409, 'device_revoked');
    expect(await logged(t, b, 'device-add')).toHaveLength(2);
    expect(await logged(t, b, 'device-revoke')).toHaveLength(1);
  });

  it('revoking the device of your own session signs you out', async () => {
    const { t, alice } = await setup();
    const d1 = deviceOf(alice, 'd1');
    expect((await addDevice(t, alice.tokens, addBody(addEvent(t, alice, d1), 'd1'))).statusCode).toBe(201);
    const res = await revokeDevice(t, alice.tokens, 'd1', revokeEvent(t, alice, d1));
    expect(res.statusCode).toBe(200);
    expect(res.json().device).toMatchObject({ deviceId: 'd1', current: true });
    expect(res.json().device.revokedAt).toBe(t.clock.now());
    expectError(await listDevices(t, alice.tokens), 401, 'session_expired');
  });
});

describe('devices: sends', () => {
  it("verifies a device's envelopes with its key, refuses the identity key for an added device, and refuses a revoked device at once", async () => {
    const { t, alice, ch, secondSession } = await setup();
    const d1 = deviceOf(alice, 'd1');
    const d2 = deviceOf(alice, 'd2');
    const b = await secondSession();
    expect((await addDevice(t, alice.tokens, addBody(addEvent(t, alice, d1), 'd1'))).statusCode).toBe(201);
    expect((await addDevice(t, b, addBody(addEvent(t, alice, d2), 'd2'))).statusCode).toBe(201);

    // A device never added signs with the identity key (v1), as before.
    expect((await send(t, ch, b, envelopeFrom(t, ch, alice, 'v1-device'))).statusCode).toBe(201);
    // An added device signs with its own key.
    expect((await send(t, ch, b, envelopeFrom(t, ch, alice, 'd2', d2))).statusCode).toBe(201);
    expect((await send(t, ch, b, envelopeFrom(t, ch, alice, 'd1', d1))).statusCode).toBe(201);
    // The identity key does not stand in for an added device, nor does another device's key.
    expectError(await send(t, ch, b, envelopeFrom(t, ch, alice, 'd2')), 400, 'bad_signature');
    expectError(await send(t, ch, b, envelopeFrom(t, ch, alice, 'd2', { ...d1, deviceId: 'd2' })), 400, 'bad_signature');
    // A device key does not sign for a device never added either.
    expectError(await send(t, ch, b, envelopeFrom(t, ch, alice, 'v1-device', { ...d1, deviceId: 'v1-device' })), 400, 'bad_signature');

    // d1's key was just used (and cached); the revocation applies to the very next send.
    expect((await revokeDevice(t, b, 'd1', revokeEvent(t, alice, d1))).statusCode).toBe(200);
    expectError(await send(t, ch, b, envelopeFrom(t, ch, alice, 'd1', d1)), 403, 'device_revoked');
    // Nor may it fall back on the identity key.
    expectError(await send(t, ch, b, envelopeFrom(t, ch, alice, 'd1')), 403, 'device_revoked');
    // The other device sends on.
    expect((await send(t, ch, b, envelopeFrom(t, ch, alice, 'd2', d2))).statusCode).toBe(201);
  });

  it('new identity keys leave old device certifications moot until the device is added again', async () => {
    const { t, alice, ch, secondSession } = await setup();
    const d1 = deviceOf(alice, 'd1');
    const b = await secondSession();
    expect((await addDevice(t, b, addBody(addEvent(t, alice, d1), 'd1'))).statusCode).toBe(201);
    expect((await send(t, ch, b, envelopeFrom(t, ch, alice, 'd1', d1))).statusCode).toBe(201);

    const renewed = generateIdentity({ officerId: alice.id, agencyId: alice.agencyId });
    const put = await t.app.inject({ method: 'PUT', url: '/api/v1/keys/me', headers: bearer(b), payload: registrationBody(renewed, t.clock.now()) });
    expect(put.statusCode).toBe(200);
    const aliceNow: Member = { ...alice, keys: renewed };
    // d1 was certified by the old identity: its key no longer signs, the new identity key does (as for a device never added).
    expectError(await send(t, ch, b, envelopeFrom(t, ch, aliceNow, 'd1', d1)), 400, 'bad_signature');
    expect((await send(t, ch, b, envelopeFrom(t, ch, aliceNow, 'd1'))).statusCode).toBe(201);
    // The old identity cannot certify anything any more; the new one re-adds d1 (logged again).
    expectError(await addDevice(t, b, addBody(addEvent(t, alice, d1), 'd1')), 400, 'event_author_mismatch');
    expect((await addDevice(t, b, addBody(addEvent(t, aliceNow, d1), 'd1'))).statusCode).toBe(201);
    expect(await logged(t, b, 'device-add')).toHaveLength(2);
    expect((await send(t, ch, b, envelopeFrom(t, ch, aliceNow, 'd1', d1))).statusCode).toBe(201);
    expectError(await send(t, ch, b, envelopeFrom(t, ch, aliceNow, 'd1')), 400, 'bad_signature');
  });

  it('over the socket too: the revoked device\'s socket is ended and its envelopes are refused', async () => {
    const { t, alice, ch, secondSession } = await setup();
    const url = await listen(t);
    const d1 = deviceOf(alice, 'd1');
    const d2 = deviceOf(alice, 'd2');
    const b = await secondSession();
    expect((await addDevice(t, alice.tokens, addBody(addEvent(t, alice, d1), 'd1'))).statusCode).toBe(201);
    expect((await addDevice(t, b, addBody(addEvent(t, alice, d2), 'd2'))).statusCode).toBe(201);
    const onD1 = connect(url, alice.tokens.accessToken);
    const onD2 = connect(url, b.accessToken);
    await Promise.all([connected(onD1), connected(onD2)]);
    const sent = await emitAck<SendResult>(onD2, 'send', { channelId: ch.id, envelope: envelopeFrom(t, ch, alice, 'd1', d1) });
    expect(sent.ok).toBe(true);

    const ended = waitFor<{ reason: string }>(onD1, 'session_ended');
    expect((await revokeDevice(t, b, 'd1', revokeEvent(t, alice, d1))).statusCode).toBe(200);
    expect((await ended).reason).toBe('device_revoked');
    const refused = await emitAck<SendResult>(onD2, 'send', { channelId: ch.id, envelope: envelopeFrom(t, ch, alice, 'd1', d1) });
    expect(refused).toMatchObject({ ok: false, status: 403, error: { code: 'device_revoked' } });
  });
});
