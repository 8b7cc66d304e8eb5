import webPush from 'web-push';
import type { ContentFreeNotification } from '../../shared/schemas/notifications.ts';
import type { VapidKeys } from '../secrets.ts';
import { failureReason, postBytes } from './http-post.ts';
import { pushPayload } from './render.ts';

/** How long a push service keeps an undelivered notification (RFC 8030 §5.2 TTL), in seconds. */
const TTL_SECONDS = { urgent: 60 * 60, normal: 24 * 60 * 60, test: 10 * 60 } as const;

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
  constructor(private readonly opts: WebPushOptions) {}

  /** The application server key browsers subscribe with. */
  get publicKey(): string {
    return this.opts.vapid.publicKey;
  }

  async send(target: PushTarget, n: ContentFreeNotification): Promise<DeliveryOutcome> {
    let request: webPush.RequestDetails;
    try {
      request = webPush.generateRequestDetails(target, pushPayload(n), {
        vapidDetails: { subject: this.opts.subject, publicKey: this.opts.vapid.publicKey, privateKey: this.opts.vapid.privateKey },
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
