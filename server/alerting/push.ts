import webPush from 'web-push';
import type { ContentFreeNotification } from '../../shared/schemas/notifications.ts';
import type { VapidKeys } from '../secrets.ts';
import { failureReason, postBytes } from './http-post.ts';
import { pushPayload } from './render.ts';

/** How long a push service keeps an undelivered notification (RFC 8030 §5.2 TTL), in seconds. */
const TTL_SECONDS = { urgent: 60 * 60, normal: 24 * 60 * 60, test: 10 * 60 } as const;
/** Lifetime of a VAPID JWT (RFC 8292 §2: at most 24 h). */
const VAPID_JWT_SECONDS = 12 * 60 * 60;

export interface PushTarget {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

export type DeliveryOutcome = { ok: true } | { ok: false; error: string; /** The push service says the subscription no longer exists (404/410). */ gone?: boolean };

export interface WebPushOptions {
  vapid: VapidKeys;
  /** VAPID `sub` claim: a mailto: or https: contact for the push service's operator. */
  subject: string;
  timeoutMs: number;
}

/**
 * Web Push (RFC 8030) with an aes128gcm-encrypted payload (RFC 8291) and a VAPID JWT (RFC 8292).
 * web-push builds the request; the POST is ours so that the time is bounded and plain http works
 * for loopback push services in tests.
 */
export class WebPushTransport {
  /** Signed VAPID headers per push-service origin, reused until an hour before their JWT expires. */
  private readonly vapid = new Map<string, { headers: Record<string, string>; until: number }>();

  constructor(private readonly opts: WebPushOptions) {}

  /**
   * RFC 8292 allows one JWT per push service for up to 24 h; signing one per message (web-push's default:
   * an ES256 signature with the key converted through asn1.js) cost ~2 ms each and serialised 100 pages
   * sent at once. Real time, not the app clock: the push service checks `exp` against its own clock.
   */
  private vapidHeaders(endpoint: string): Record<string, string> {
    const audience = new URL(endpoint).origin;
    const now = Date.now();
    const hit = this.vapid.get(audience);
    if (hit && hit.until > now) return hit.headers;
    const expSeconds = Math.floor(now / 1000) + VAPID_JWT_SECONDS;
    const headers: Record<string, string> = { ...webPush.getVapidHeaders(audience, this.opts.subject, this.opts.vapid.publicKey, this.opts.vapid.privateKey, 'aes128gcm', expSeconds) };
    this.vapid.set(audience, { headers, until: now + (VAPID_JWT_SECONDS - 3600) * 1000 });
    return headers;
  }

  /** The application server key browsers subscribe with. */
  get publicKey(): string {
    return this.opts.vapid.publicKey;
  }

  async send(target: PushTarget, n: ContentFreeNotification): Promise<DeliveryOutcome> {
    let request: webPush.RequestDetails;
    try {
      request = webPush.generateRequestDetails(target, pushPayload(n), {
        headers: this.vapidHeaders(target.endpoint),
        TTL: n.kind === 'test' ? TTL_SECONDS.test : TTL_SECONDS[n.priority],
        urgency: n.priority === 'urgent' ? 'high' : 'normal',
        contentEncoding: 'aes128gcm',
      });
    } catch {
      // Stored keys were validated on subscribe; this is a broken row, not a transient failure.
      return { ok: false, error: 'invalid_subscription' };
    }
    try {
      const headers: Record<string, string | number> = {};
      for (const [k, v] of Object.entries(request.headers)) if (typeof v === 'string' || typeof v === 'number') headers[k] = v;
      const { status } = await postBytes(new URL(request.endpoint), headers, request.body ?? Buffer.alloc(0), this.opts.timeoutMs);
      if (status >= 200 && status < 300) return { ok: true };
      return { ok: false, error: `status_${status}`, ...(status === 404 || status === 410 ? { gone: true } : {}) };
    } catch (err) {
      return { ok: false, error: failureReason(err) };
    }
  }
}
