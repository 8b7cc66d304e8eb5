import type { DeliveryResult, NotificationSettings } from '../../../../shared/schemas/notifications.ts';
import { fixedT } from '../i18n/i18n.ts';

/** The notification settings form's fields (pure helpers; unit-tested). */
export interface SettingsForm {
  push: boolean;
  email: string;
  emailEnabled: boolean;
  quiet: boolean;
  quietStart: string;
  quietEnd: string;
  quietZone: string;
}

/** The form → the API body: an empty address is null; quiet hours only when kept. */
export function settingsFromForm(f: SettingsForm): NotificationSettings {
  const email = f.email.trim();
  return {
    push: f.push,
    email: email === '' ? null : email,
    emailEnabled: f.emailEnabled,
    quietHours: f.quiet ? { start: f.quietStart.slice(0, 5), end: f.quietEnd.slice(0, 5), timeZone: f.quietZone } : null,
  };
}

/** The `notifications` namespace's key for each transport. */
const TRANSPORT: Record<DeliveryResult['transport'], string> = { push: 'transportPush', email: 'transportEmail', webhook: 'transportWebhook' };

/** Why a delivery failed, in words (the server sends short reasons such as `timeout` or `status_410`). */
function reasonText(error: string | undefined): string {
  const t = fixedT('notifications');
  if (!error) return t('failed');
  if (error === 'timeout') return t('failedTimeout');
  if (/^status_(404|410)$/.test(error)) return t('failedGone');
  if (/^status_\d{3}$/.test(error)) return t('failedStatus', { status: error.slice(7) });
  if (error === 'invalid_subscription') return t('failedInvalid');
  return t('failedOther', { error });
}

/** One line per attempt: "Push: delivered", "E-mail: failed: no answer in time". */
export function deliveryText(r: DeliveryResult): string {
  const t = fixedT('notifications');
  return t('deliveryLine', { transport: t(TRANSPORT[r.transport]), result: r.ok ? t('delivered') : reasonText(r.error) });
}
