import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { DeliveryResult, NotificationSettings, PushSubscriptionView } from '../../../../shared/schemas/notifications.ts';
import { useChat } from '../app-context.ts';
import { ErrorBox, useAction, TableWrap } from '../components/form.tsx';
import { deviceName } from '../lib/device-name.ts';
import { useT } from '../i18n/i18n.ts';
import { formatDateTime } from '../lib/format.ts';
import { browserPushSupport, currentSubscription, subscribeThisBrowser, subscriptionBody } from '../lib/push.ts';
import { deliveryText, settingsFromForm, type SettingsForm } from '../lib/notification-settings.ts';
import { browserTimeZone, supportedTimeZones, timeZoneOptions } from '../lib/zones.ts';

/** Where this browser remembers the server id of its own subscription (an id, not a secret). */
const storageKey = (officerId: string) => `liaison:push-subscription:${officerId}`;

type PushState =
  | { kind: 'checking' }
  | { kind: 'insecure' | 'unsupported' }
  | { kind: 'denied' }
  | { kind: 'off' }
  | { kind: 'on'; subscriptionId: string | null };

/** The `notifications` namespace's key for each push state. */
const PUSH_STATE_KEY: Record<PushState['kind'], string> = {
  checking: 'pushChecking',
  insecure: 'pushInsecure',
  unsupported: 'pushUnsupported',
  denied: 'pushDenied',
  off: 'pushOff',
  on: 'pushOn',
};

/**
 * Account → Notifications: push on this browser (permission, subscription, the server's copy),
 * the officer's subscribed browsers, e-mail, quiet hours, and a test notification with per-transport
 * results. Every notification is content-free: ids and "acknowledgement requested", never content.
 */
