import { constantTimeEqual, utf8 } from './encoding.ts';
import type { Rng } from './encoding.ts';
import { VerificationError } from './errors.ts';
import type { IdentityKeys } from './identity.ts';
import { createKeyEvent, type KeyEvent } from './key-log.ts';
import { labelledHash, rngOrDefault } from './primitives.ts';
import { getSodium } from './sodium.ts';

/**
 * Per-device signing keys (PROTOCOL.md §4.5, protocol v2). Each device (one SDK installation, named by
 * its `deviceId`) holds its own Ed25519 key. The officer's identity key certifies it with a `device-add`
 * key event in the key-transparency log and withdraws it with a `device-revoke`; message envelopes from
 * that device are signed with the device key. Epoch secrets stay sealed to the officer's identity
 * X25519 key (history must open on every device restored from the backup), so the device-add event's
 * `dhPublicKey` is the identity's: it states where the device receives, not a second sealing key.
 */
export interface DeviceKeys {
  officerId: string;
  deviceId: string;
  signPublicKey: Uint8Array;
  signSecretKey: Uint8Array;
}

export const DEVICE_RECORD_LABEL = 'liaison/v2/device';

/** The `recordHash` of a device's key events: H(label, officerId, deviceId). Names the device in the log. */
export function deviceRecordHash(officerId: string, deviceId: string): Uint8Array {
  return labelledHash(DEVICE_RECORD_LABEL, [utf8(officerId), utf8(deviceId)]);
}

export function generateDeviceKeys(who: { officerId: string; deviceId: string }, rng?: Rng): DeviceKeys {
  const sign = getSodium().crypto_sign_seed_keypair(rngOrDefault(rng)(32));
  return { officerId: who.officerId, deviceId: who.deviceId, signPublicKey: sign.publicKey, signSecretKey: sign.privateKey };
}

/** Recomputes the public key from the secret: catches a corrupted or swapped stored device key. */
export function deviceKeysConsistent(keys: DeviceKeys): boolean {
  if (keys.signSecretKey.length !== 64) return false;
  return getSodium().memcmp(getSodium().crypto_sign_ed25519_sk_to_pk(keys.signSecretKey), keys.signPublicKey);
}

/** `device-add` (certify the device key) or `device-revoke` (withdraw it), signed by the officer's identity key. */
export function createDeviceEvent(kind: 'device-add' | 'device-revoke', device: Pick<DeviceKeys, 'officerId' | 'deviceId' | 'signPublicKey'>, time: number, identity: IdentityKeys): KeyEvent {
  if (device.officerId !== identity.officerId) throw new VerificationError('device/wrong-officer', 'createDeviceEvent: the device belongs to another officer');
  return createKeyEvent(
    {
      kind,
      officerId: identity.officerId,
      agencyId: identity.agencyId,
      signPublicKey: device.signPublicKey,
      dhPublicKey: identity.dhPublicKey,
      recordHash: deviceRecordHash(device.officerId, device.deviceId),
      time,
    },
    identity,
  );
}

/** What the audited log says about one device of one identity. */
export interface DeviceStatus {
  signPublicKey: Uint8Array;
  addedAt: number;
  /** Time of the earliest valid device-revoke; null while the device is in force. */
  revokedAt: number | null;
}

/**
 * PROTOCOL.md §4.5: the status of device `deviceId` of the officer whose identity signing key is
 * `identitySignPublicKey`, from key events of the audited log (signatures already verified by the audit).
 * Only events with `recordHash = deviceRecordHash(officerId, deviceId)`, signed by that identity key, count;
 * the first `device-add` fixes the device key (a later add with another key is ignored), and the earliest
 * `device-revoke` of that key revokes it for good. Null when no such device was added: the envelope of a
 * device never added is verified with the identity key itself (v1 devices, §10 migration).
 */
export function deviceStatus(events: Iterable<KeyEvent>, officerId: string, deviceId: string, identitySignPublicKey: Uint8Array): DeviceStatus | null {
  const record = deviceRecordHash(officerId, deviceId);
  let status: DeviceStatus | null = null;
  const revokes: KeyEvent[] = [];
  for (const e of events) {
    if (e.officerId !== officerId || !constantTimeEqual(e.recordHash, record) || !constantTimeEqual(e.authorSignPublicKey, identitySignPublicKey)) continue;
    if (e.kind === 'device-add' && !status) status = { signPublicKey: e.signPublicKey, addedAt: e.time, revokedAt: null };
    else if (e.kind === 'device-revoke') revokes.push(e);
  }
  if (!status) return null;
  for (const r of revokes) {
    if (constantTimeEqual(r.signPublicKey, status.signPublicKey) && (status.revokedAt === null || r.time < status.revokedAt)) status.revokedAt = r.time;
  }
  return status;
}
