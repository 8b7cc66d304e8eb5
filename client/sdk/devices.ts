import {
  createDeviceEvent,
  deviceKeysConsistent,
  deviceStatus,
  fromB64,
  generateDeviceKeys,
  getSodium,
  keyEventCodec,
  toB64,
  type DeviceKeys,
  type DeviceStatus,
  type KeyEvent,
} from '../../shared/crypto/index.ts';
import { api } from '../../shared/api/index.ts';
import type { DeviceView } from '../../shared/schemas/keys.ts';
import { requireKeys, type SdkContext } from './context.ts';
import { LiaisonApiError, LiaisonClientError } from './errors.ts';
import type { KeyLogAuditor } from './keylog.ts';

export type { DeviceView } from '../../shared/schemas/keys.ts';

/** Sealed-store entry of this installation's device key (PROTOCOL.md §4.5). */
const DEVICE_KEYS_KEY = 'device:keys';

interface StoredDeviceKeys {
  officerId: string;
  deviceId: string;
  signPublicKey: string;
  signSecretKey: string;
}

/**
 * Per-device keys (PROTOCOL.md §4.5): this installation's signing key, certified by the identity key with a
 * `device-add` key event when the keys unlock; the officer's device list; revocation of a lost device.
 */
export class DevicesApi {
  private current: DeviceKeys | null = null;

  constructor(
    private readonly ctx: SdkContext,
    private readonly keylog: KeyLogAuditor,
    private readonly name: string,
    /** Gives this installation a fresh device id (after the old one was revoked). */
    private readonly renewDeviceId: () => Promise<string>,
  ) {}

  /** This device's key while unlocked; null before `ensure()` ran or while locked. */
  keys(): DeviceKeys | null {
    const k = this.current;
    return k && this.ctx.keys && k.officerId === this.ctx.keys.officerId && k.deviceId === this.ctx.deviceId ? k : null;
  }

  /**
   * After the identity unlocks: loads (or creates) this installation's device key and announces it
   * (`POST /keys/me/devices`: a new device is certified with a device-add key event; a known one binds
   * this session). A device revoked meanwhile (from another device) starts again as a new device with a
   * new id and key, and the officer is told (security notice `device_revoked`).
   */
  async ensure(): Promise<DeviceKeys> {
    const identity = requireKeys(this.ctx, 'devices.ensure');
    let device = await this.load(identity.officerId);
    for (let attempt = 0; ; attempt++) {
      if (!device) {
        device = generateDeviceKeys({ officerId: identity.officerId, deviceId: this.ctx.deviceId });
        await this.save(device);
      }
      const event = createDeviceEvent('device-add', device, this.ctx.now(), identity);
      try {
        await this.ctx.http.call(api.keys.addDevice, { body: { deviceId: device.deviceId, name: this.name, keyEvent: keyEventCodec.toWire(event) } });
        break;
      } catch (err) {
        if (attempt > 0 || !(err instanceof LiaisonApiError) || (err.code !== 'device_revoked' && err.code !== 'device_key_conflict')) throw err;
        this.ctx.events.emit('security', {
          kind: 'device_revoked',
          officerId: identity.officerId,
          code: err.code,
          message: `this installation's device ${device.deviceId} ${err.code === 'device_revoked' ? 'was revoked' : 'is registered with another key'}; it continues as a new device`,
        });
        this.forget(device);
        await this.renewDeviceId();
        device = null;
      }
    }
    this.current = device;
    // My own device-add is in the log now: audit it, so the head my envelopes gossip covers it (receivers
    // that know a smaller log audit up to it before they resolve my device).
    await this.keylog.audit();
    return device;
  }

  lock(): void {
    if (this.current) this.forget(this.current);
    this.current = null;
  }

  /** The signed-in officer's devices, newest first (revoked ones included). */
  async list(): Promise<DeviceView[]> {
    return (await this.ctx.http.call(api.keys.myDevices)).devices;
  }

  /**
   * Revokes one of my devices (a lost laptop): an identity-signed `device-revoke` key event. The server
   * ends that device's sessions and refuses its sends; every client refuses its envelopes dated from now on.
   * Revoking this device signs this installation out.
   */
  async revoke(deviceId: string): Promise<DeviceView> {
    const identity = requireKeys(this.ctx, 'devices.revoke');
    const target = (await this.list()).find((d) => d.deviceId === deviceId);
    if (!target) throw new LiaisonClientError('device/unknown', `devices.revoke: no device ${deviceId} of mine`);
    const event = createDeviceEvent('device-revoke', { officerId: identity.officerId, deviceId, signPublicKey: fromB64(target.signPublicKey) }, this.ctx.now(), identity);
    const { device } = await this.ctx.http.call(api.keys.revokeDevice, { params: { deviceId }, body: { keyEvent: keyEventCodec.toWire(event) } });
    return device;
  }

  /**
   * §4.5 receiver rule, synchronous for openEnvelope: the sender's device status from the device events of
   * my audited key log (`prepare()` loads them first).
   */
  resolver(events: readonly KeyEvent[]): (officerId: string, deviceId: string, identitySignPublicKey: Uint8Array) => DeviceStatus | null {
    return (officerId, deviceId, identity) => deviceStatus(events, officerId, deviceId, identity);
  }

  private async load(officerId: string): Promise<DeviceKeys | null> {
    let stored: StoredDeviceKeys | undefined;
    try {
      stored = await this.ctx.sealed.get<StoredDeviceKeys>(DEVICE_KEYS_KEY);
    } catch (err) {
      // Sealed under earlier identity keys (new keys were created on this installation): a new device key.
      if (err instanceof LiaisonClientError && err.code === 'store/unseal-failed') return null;
      throw err;
    }
    if (!stored || stored.officerId !== officerId || stored.deviceId !== this.ctx.deviceId) return null;
    const keys: DeviceKeys = { officerId, deviceId: stored.deviceId, signPublicKey: fromB64(stored.signPublicKey), signSecretKey: fromB64(stored.signSecretKey) };
    if (!deviceKeysConsistent(keys)) throw new LiaisonClientError('device/corrupt', 'devices: the stored device key is corrupt');
    return keys;
  }

  private async save(keys: DeviceKeys): Promise<void> {
    const stored: StoredDeviceKeys = {
      officerId: keys.officerId,
      deviceId: keys.deviceId,
      signPublicKey: toB64(keys.signPublicKey),
      signSecretKey: toB64(keys.signSecretKey),
    };
    await this.ctx.sealed.set(DEVICE_KEYS_KEY, stored);
  }

  private forget(keys: DeviceKeys): void {
    getSodium().memzero(keys.signSecretKey);
  }
}
