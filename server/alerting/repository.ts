/** Storage port for push subscriptions and notification settings. SQL lives in server/store/sqlite/alerting-repository.ts. */
export interface PushSubscriptionRow {
  id: string;
  officerId: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  label: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface NotificationSettingsRow {
  officerId: string;
  email: string | null;
  push: boolean;
  emailEnabled: boolean;
  /** JSON QuietHours or null. */
  quietHours: string | null;
  updatedAt: number;
}

export interface AlertingRepository {
  /** The officer's subscriptions, oldest first. */
  subscriptions(officerId: string): Promise<PushSubscriptionRow[]>;
  subscriptionByEndpoint(endpoint: string): Promise<PushSubscriptionRow | undefined>;
  subscription(id: string): Promise<PushSubscriptionRow | undefined>;
  countSubscriptions(officerId: string): Promise<number>;
  insertSubscription(row: PushSubscriptionRow): Promise<void>;
  updateSubscription(id: string, patch: Pick<PushSubscriptionRow, 'p256dh' | 'auth' | 'label' | 'updatedAt'>): Promise<void>;
  /** True when a row was deleted. */
  deleteSubscription(id: string): Promise<boolean>;
  settings(officerId: string): Promise<NotificationSettingsRow | undefined>;
  putSettings(row: NotificationSettingsRow): Promise<void>;
}
