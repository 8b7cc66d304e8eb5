import type { ContentFreeNotification, DeliveryResult, NotificationSettings, PushSubscriptionBody, PushSubscriptionView, QuietHours, Transport } from '../../shared/schemas/notifications.ts';
import type { AccountsService } from '../accounts/service.ts';
import type { Actor } from '../auth/actor.ts';
import { newId } from '../auth/tokens.ts';
import { auditEvents, type AuditActor } from '../audit/actions.ts';
import type { AuditService } from '../audit/service.ts';
import type { Clock } from '../clock.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import type { Store } from '../store/store.ts';
import type { MailTransport } from './mail.ts';
import type { MailContent } from './render.ts';
import type { DeliveryOutcome, WebPushTransport } from './push.ts';
import type { NotificationSettingsRow, PushSubscriptionRow } from './repository.ts';
import { validEndpoint, validKeys, validSettings } from './validate.ts';
import type { WebhookTransport } from './webhook.ts';

/** Devices one officer may subscribe (a phone, a desk PC, a laptop… with room to spare). */
export const MAX_SUBSCRIPTIONS_PER_OFFICER = 20;

export const DEFAULT_SETTINGS: NotificationSettings = { email: null, push: true, emailEnabled: false, quietHours: null };

/** A failed delivery as the log sees it: ids and a short reason, never keys, endpoints, addresses or credentials. */
export interface DeliveryFailure {
  officerId: string;
  transport: Transport;
  notificationId: string;
  error: string;
}

export interface AlertingDeps {
  store: Store;
  clock: Clock;
  audit: AuditService;
  accounts: Pick<AccountsService, 'officer'>;
  push: WebPushTransport;
  /** Absent when SMTP_URL is not set. */
  mail?: MailTransport;
  /** Absent when WEBHOOK_URL is not set. */
  webhook?: WebhookTransport;
  /** Loopback push endpoints are accepted (a development server: PUBLIC_URL is http). */
  allowLoopbackPush: boolean;
}

/**
 * Content-free notifications to an officer over Web Push, e-mail and the operator webhook, and the
 * officer's subscriptions and settings. Delivery never throws into its caller: each attempt is
 * audited and a failure is reported through `onDeliveryFailure` (the app logs it).
 */
export class AlertingService {
  /** Set by the app to log failures (ids and reasons only). */
  onDeliveryFailure: (failure: DeliveryFailure) => void = () => {};
  /** Set by the app to log an error of the alerting machinery itself (audit write failed…). */
  onError: (err: unknown) => void = () => {};

  private readonly store: Store;
  private readonly clock: Clock;
  private readonly audit: AuditService;
  private readonly accounts: Pick<AccountsService, 'officer'>;
  private readonly push: WebPushTransport;
  private readonly mail: MailTransport | undefined;
  private readonly webhook: WebhookTransport | undefined;
  private readonly allowLoopbackPush: boolean;

  constructor(deps: AlertingDeps) {
    this.store = deps.store;
    this.clock = deps.clock;
    this.audit = deps.audit;
    this.accounts = deps.accounts;
    this.push = deps.push;
    this.mail = deps.mail;
    this.webhook = deps.webhook;
    this.allowLoopbackPush = deps.allowLoopbackPush;
  }

  // ---- delivery (for other capabilities) ----

  /**
   * Delivers `notification` to the officer over every configured channel: each push subscription
   * (when push is on), the e-mail address (when e-mail is on and SMTP configured) and the operator
   * webhook. Resolves with one result per attempt; never rejects. An inactive officer gets nothing.
   */
  async notify(officerId: string, notification: ContentFreeNotification, actor: AuditActor = null): Promise<DeliveryResult[]> {
    try {
      const officer = await this.accounts.officer(officerId);
      if (!officer || officer.status !== 'active') return [];
      const { settings, subscriptions } = await this.store.read(async (r) => ({
        settings: settingsView(await r.alerting.settings(officerId)),
        subscriptions: await r.alerting.subscriptions(officerId),
      }));
      const attempts: Promise<DeliveryResult>[] = [];
      if (settings.push) for (const sub of subscriptions) attempts.push(this.deliverPush(sub, notification));
      if (this.mail && settings.emailEnabled && settings.email !== null) attempts.push(this.attempt('email', () => this.mail!.send(settings.email!, notification)));
      if (this.webhook) attempts.push(this.attempt('webhook', () => this.webhook!.send(officerId, notification)));
      const results = await Promise.all(attempts);
      await this.auditDeliveries(officerId, officer.agencyId, notification, results, actor);
      return results;
    } catch (err) {
      this.onError(err);
      return [];
    }
  }

