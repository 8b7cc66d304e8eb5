import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { DeliveryResult, NotificationSettings, PushSubscriptionView } from '../../../../shared/schemas/notifications.ts';
import { useChat } from '../app-context.ts';
import { ErrorBox, useAction } from '../components/form.tsx';
import { deviceName } from '../lib/device-name.ts';
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

const PUSH_STATE_TEXT: Record<PushState['kind'], string> = {
  checking: 'Checking this browser…',
  insecure: 'Push notifications need a secure (https) connection to Liaison.',
  unsupported: 'This browser cannot receive push notifications. Use e-mail notifications instead.',
  denied: 'Notifications are blocked for this site in this browser. Allow them in the browser’s site settings to turn push on.',
  off: 'Push notifications are off on this browser.',
  on: 'Push notifications are on for this browser.',
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
      say('Push notifications are on for this browser.');
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
    say('Push notifications are off on this browser.');
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
    say(`Removed ${s.label ?? s.endpointHost}. It no longer receives notifications.`);
  });

  const pushError = enableError ?? disableError;
  return (
    <section class="card" aria-labelledby="notifications-title">
      <h1 id="notifications-title">Notifications</h1>
      <p class="hint">
        Liaison notifies you when something waits for you, for example an urgent request to your desk. A notification never contains the message or any case
        detail: open Liaison to read it.
      </p>
      <div role="status" aria-live="polite" tabIndex={-1} ref={statusRef} data-testid="notifications-status">
        {status && <p class="notice notice-ok">{status}</p>}
      </div>

      <section aria-labelledby="push-title">
        <h2 id="push-title">Push notifications on this browser</h2>
        <p data-testid="push-state">{PUSH_STATE_TEXT[push.kind]}</p>
        {push.kind === 'off' && (
          <button type="button" disabled={enabling} onClick={() => void enable()}>
            {enabling ? 'Turning on…' : 'Turn on push notifications'}
          </button>
        )}
        {push.kind === 'on' && (
          <button type="button" class="secondary" disabled={disabling} onClick={() => void disable()}>
            {disabling ? 'Turning off…' : 'Turn off push on this browser'}
          </button>
        )}
        <ErrorBox error={pushError} />
      </section>

      <section aria-labelledby="subs-title">
        <h2 id="subs-title">Browsers that receive your notifications</h2>
        <ErrorBox error={subsError ?? removeError} />
        {subs && subs.length === 0 && <p>No browser receives push notifications for you yet.</p>}
        {subs && subs.length > 0 && (
          <div class="table-wrap">
            <table data-testid="push-subscriptions">
              <caption class="sr-only">Your browsers subscribed to push notifications</caption>
              <thead>
                <tr>
                  <th scope="col">Browser</th>
                  <th scope="col">Push service</th>
                  <th scope="col">Since</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {subs.map((s) => {
                  const name = s.label ?? 'Browser';
                  const here = push.kind === 'on' && push.subscriptionId === s.id;
                  return (
                    <tr key={s.id}>
                      <th scope="row">
                        {name}
                        {here && <strong> (this browser)</strong>}
                      </th>
                      <td>{s.endpointHost}</td>
                      <td>{formatDateTime(s.createdAt)}</td>
                      <td>
                        <button type="button" class="secondary" disabled={removing} aria-label={`Remove ${name}${here ? ' (this browser)' : ''}, added ${formatDateTime(s.createdAt)}`} onClick={() => void remove(s)}>
                          Remove
                        </button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <SettingsForm onSaved={() => say('Notification settings saved.')} />
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
      <h2 id="delivery-title">Delivery</h2>
      <label class="check">
        <input type="checkbox" checked={form.push} onChange={(e) => set({ push: e.currentTarget.checked })} />
        Send push notifications to my subscribed browsers
      </label>
      <div class="field">
        <label class="field-label" for="notify-email">
          E-mail address for notifications
        </label>
        <input id="notify-email" name="notify-email" type="email" autocomplete="email" value={form.email} onInput={(e) => set({ email: e.currentTarget.value })} aria-describedby="notify-email-hint" />
        <small id="notify-email-hint" class="hint">
          The e-mail says only that something waits for you, with a link. It needs e-mail delivery to be set up on the server.
        </small>
      </div>
      <label class="check">
        <input type="checkbox" checked={form.emailEnabled} onChange={(e) => set({ emailEnabled: e.currentTarget.checked })} />
        Send notifications by e-mail
      </label>
      <fieldset>
        <legend>Quiet hours</legend>
        <label class="check">
          <input type="checkbox" checked={form.quiet} onChange={(e) => set({ quiet: e.currentTarget.checked })} />
          Keep quiet hours
        </label>
        <p class="hint">Urgent pages reach you even during quiet hours.</p>
        {form.quiet && (
          <div class="inline-form">
            <div class="field">
              <label class="field-label" for="quiet-start">
                From
              </label>
              <input id="quiet-start" type="time" required value={form.quietStart} onInput={(e) => set({ quietStart: e.currentTarget.value })} />
            </div>
            <div class="field">
              <label class="field-label" for="quiet-end">
                Until
              </label>
              <input id="quiet-end" type="time" required value={form.quietEnd} onInput={(e) => set({ quietEnd: e.currentTarget.value })} />
            </div>
            <div class="field">
              <label class="field-label" for="quiet-zone">
                Time zone
              </label>
              <select id="quiet-zone" value={form.quietZone} onChange={(e) => set({ quietZone: e.currentTarget.value })}>
                {zones.map((z) => (
                  <option key={z} value={z}>
                    {z}
                    {z === zone ? ' (this browser)' : ''}
                  </option>
                ))}
              </select>
            </div>
          </div>
        )}
      </fieldset>
      <ErrorBox error={saveError} />
      <button type="submit" disabled={saving}>
        {saving ? 'Saving…' : 'Save notification settings'}
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
  const [send, sending, error] = useAction(async () => {
    setResults(null);
    setResults(await chat.api.testNotification());
  });
  return (
    <section aria-labelledby="test-title">
      <h2 id="test-title">Test</h2>
      <p class="hint">Sends a test notification to you over every transport that is on. It contains no content.</p>
      <button type="button" class="secondary" disabled={sending} onClick={() => void send()}>
        {sending ? 'Sending…' : 'Send a test notification'}
      </button>
      <ErrorBox error={error} />
      <div role="status" aria-live="polite" data-testid="test-results">
        {results && results.length === 0 && <p class="notice notice-warn">Nothing was sent: turn on push on a browser, or e-mail, first.</p>}
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
