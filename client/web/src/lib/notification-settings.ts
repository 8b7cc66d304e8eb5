import type { DeliveryResult, NotificationSettings } from '../../../../shared/schemas/notifications.ts';

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

const TRANSPORT: Record<DeliveryResult['transport'], string> = { push: 'Push', email: 'E-mail', webhook: 'Operator gateway' };

/** Why a delivery failed, in words (the server sends short reasons such as `timeout` or `status_410`). */
function reasonText(error: string | undefined): string {
  if (!error) return 'failed';
  if (error === 'timeout') return 'failed: no answer in time';
  if (/^status_(404|410)$/.test(error)) return 'failed: this subscription no longer exists and was removed';
  if (/^status_\d{3}$/.test(error)) return `failed: the service answered ${error.slice(7)}`;
  if (error === 'invalid_subscription') return 'failed: the subscription is not valid';
  return `failed (${error})`;
}

/** One line per attempt: "Push: delivered", "E-mail: failed: no answer in time". */
export function deliveryText(r: DeliveryResult): string {
  return `${TRANSPORT[r.transport]}: ${r.ok ? 'delivered' : reasonText(r.error)}`;
}
