import crypto from 'node:crypto';
import type { ContentFreeNotification } from '../../shared/schemas/notifications.ts';
import { failureReason, postBytes } from './http-post.ts';
import type { DeliveryOutcome } from './push.ts';
import { webhookBody } from './render.ts';

export const WEBHOOK_TIMESTAMP_HEADER = 'X-Liaison-Timestamp';
export const WEBHOOK_SIGNATURE_HEADER = 'X-Liaison-Signature';

/** `sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>`: the timestamp is signed so a receiver can refuse replays. */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** What a receiver runs (README, "Notifications"): a constant-time comparison of the expected signature. */
export function verifyWebhookSignature(secret: string, timestamp: string, body: string, signature: string): boolean {
  const expected = Buffer.from(webhookSignature(secret, timestamp, body));
  const given = Buffer.from(signature);
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

export interface WebhookOptions {
  url: string;
  secret: string;
  timeoutMs: number;
  now: () => number;
}

/** The operator webhook: one signed JSON POST per notification, for SMS or pager gateways. Non-2xx is a failure. */
export class WebhookTransport {
  constructor(private readonly opts: WebhookOptions) {}

  async send(officerId: string, n: ContentFreeNotification): Promise<DeliveryOutcome> {
    const body = webhookBody(n, officerId);
    const timestamp = String(Math.floor(this.opts.now() / 1000));
    const headers = {
      'Content-Type': 'application/json',
      [WEBHOOK_TIMESTAMP_HEADER]: timestamp,
      [WEBHOOK_SIGNATURE_HEADER]: webhookSignature(this.opts.secret, timestamp, body),
    };
    try {
      const { status } = await postBytes(new URL(this.opts.url), headers, Buffer.from(body), this.opts.timeoutMs);
      return status >= 200 && status < 300 ? { ok: true } : { ok: false, error: `status_${status}` };
    } catch (err) {
      return { ok: false, error: failureReason(err) };
    }
  }
}
