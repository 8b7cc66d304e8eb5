import type { AlertingRepository, NotificationSettingsRow, PushSubscriptionRow } from '../../alerting/repository.ts';
import type { PgExecutor } from './executor.ts';
import { insertSql, num, selectList, setList, type TableMap } from './row-mapping.ts';

const SUBSCRIPTIONS: TableMap<PushSubscriptionRow> = {
  table: 'push_subscriptions',
  columns: {
    id: 'id',
    officerId: 'officer_id',
    endpoint: 'endpoint',
    p256dh: 'p256dh',
    auth: 'auth',
    label: 'label',
    createdAt: 'created_at',
    updatedAt: 'updated_at',
  },
};

const SETTINGS: TableMap<NotificationSettingsRow> = {
  table: 'notification_settings',
  columns: {
    officerId: 'officer_id',
    email: 'email',
    push: 'push',
    emailEnabled: 'email_enabled',
    quietHours: 'quiet_hours',
    updatedAt: 'updated_at',
  },
  booleans: ['push', 'emailEnabled'],
};

const SUBSCRIPTION_COLUMNS = selectList(SUBSCRIPTIONS);

/** PostgreSQL SQL for push subscriptions and notification settings (mirrors SqliteAlertingRepository). */
export class PgAlertingRepository implements AlertingRepository {
  constructor(private readonly q: PgExecutor) {}

  async subscriptions(officerId: string): Promise<PushSubscriptionRow[]> {
    const r = await this.q.query<PushSubscriptionRow>(
      `SELECT ${SUBSCRIPTION_COLUMNS} FROM push_subscriptions WHERE officer_id = $1 ORDER BY created_at, id COLLATE "C"`,
      [officerId],
    );
    return r.rows;
  }

  async subscriptionByEndpoint(endpoint: string): Promise<PushSubscriptionRow | undefined> {
    const r = await this.q.query<PushSubscriptionRow>(`SELECT ${SUBSCRIPTION_COLUMNS} FROM push_subscriptions WHERE endpoint = $1`, [endpoint]);
    return r.rows[0];
  }

  async subscription(id: string): Promise<PushSubscriptionRow | undefined> {
    const r = await this.q.query<PushSubscriptionRow>(`SELECT ${SUBSCRIPTION_COLUMNS} FROM push_subscriptions WHERE id = $1`, [id]);
    return r.rows[0];
  }

  async countSubscriptions(officerId: string): Promise<number> {
    const r = await this.q.query<{ n: string | number }>('SELECT count(*) AS n FROM push_subscriptions WHERE officer_id = $1', [officerId]);
    return num(r.rows[0]?.n ?? 0);
  }

  async insertSubscription(row: PushSubscriptionRow): Promise<void> {
    const { text, params } = insertSql(SUBSCRIPTIONS, row);
    await this.q.query(text, params);
  }

  async updateSubscription(id: string, patch: Pick<PushSubscriptionRow, 'p256dh' | 'auth' | 'label' | 'updatedAt'>): Promise<void> {
    const params: unknown[] = [id];
    await this.q.query(`UPDATE push_subscriptions SET ${setList(SUBSCRIPTIONS, patch, params)} WHERE id = $1`, params);
  }

  async deleteSubscription(id: string): Promise<boolean> {
    const r = await this.q.query('DELETE FROM push_subscriptions WHERE id = $1', [id]);
    return (r.rowCount ?? 0) > 0;
  }

  async settings(officerId: string): Promise<NotificationSettingsRow | undefined> {
    const r = await this.q.query<NotificationSettingsRow>(`SELECT ${selectList(SETTINGS)} FROM notification_settings WHERE officer_id = $1`, [officerId]);
    return r.rows[0];
  }

  async putSettings(row: NotificationSettingsRow): Promise<void> {
    const { officerId: _id, ...patch } = row;
    const { text, params } = insertSql(SETTINGS, row);
    await this.q.query(`${text} ON CONFLICT (officer_id) DO UPDATE SET ${setList(SETTINGS, patch, params)}`, params);
  }
}
