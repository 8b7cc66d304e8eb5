import { Type, type Static } from 'typebox';
import { Id, Timestamp } from './common.ts';

/**
 * What a notification says, on every transport: ids, priority and whether an acknowledgement is asked
 * for. Never plaintext, titles, names or case references: the device fetches and decrypts the item.
 */
export const ContentFreeNotification = Type.Object(
  {
    v: Type.Literal(1),
    id: Id,
    kind: Type.Union([Type.Literal('page'), Type.Literal('test')]),
    priority: Type.Union([Type.Literal('urgent'), Type.Literal('normal')]),
    ackRequested: Type.Boolean(),
    channelId: Type.Optional(Id),
    deskId: Type.Optional(Id),
    at: Timestamp,
  },
  { additionalProperties: false },
);
export type ContentFreeNotification = Static<typeof ContentFreeNotification>;

/** Every key a notification may carry (tests assert a delivered payload has no other). */
export const NOTIFICATION_KEYS = Object.keys(ContentFreeNotification.properties) as readonly (keyof ContentFreeNotification)[];

export const Transport = Type.Union([Type.Literal('push'), Type.Literal('email'), Type.Literal('webhook')]);
export type Transport = Static<typeof Transport>;

const Base64Url = (description: string, minLength: number, maxLength: number) =>
  Type.String({ pattern: '^[A-Za-z0-9_-]+={0,2}$', minLength, maxLength, description });

/** The browser's PushSubscription.toJSON(), plus an optional label ("work phone"). */
export const PushSubscriptionBody = Type.Object(
  {
    endpoint: Type.String({ minLength: 1, maxLength: 2048, description: 'Push service URL (https; http only for loopback hosts on a development server)' }),
    expirationTime: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
    keys: Type.Object(
      {
        p256dh: Base64Url('P-256 public key of the subscription, uncompressed (65 bytes), base64url', 80, 100),
        auth: Base64Url('16-byte authentication secret, base64url', 16, 32),
      },
      { additionalProperties: false },
    ),
    label: Type.Optional(Type.String({ maxLength: 80 })),
  },
  { additionalProperties: false },
);
export type PushSubscriptionBody = Static<typeof PushSubscriptionBody>;

/** A stored subscription as its owner sees it: the push service's host only (the endpoint URL is a capability). */
export const PushSubscriptionView = Type.Object({
  id: Id,
  endpointHost: Type.String(),
  label: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp,
});
export type PushSubscriptionView = Static<typeof PushSubscriptionView>;

export const PushSubscriptionResponse = Type.Object({ subscription: PushSubscriptionView });
export const PushSubscriptionList = Type.Object({ subscriptions: Type.Array(PushSubscriptionView) });

export const VapidPublicKey = Type.Object({
  publicKey: Type.String({ description: 'VAPID application server key (uncompressed P-256 point, base64url) for PushManager.subscribe' }),
});

const ClockTime = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'HH:MM, 24-hour' });

export const QuietHours = Type.Object(
  { start: ClockTime, end: ClockTime, timeZone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. Europe/Lisbon' }) },
  { additionalProperties: false },
);
export type QuietHours = Static<typeof QuietHours>;

/** An officer's notification settings. Quiet hours are stored only for now; nothing applies them yet. */
export const NotificationSettings = Type.Object(
  {
    email: Type.Union([Type.String({ minLength: 3, maxLength: 254 }), Type.Null()]),
    push: Type.Boolean({ description: 'Deliver to this officer’s push subscriptions' }),
    emailEnabled: Type.Boolean({ description: 'Deliver to `email` (needs SMTP_URL on the server)' }),
    quietHours: Type.Union([QuietHours, Type.Null()]),
  },
  { additionalProperties: false },
);
export type NotificationSettings = Static<typeof NotificationSettings>;

export const DeliveryResult = Type.Object({
  transport: Transport,
  ok: Type.Boolean(),
  /** A short reason on failure (e.g. "timeout", "status_410"); never a secret or a server's message. */
  error: Type.Optional(Type.String()),
});
export type DeliveryResult = Static<typeof DeliveryResult>;

export const TestNotificationResults = Type.Object({ results: Type.Array(DeliveryResult) });
