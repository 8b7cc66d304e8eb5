/**
 * Issue 12, "per-device keys" and the Done-when "device revocation" (PROTOCOL.md §4.5): each installation
 * signs with its own key, certified by the identity with a logged device-add; a lost device is revoked
 * from another one without re-enrolling — its session ends, the server refuses its sends, and receivers
 * refuse envelopes its key signs after the revocation even when a colluding server delivers them.
 */
import { describe, expect, it } from 'vitest';
import { LiaisonApiError, type LiaisonClient, type ReceivedMessage } from '../../client/sdk/index.ts';
import type { ChainStore } from '../../client/sdk/chains.ts';
import type { SdkContext } from '../../client/sdk/context.ts';
import type { DevicesApi } from '../../client/sdk/devices.ts';
import type { MessagingApi } from '../../client/sdk/messaging.ts';
import type { EpochSecrets } from '../../client/sdk/secrets.ts';
import { api } from '../../shared/api/index.ts';
import { deviceRecordHash, emptyKeyLog, encryptMessage, keyEventCodec, messageEnvelopeCodec, nextSendingKey, startSendingChain, toB64 } from '../../shared/crypto/index.ts';
import type { StoredMessage } from '../../shared/schemas/channels.ts';
import { E2E_PASSPHRASE, openCaseChannel, signIn, totpCode, twoAgencyNetwork, waitFor } from '../world/network.ts';
import { securityLog, startHost } from './host.ts';

interface Internals {
  ctx: SdkContext;
  chains: ChainStore;
  secrets: EpochSecrets;
  devicesApi: DevicesApi;
  messaging: MessagingApi;
}
const internals = (c: LiaisonClient): Internals => c as unknown as Internals;

function texts(msgs: ReceivedMessage[]): string[] {
  return msgs.map((m) => (m.payload.kind === 'text' ? m.payload.text : m.payload.kind));
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => null,
    (e: unknown) => e,
  );
}

/**
 * What a colluding server delivers to `receiver`: an envelope that `sender`'s device key signs with header
 * time `time`, in the channel's current epoch, at the next position. Returns whether the receiver accepted it.
 */
async function deliverForged(receiver: LiaisonClient, sender: LiaisonClient, channelId: string, text: string, time: number, seq: number, stamp = time): Promise<ReceivedMessage | null> {
  const s = internals(sender);
  const state = (await s.chains.state(channelId))!;
  const view = state.current;
  const secret = (await s.secrets.load(channelId, view.epoch))!;
  const identity = s.ctx.keys!;
  const device = s.devicesApi.keys()!;
  const sending = startSendingChain(secret, { channelId, epoch: view.epoch, stateHash: view.stateHash, officerId: identity.officerId, deviceId: device.deviceId });
  // A counter beyond what the device used, so the replay window is not what refuses it.
  let chain = sending;
  for (let i = 0; i < 5; i++) chain = nextSendingKey(chain).chain;
  const messageId = `forged-${time}`;
  const { envelope } = encryptMessage({
    channel: state,
    sending: chain,
    sender: identity,
    device,
    messageId,
    handling: 'TLP:GREEN',
    payload: { kind: 'text', text },
    time,
    keyLogHead: { size: 0, hash: emptyKeyLog().headHash },
  });
  const stored: StoredMessage = {
    channelId,
    messageId,
    seq,
    senderId: identity.officerId,
    epoch: view.epoch,
    handling: 'TLP:GREEN',
    envelope: messageEnvelopeCodec.toWire(envelope),
    ackRequired: false,
    attachmentIds: [],
    forwardedFrom: null,
    createdAt: stamp,
  };
  return internals(receiver).messaging.onMessage(stored, { emit: false });
}

