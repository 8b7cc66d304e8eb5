import { fixedT } from '../i18n/i18n.ts';

/**
 * Desktop notifications and the optional sound for new messages while the tab is hidden (docs/WEB.md
 * "Notifications"). Content-free by design: the notification says "New message in <channel title>" and never
 * carries message text, whatever the handling code (a TLP:RED or H3 text must not appear on a lock screen or in
 * the operating system's notification history). Both settings are per device, off until the officer turns them on.
 */
const DESKTOP_KEY = 'liaison.notify.desktop';
const SOUND_KEY = 'liaison.notify.sound';

function flag(key: string): boolean {
  try {
    return globalThis.localStorage?.getItem(key) === '1';
  } catch {
    return false;
  }
}

function setFlag(key: string, on: boolean): void {
  try {
    if (on) globalThis.localStorage?.setItem(key, '1');
    else globalThis.localStorage?.removeItem(key);
  } catch {
    // Storage disabled: the setting lasts for this page only.
  }
}

export const notifySettings = {
  desktop: () => flag(DESKTOP_KEY) && typeof Notification !== 'undefined' && Notification.permission === 'granted',
  sound: () => flag(SOUND_KEY),
  setSound: (on: boolean) => setFlag(SOUND_KEY, on),
  /** Turning desktop notifications on asks the browser's permission (from the click). */
  async setDesktop(on: boolean): Promise<NotificationPermission | 'unsupported'> {
    if (typeof Notification === 'undefined') return 'unsupported';
    const permission = on && Notification.permission === 'default' ? await Notification.requestPermission() : Notification.permission;
    setFlag(DESKTOP_KEY, on && permission === 'granted');
    return permission;
  },
};

/** The notification's text: the channel title only, and whether the message mentions me (§9.3 **Mentions**). */
export function notificationBody(channelTitle: string | null, mentioned = false): string {
  const t = fixedT('sync');
  if (mentioned) return channelTitle ? t('notifyMention', { channel: channelTitle }) : t('notifyMentionUntitled');
  return channelTitle ? t('notifyBody', { channel: channelTitle }) : t('notifyBodyUntitled');
}

function beep(): void {
  try {
    const ctx = new AudioContext();
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    gain.gain.value = 0.05;
    osc.frequency.value = 880;
    osc.connect(gain).connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + 0.15);
    osc.onended = () => void ctx.close();
  } catch {
    // No audio output: the notification (if on) still shows.
  }
}

/** A new message from someone else arrived while the tab is hidden (`mentioned`: it names me in its `mentions`). */
export function notifyNewMessage(channelId: string, channelTitle: string | null, mentioned = false): void {
  if (typeof document === 'undefined' || document.visibilityState !== 'hidden') return;
  if (notifySettings.sound()) beep();
  if (!notifySettings.desktop()) return;
  const n = new Notification(fixedT('sync')('notifyTitle'), { body: notificationBody(channelTitle, mentioned), tag: `liaison-${channelId}` });
  n.onclick = () => {
    globalThis.focus();
    location.hash = `#/channels/${channelId}`;
    n.close();
  };
}
