import { useEffect, useState } from 'preact/hooks';
import type { PasswordOwner } from '../../../../shared/passwords/rules.ts';
import { useT } from '../i18n/i18n.ts';
import { strengthLabel, type Strength } from '../lib/password.ts';

let checker: Promise<(pw: string, owner: PasswordOwner) => Strength> | null = null;

/** The server's own password rule (zxcvbn-ts and its dictionaries), loaded on first use (its own chunk). */
function loadChecker() {
  checker ??= import('../../../../shared/passwords/strength.ts').then((m) => m.assessPassword);
  return checker;
}

/** `owner`: the same username, name and agency the server judges the password against. */
export function PasswordStrength({ password, owner }: { password: string; owner: PasswordOwner }) {
  const [s, setS] = useState<Strength | null>(null);
  const t = useT('password-strength');
  const ownerKey = [owner.username, owner.displayName ?? '', owner.agencyName ?? ''].join('\u0000');
  useEffect(() => {
    let live = true;
    if (!password) {
      setS(null);
      return;
    }
    void loadChecker().then((check) => live && setS(check(password, owner)));
    return () => {
      live = false;
    };
  }, [password, ownerKey]);
  if (!password || !s) return <div class="strength" aria-live="polite" />;
  const { label, level } = strengthLabel(s, password);
  const note = s.problem ?? s.warning ?? s.suggestions[0] ?? null;
  return (
    <div class="strength" aria-live="polite" data-level={level}>
      {/* Not <meter>: browsers paint it green whatever the value. The bar's colour follows the level the server's
          rule gives (never green for a password it refuses), its length the zxcvbn score; the label says it in words. */}
      <div class="strength-bar" role="meter" aria-label={t('meter')} aria-valuemin={0} aria-valuemax={4} aria-valuenow={s.score} aria-valuetext={label}>
        <span style={{ width: `${((s.score + 1) / 5) * 100}%` }} />
      </div>
      <span>
        {t('strength')} <strong>{label}</strong>
      </span>
      {note && <small>{note}</small>}
    </div>
  );
}