  private deliverPush(sub: PushSubscriptionRow, n: ContentFreeNotification): Promise<DeliveryResult> {
    const send = () => this.push.send({ endpoint: sub.endpoint, keys: { p256dh: sub.p256dh, auth: sub.auth } }, n);
    return this.attempt('push', send, (outcome) => (!outcome.ok && outcome.gone ? this.dropGone(sub) : undefined));
  }

  /** Runs one transport; a throw (which the transports should not do) is a failure like any other. */
  private async attempt(transport: Transport, send: () => Promise<DeliveryOutcome>, after?: (o: DeliveryOutcome) => Promise<void> | undefined): Promise<DeliveryResult> {
    let outcome: DeliveryOutcome;
    try {
      outcome = await send();
    } catch (err) {
      this.onError(err);
      outcome = { ok: false, error: 'error' };
    }
    try {
      await after?.(outcome);
    } catch (err) {
      this.onError(err);
    }
    return outcome.ok ? { transport, ok: true } : { transport, ok: false, error: outcome.error };
  }

  /** The push service says this subscription is gone (404/410): forget it, so nothing is sent there again. */
  private async dropGone(sub: PushSubscriptionRow): Promise<void> {
    await this.store.write(async (tx) => {
      if (!(await tx.alerting.deleteSubscription(sub.id))) return;
      const officer = await this.accounts.officer(sub.officerId, tx);
      await this.audit.record(
        tx,
        auditEvents.notificationUnsubscribed(null, { type: 'officer', id: sub.officerId, agencyId: officer?.agencyId ?? null }, {
          subscriptionId: sub.id,
          endpointHost: new URL(sub.endpoint).host,
          reason: 'gone',
        }),
      );
    });
  }

  private async auditDeliveries(officerId: string, agencyId: string, n: ContentFreeNotification, results: DeliveryResult[], actor: AuditActor): Promise<void> {
    if (results.length === 0) return;
    for (const r of results) if (!r.ok) this.onDeliveryFailure({ officerId, transport: r.transport, notificationId: n.id, error: r.error ?? 'error' });
    await this.store.write(async (tx) => {
      for (const r of results) {
        await this.audit.record(
          tx,
          auditEvents.notificationDelivered(
            actor,
            { type: 'officer', id: officerId, agencyId },
            { transport: r.transport, notificationId: n.id, kind: n.kind, priority: n.priority, ...(r.ok ? {} : { error: r.error ?? 'error' }) },
            r.ok ? 'success' : 'failure',
          ),
        );
      }
    });
  }

  /** Whether an officer can be reached by push (on, with a subscription) and by e-mail (on, an address, SMTP configured). */
  async transportsOf(officerId: string): Promise<{ push: boolean; email: boolean }> {
    const { settings, subscriptions } = await this.store.read(async (r) => ({
      settings: settingsView(await r.alerting.settings(officerId)),
      subscriptions: await r.alerting.countSubscriptions(officerId),
    }));
    return { push: settings.push && subscriptions > 0, email: this.mail !== undefined && settings.emailEnabled && settings.email !== null };
  }

  /**
   * E-mails already-rendered content (render.ts: ids and numbers only) to the officer's address, if
   * e-mail is on for them and configured; null when not sent at all. Never rejects.
   */
  async mailTo(officerId: string, render: (publicUrl: string) => MailContent): Promise<DeliveryResult | null> {
    try {
      const settings = settingsView(await this.store.read((r) => r.alerting.settings(officerId)));
      if (!this.mail || !settings.emailEnabled || settings.email === null) return null;
      const mail = this.mail;
      const to = settings.email;
      return await this.attempt('email', () => mail.sendContent(to, render(mail.publicUrl)));
    } catch (err) {
      this.onError(err);
      return { transport: 'email', ok: false, error: 'error' };
    }
  }

  /** Sends a `test` notification to the caller over every transport configured for them. */
  sendTest(actor: Actor): Promise<DeliveryResult[]> {
    const n: ContentFreeNotification = { v: 1, id: newId(), kind: 'test', priority: 'normal', ackRequested: false, at: this.clock.now() };
    return this.notify(actor.officerId, n, actor);
  }