export function NotificationSettingsScreen() {
  const chat = useChat();
  const officerId = chat.me.officer.id;
  const [push, setPush] = useState<PushState>({ kind: 'checking' });
  const [subs, setSubs] = useState<PushSubscriptionView[] | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const statusRef = useRef<HTMLDivElement>(null);
  const t = useT('notifications');

  const say = (text: string) => {
    setStatus(text);
    // Focus follows the outcome, so keyboard and screen-reader users hear it where they are.
    setTimeout(() => statusRef.current?.focus(), 0);
  };

  const [loadSubs, , subsError] = useAction(async () => {
    setSubs(await chat.api.pushSubscriptions());
  });

  const checkPush = async () => {
    const support = browserPushSupport();
    if (support !== 'supported') return setPush({ kind: support });
    if (Notification.permission === 'denied') return setPush({ kind: 'denied' });
    const sub = await currentSubscription().catch(() => null);
    setPush(sub ? { kind: 'on', subscriptionId: localStorage.getItem(storageKey(officerId)) } : { kind: 'off' });
  };

  useEffect(() => {
    void loadSubs();
    void checkPush();
  }, []);

  const [enable, enabling, enableError] = useAction(async () => {
    setStatus(null);
    try {
      const sub = await subscribeThisBrowser(() => chat.api.vapidPublicKey());
      const saved = await chat.api.addPushSubscription(subscriptionBody(sub, deviceName(navigator.userAgent)));
      localStorage.setItem(storageKey(officerId), saved.id);
      setPush({ kind: 'on', subscriptionId: saved.id });
      say(t('pushOn'));
    } finally {
      await checkPush();
      await loadSubs();
    }
  });

  const [disable, disabling, disableError] = useAction(async () => {
    setStatus(null);
    const sub = await currentSubscription();
    let id = localStorage.getItem(storageKey(officerId));
    // Not remembered here (another sign-in on this browser): registering again is idempotent and returns the id.
    if (!id && sub) id = (await chat.api.addPushSubscription(subscriptionBody(sub, deviceName(navigator.userAgent)))).id;
    if (id) await chat.api.removePushSubscription(id).catch((err: unknown) => (isNotFound(err) ? undefined : Promise.reject(err)));
    await sub?.unsubscribe();
    localStorage.removeItem(storageKey(officerId));
    await checkPush();
    await loadSubs();
    say(t('pushOff'));
  });

  const [remove, removing, removeError] = useAction(async (s: PushSubscriptionView) => {
    setStatus(null);
    await chat.api.removePushSubscription(s.id);
    if (push.kind === 'on' && push.subscriptionId === s.id) {
      // It was this browser's: stop the browser's subscription too.
      await (await currentSubscription())?.unsubscribe();
      localStorage.removeItem(storageKey(officerId));
      await checkPush();
    }
    await loadSubs();
    say(t('removed', { name: s.label ?? s.endpointHost }));
  });

  const pushError = enableError ?? disableError;
  return (
    <section class="card" aria-labelledby="notifications-title">
      <h1 id="notifications-title">{t('title')}</h1>
      <p class="hint">{t('intro')}</p>
      <div role="status" aria-live="polite" tabIndex={-1} ref={statusRef} data-testid="notifications-status">
        {status && <p class="notice notice-ok">{status}</p>}
      </div>

      <section aria-labelledby="push-title">
        <h2 id="push-title">{t('pushTitle')}</h2>
        <p data-testid="push-state">{t(PUSH_STATE_KEY[push.kind])}</p>
        {push.kind === 'off' && (
          <button type="button" disabled={enabling} onClick={() => void enable()}>
            {enabling ? t('turningOn') : t('turnOn')}
          </button>
        )}
        {push.kind === 'on' && (
          <button type="button" class="secondary" disabled={disabling} onClick={() => void disable()}>
            {disabling ? t('turningOff') : t('turnOff')}
          </button>
        )}
        <ErrorBox error={pushError} />
      </section>

      <section aria-labelledby="subs-title">
        <h2 id="subs-title">{t('subsTitle')}</h2>
        <ErrorBox error={subsError ?? removeError} />
        {subs && subs.length === 0 && <p>{t('noSubs')}</p>}
        {subs && subs.length > 0 && (
          <TableWrap label={t('subsTitle')}>
            <table data-testid="push-subscriptions">
              <caption class="sr-only">{t('subsCaption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('colBrowser')}</th>
                  <th scope="col">{t('colService')}</th>
                  <th scope="col">{t('colSince')}</th>
                  <th scope="col">{t('colActions')}</th>
                </tr>
              </thead>
              <tbody>
                {subs.map((s) => {
                  const name = s.label ?? t('browser');
                  const here = push.kind === 'on' && push.subscriptionId === s.id;
                  return (
                    <tr key={s.id}>
                      <th scope="row">
                        {name}
                        {here && <strong> {t('thisBrowser')}</strong>}
                      </th>
                      <td>{s.endpointHost}</td>
                      <td>{formatDateTime(s.createdAt)}</td>
                      <td>
                        <button type="button" class="secondary" disabled={removing} aria-label={t(here ? 'removeThisLabel' : 'removeLabel', { name, added: formatDateTime(s.createdAt) })} onClick={() => void remove(s)}>
                          {t('remove')}
                        </button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </TableWrap>
        )}
      </section>

      <SettingsForm onSaved={() => say(t('saved'))} />
      <TestNotification />
    </section>
  );
}

function isNotFound(err: unknown): boolean {
  return !!err && typeof err === 'object' && (err as { code?: unknown }).code === 'not_found';
}

function SettingsForm({ onSaved }: { onSaved: () => void }) {
  const chat = useChat();
  const zone = browserTimeZone();
  const t = useT('notifications');
  const [form, setForm] = useState<SettingsForm | null>(null);
  const [load, , loadError] = useAction(async () => {
    const s = await chat.api.notificationSettings();
    setForm(formOf(s, zone));
  });
  const [save, saving, saveError] = useAction(async () => {
    if (!form) return;
    setForm(formOf(await chat.api.saveNotificationSettings(settingsFromForm(form)), zone));
    onSaved();
  });
  useEffect(() => void load(), []);
  const zones = useMemo(() => timeZoneOptions(supportedTimeZones(), zone, form?.quietZone), [zone, form?.quietZone]);
  if (!form) return <ErrorBox error={loadError} />;
  const set = (patch: Partial<SettingsForm>) => setForm({ ...form, ...patch });
  return (
    <form
      aria-labelledby="delivery-title"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h2 id="delivery-title">{t('deliveryTitle')}</h2>
      <label class="check">
        <input type="checkbox" checked={form.push} onChange={(e) => set({ push: e.currentTarget.checked })} />
        {t('sendPush')}
      </label>
      <div class="field">
        <label class="field-label" for="notify-email">
          {t('emailLabel')}
        </label>
        <input id="notify-email" name="notify-email" type="email" autocomplete="email" value={form.email} onInput={(e) => set({ email: e.currentTarget.value })} aria-describedby="notify-email-hint" />
        <small id="notify-email-hint" class="hint">
          {t('emailHint')}
        </small>
      </div>
      <label class="check">
        <input type="checkbox" checked={form.emailEnabled} onChange={(e) => set({ emailEnabled: e.currentTarget.checked })} />
        {t('sendEmail')}
      </label>
      <fieldset>
        <legend>{t('quietHours')}</legend>
        <label class="check">
          <input type="checkbox" checked={form.quiet} onChange={(e) => set({ quiet: e.currentTarget.checked })} />
          {t('keepQuiet')}
        </label>
        <p class="hint">{t('quietHint')}</p>
        {form.quiet && (
          <div class="inline-form">
            <div class="field">
              <label class="field-label" for="quiet-start">
                {t('from')}
              </label>
              <input id="quiet-start" type="time" required value={form.quietStart} onInput={(e) => set({ quietStart: e.currentTarget.value })} />
            </div>
            <div class="field">
              <label class="field-label" for="quiet-end">
                {t('until')}
              </label>
              <input id="quiet-end" type="time" required value={form.quietEnd} onInput={(e) => set({ quietEnd: e.currentTarget.value })} />
            </div>
            <div class="field">
              <label class="field-label" for="quiet-zone">
                {t('timeZone')}
              </label>
              <select id="quiet-zone" value={form.quietZone} onChange={(e) => set({ quietZone: e.currentTarget.value })}>
                {zones.map((z) => (
                  <option key={z} value={z}>
                    {z}
                    {z === zone ? ` ${t('thisBrowser')}` : ''}
                  </option>
                ))}
              </select>
            </div>
          </div>
        )}
      </fieldset>
      <ErrorBox error={saveError} />
      <button type="submit" disabled={saving}>
        {saving ? t('saving') : t('save')}
      </button>
    </form>
  );
}

function formOf(s: NotificationSettings, zone: string): SettingsForm {
  return {
    push: s.push,
    email: s.email ?? '',
    emailEnabled: s.emailEnabled,
    quiet: s.quietHours !== null,
    quietStart: s.quietHours?.start ?? '22:00',
    quietEnd: s.quietHours?.end ?? '07:00',
    quietZone: s.quietHours?.timeZone ?? zone,
  };
}

function TestNotification() {
  const chat = useChat();
  const [results, setResults] = useState<DeliveryResult[] | null>(null);
  const t = useT('notifications');
  const [send, sending, error] = useAction(async () => {
    setResults(null);
    setResults(await chat.api.testNotification());
  });
  return (
    <section aria-labelledby="test-title">
      <h2 id="test-title">{t('testTitle')}</h2>
      <p class="hint">{t('testHint')}</p>
      <button type="button" class="secondary" disabled={sending} onClick={() => void send()}>
        {sending ? t('sending') : t('sendTest')}
      </button>
      <ErrorBox error={error} />
      <div role="status" aria-live="polite" data-testid="test-results">
        {results && results.length === 0 && <p class="notice notice-warn">{t('nothingSent')}</p>}
        {results && results.length > 0 && (
          <ul>
            {results.map((r, i) => (
              <li key={i} class={r.ok ? 'status status-active' : 'status status-terminated'}>
                {deliveryText(r)}
              </li>
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}
