import { asc, count, eq, sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { notificationSettings, pushSubscriptions } from './schema.ts';
import type { AlertingRepository, NotificationSettingsRow, PushSubscriptionRow } from '../../alerting/repository.ts';

/** SQL for push subscriptions and notification settings; the per-delivery reads are prepared once. */
export class SqliteAlertingRepository implements AlertingRepository {
  private readonly q;

  constructor(private readonly db: Db) {
    this.q = {
      subscriptionsOf: db
        .select()
        .from(pushSubscriptions)
        .where(eq(pushSubscriptions.officerId, sql.placeholder('officerId')))
        .orderBy(asc(pushSubscriptions.createdAt), asc(pushSubscriptions.id))
        .prepare(),
      settingsOf: db.select().from(notificationSettings).where(eq(notificationSettings.officerId, sql.placeholder('officerId'))).prepare(),
    };
  }

  async subscriptions(officerId: string): Promise<PushSubscriptionRow[]> {
    return this.q.subscriptionsOf.all({ officerId });
  }

  async subscriptionByEndpoint(endpoint: string): Promise<PushSubscriptionRow | undefined> {
    return this.db.select().from(pushSubscriptions).where(eq(pushSubscriptions.endpoint, endpoint)).get();
  }

  async subscription(id: string): Promise<PushSubscriptionRow | undefined> {
    return this.db.select().from(pushSubscriptions).where(eq(pushSubscriptions.id, id)).get();
  }

  async countSubscriptions(officerId: string): Promise<number> {
    return this.db.select({ n: count() }).from(pushSubscriptions).where(eq(pushSubscriptions.officerId, officerId)).get()?.n ?? 0;
  }

  async insertSubscription(row: PushSubscriptionRow): Promise<void> {
    this.db.insert(pushSubscriptions).values(row).run();
  }

  async updateSubscription(id: string, patch: Pick<PushSubscriptionRow, 'p256dh' | 'auth' | 'label' | 'updatedAt'>): Promise<void> {
    this.db.update(pushSubscriptions).set(patch).where(eq(pushSubscriptions.id, id)).run();
  }

  async deleteSubscription(id: string): Promise<boolean> {
    return this.db.delete(pushSubscriptions).where(eq(pushSubscriptions.id, id)).run().changes > 0;
  }

  async settings(officerId: string): Promise<NotificationSettingsRow | undefined> {
    return this.q.settingsOf.get({ officerId });
  }

  async putSettings(row: NotificationSettingsRow): Promise<void> {
    const { officerId: _id, ...patch } = row;
    this.db.insert(notificationSettings).values(row).onConflictDoUpdate({ target: notificationSettings.officerId, set: patch }).run();
  }
}