  // ---- the officer's own subscriptions and settings ----

  get vapidPublicKey(): string {
    return this.push.publicKey;
  }

  /**
   * Stores a browser's push subscription. The same endpoint again is idempotent (keys and label are
   * refreshed); an endpoint another officer registered moves to the caller (one browser, a new user).
   */
  async subscribe(actor: Actor, body: PushSubscriptionBody): Promise<{ subscription: PushSubscriptionView; created: boolean }> {
    const url = validEndpoint(body.endpoint, this.allowLoopbackPush);
    const keys = validKeys(body.keys);
    const label = body.label?.trim() || null;
    const endpoint = url.href;
    const now = this.clock.now();
    return this.store.write(async (tx) => {
      const existing = await tx.alerting.subscriptionByEndpoint(endpoint);
      if (existing && existing.officerId === actor.officerId) {
        await tx.alerting.updateSubscription(existing.id, { ...keys, label, updatedAt: now });
        return { subscription: view({ ...existing, label }), created: false };
      }
      if ((await tx.alerting.countSubscriptions(actor.officerId)) >= MAX_SUBSCRIPTIONS_PER_OFFICER) {
        throw new ConflictError(`At most ${MAX_SUBSCRIPTIONS_PER_OFFICER} push subscriptions per officer; remove one first`, 'subscription_limit');
      }
      if (existing) await tx.alerting.deleteSubscription(existing.id);
      const row: PushSubscriptionRow = { id: newId(), officerId: actor.officerId, endpoint, ...keys, label, createdAt: now, updatedAt: now };
      await tx.alerting.insertSubscription(row);
      await this.audit.record(
        tx,
        auditEvents.notificationSubscribed(actor, { type: 'officer', id: actor.officerId }, { subscriptionId: row.id, endpointHost: url.host, moved: existing !== undefined }),
      );
      return { subscription: view(row), created: true };
    });
  }

  async subscriptions(actor: Actor): Promise<PushSubscriptionView[]> {
    const rows = await this.store.read((r) => r.alerting.subscriptions(actor.officerId));
    return rows.map(view);
  }

  /** Removes one of the caller's subscriptions; another officer's id is a 404, like a missing one. */
  async unsubscribe(actor: Actor, id: string): Promise<void> {
    await this.store.write(async (tx) => {
      const row = await tx.alerting.subscription(id);
      if (!row || row.officerId !== actor.officerId) throw new NotFoundError('Subscription');
      await tx.alerting.deleteSubscription(id);
      await this.audit.record(
        tx,
        auditEvents.notificationUnsubscribed(actor, { type: 'officer', id: actor.officerId }, { subscriptionId: id, endpointHost: new URL(row.endpoint).host, reason: 'removed' }),
      );
    });
  }

  async settings(actor: Actor): Promise<NotificationSettings> {
    return settingsView(await this.store.read((r) => r.alerting.settings(actor.officerId)));
  }

  /** Replaces the caller's settings. Quiet hours are stored only: nothing delays a notification for them yet. */
  async putSettings(actor: Actor, body: NotificationSettings): Promise<NotificationSettings> {
    const s = validSettings(body);
    await this.store.write(async (tx) => {
      await tx.alerting.putSettings({
        officerId: actor.officerId,
        email: s.email,
        push: s.push,
        emailEnabled: s.emailEnabled,
        quietHours: s.quietHours === null ? null : JSON.stringify(s.quietHours),
        updatedAt: this.clock.now(),
      });
      await this.audit.record(
        tx,
        auditEvents.notificationSettingsChanged(actor, { type: 'officer', id: actor.officerId }, {
          push: s.push,
          emailEnabled: s.emailEnabled,
          emailSet: s.email !== null,
          quietHours: s.quietHours !== null,
        }),
      );
    });
    return s;
  }

  close(): void {
    this.mail?.close();
  }
}

function view(row: PushSubscriptionRow): PushSubscriptionView {
  return { id: row.id, endpointHost: new URL(row.endpoint).host, label: row.label, createdAt: row.createdAt };
}

function settingsView(row: NotificationSettingsRow | undefined): NotificationSettings {
  if (!row) return { ...DEFAULT_SETTINGS };
  return { email: row.email, push: row.push, emailEnabled: row.emailEnabled, quietHours: row.quietHours === null ? null : (JSON.parse(row.quietHours) as QuietHours) };
}