describe('per-device keys (issue 12, PROTOCOL.md §4.5)', () => {
  it('two devices of one officer sign with their own certified keys; the other devices and the peer see who added what', { timeout: 180_000 }, async () => {
    const host = await startHost();
    const net = await twoAgencyNetwork(host, { prefix: 'dv1-' });
    const { alice, bob } = net;
    const channel = await openCaseChannel(net, { title: 'Operation Kestrel' });
    const aliceNotices = securityLog(alice);

    // Alice's second device: a new installation restored from the backup.
    const phone = await signIn(host, net.a.alice);
    await phone.unlock(E2E_PASSPHRASE);
    expect(phone.deviceId).not.toBe(alice.deviceId);

    const devices = await phone.devices.list();
    expect(devices.map((d) => [d.deviceId, d.current, d.revokedAt])).toEqual(
      expect.arrayContaining([
        [phone.deviceId, true, null],
        [alice.deviceId, false, null],
      ]),
    );
    expect(devices).toHaveLength(2);
    // Each device-add is in the key log, signed by the identity key, naming the device by its record hash.
    const log = await bob.call(api.keys.keyLog, { query: { from: 0, limit: 1000 } });
    const adds = log.entries.map((e) => keyEventCodec.fromWire((e as { event: Record<string, unknown> }).event)).filter((e) => e.kind === 'device-add' && e.officerId === alice.officerId);
    expect(adds.map((e) => toB64(e.recordHash)).sort()).toEqual([alice.deviceId, phone.deviceId].map((d) => toB64(deviceRecordHash(alice.officerId!, d))).sort());
    for (const e of adds) expect(toB64(e.authorSignPublicKey)).toBe(toB64(internals(alice).ctx.keys!.signPublicKey));

    // Messages from both devices reach bob; each envelope verifies only under its own device key.
    await alice.send(channel.id, { kind: 'text', text: 'from the desk' });
    await phone.sync();
    await phone.send(channel.id, { kind: 'text', text: 'from the phone' });
    await bob.sync();
    expect(texts(await bob.history(channel.id))).toEqual(['from the desk', 'from the phone']);

    // The first device learns, on its next audit, that a device was added to its account (not an alarm).
    await alice.sync();
    expect(aliceNotices.filter((n) => n.kind === 'device_added')).toHaveLength(1);
    expect(aliceNotices.filter((n) => n.kind === 'keylog_foreign_entry')).toEqual([]);
  });

  it('a new device lists channel titles at once, also when the list is asked twice at the same time, without opening a channel', { timeout: 180_000 }, async () => {
    const host = await startHost();
    const net = await twoAgencyNetwork(host, { prefix: 'dv3-' });
    const channel = await openCaseChannel(net, { title: 'Operation Heron' });
    const phone = await signIn(host, net.a.alice);
    await phone.unlock(E2E_PASSPHRASE);
    // No sync, no history: the epoch's key envelope has not been opened on this device yet.
    expect(await internals(phone).secrets.load(channel.id, 1)).toBeUndefined();
    const [first, second] = await Promise.all([phone.channels(), phone.channels()]);
    for (const list of [first, second]) expect(list.find((c) => c.id === channel.id)?.title).toBe('Operation Heron');
  });

  it('revoking a lost device ends its session, the server refuses its sends, and receivers refuse what its key signs afterwards', { timeout: 180_000 }, async () => {
    const host = await startHost();
    const net = await twoAgencyNetwork(host, { prefix: 'dv2-' });
    const { alice, bob } = net;
    const channel = await openCaseChannel(net, { title: 'Operation Kestrel' });
    const lost = await signIn(host, net.a.alice);
    await lost.unlock(E2E_PASSPHRASE);
    await lost.sync();
    await lost.send(channel.id, { kind: 'text', text: 'before the laptop was lost' });
    host.clock.advance(60_000);
    const lostDeviceId = lost.deviceId;
    const bobNotices = securityLog(bob);

    // From her desk, alice revokes the lost laptop (no re-enrolment: same identity, same certificate).
    const revoked = await alice.devices.revoke(lostDeviceId);
    expect(revoked.revokedAt).toBe(host.clock.now());
    const revokedAt = revoked.revokedAt!;
    expect((await alice.devices.list()).find((d) => d.deviceId === lostDeviceId)?.revokedAt).toBe(revokedAt);
    // Revoking it twice is a conflict, not a second log entry.
    expect(await rejection(alice.devices.revoke(lostDeviceId))).toMatchObject({ status: 409, code: 'device_revoked' });

    // The lost device's session is over: its next request is refused.
    const err = await rejection(lost.send(channel.id, { kind: 'text', text: 'after the revocation' }));
    expect(err).toBeInstanceOf(LiaisonApiError);
    expect((err as LiaisonApiError).status).toBe(401);

    // Alice's own device still works, and her identity did not change.
    await alice.send(channel.id, { kind: 'text', text: 'desk still here' });
    await bob.sync();
    expect(texts(await bob.history(channel.id))).toEqual(['before the laptop was lost', 'desk still here']);

    // A colluding server delivers to bob what the lost device's key signs after the revocation: refused.
    const history = await bob.history(channel.id);
    const nextSeq = Math.max(...history.map((m) => m.seq)) + 1;
    host.clock.advance(1_000);
    const after = await deliverForged(bob, lost, channel.id, 'forged after revocation', host.clock.now(), nextSeq);
    expect(after).toBeNull();
    // Backdating the header alone does not help: the server's stamp is after the revocation.
    const backdated = await deliverForged(bob, lost, channel.id, 'backdated header', revokedAt - 1, nextSeq, host.clock.now());
    expect(backdated).toBeNull();
    const rejected = bobNotices.filter((n) => n.kind === 'message_rejected');
    expect(rejected.map((n) => n.code)).toEqual(['envelope/device-revoked', 'envelope/device-revoked']);
    // The same forgery dated before the revocation is accepted: the revocation time is what refused it.
    const before = await deliverForged(bob, lost, channel.id, 'dated before revocation', revokedAt - 1, nextSeq + 1);
    expect(before && before.payload.kind === 'text' ? before.payload.text : null).toBe('dated before revocation');

    // The lost installation, signed in again by its owner, continues as a new device with a new key.
    const lostNotices = securityLog(lost);
    await lost.login({ username: net.a.alice.username, password: net.a.alice.password, totp: totpCode(net.a.alice.totpSecret, host.clock.now()) });
    host.clock.advance(30_000);
    if (!lost.unlocked) await lost.unlock(E2E_PASSPHRASE);
    await waitFor(() => lostNotices.find((n) => n.kind === 'device_revoked'), 'device_revoked notice');
    expect(lost.deviceId).not.toBe(lostDeviceId);
    const list = await alice.devices.list();
    expect(list.filter((d) => d.revokedAt === null).map((d) => d.deviceId).sort()).toEqual([alice.deviceId, lost.deviceId].sort());
  });
});
