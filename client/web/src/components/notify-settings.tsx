import { useState } from 'preact/hooks';
import { useT } from '../i18n/i18n.ts';
import { notifySettings } from '../lib/desktop-notify.ts';

/** Per-device switches: desktop notifications (content-free) and the optional sound, both off by default. */
export function NotifySettings() {
  const t = useT('sync');
  const [desktop, setDesktop] = useState(notifySettings.desktop());
  const [sound, setSound] = useState(notifySettings.sound());
  const [blocked, setBlocked] = useState(typeof Notification !== 'undefined' && Notification.permission === 'denied');
  return (
    <fieldset class="notify-settings" data-testid="notify-settings">
      <legend>{t('settingsHeading')}</legend>
      <label>
        <input
          type="checkbox"
          checked={desktop}
          disabled={blocked}
          onChange={async (e) => {
            const permission = await notifySettings.setDesktop(e.currentTarget.checked);
            setBlocked(permission === 'denied');
            setDesktop(notifySettings.desktop());
          }}
        />{' '}
        {t('desktopLabel')}
      </label>
      {blocked && <p class="hint">{t('desktopBlocked')}</p>}
      <label>
        <input
          type="checkbox"
          checked={sound}
          onChange={(e) => {
            notifySettings.setSound(e.currentTarget.checked);
            setSound(notifySettings.sound());
          }}
        />{' '}
        {t('soundLabel')}
      </label>
    </fieldset>
  );
}
