import { PASSWORD_MIN_SCORE, passphraseReusesPassword } from '../../../../shared/passwords/rules.ts';
import { fixedT } from '../i18n/i18n.ts';

export { feedbackText } from '../../../../shared/passwords/rules.ts';

export const MIN_PASSWORD_CHARS = 12;
export const MIN_PASSPHRASE_CHARS = 12;

export interface Strength {
  /** zxcvbn score 0–4. */
  score: number;
  warning: string | null;
  suggestions: string[];
  /** Why the server would refuse the password (shared/passwords/strength.ts), null if it accepts it. */
  problem?: string | null;
}

/**
 * What the meter says: the server's own rule (assessPassword) decides, so it never reads "strong"
 * for a password the server refuses. Below the minimum length it always reads "too short".
 */
export function strengthLabel(s: Strength, password: string): { label: string; level: 'bad' | 'weak' | 'ok' | 'good' } {
  const t = fixedT('password-strength');
  if ([...password].length < MIN_PASSWORD_CHARS) return { label: t('tooShort', { count: MIN_PASSWORD_CHARS }), level: 'bad' };
  if (s.problem || s.score < PASSWORD_MIN_SCORE) return { label: t('tooEasy'), level: s.score <= 1 ? 'bad' : 'weak' };
  if (s.score === PASSWORD_MIN_SCORE) return { label: t('strong'), level: 'good' };
  return { label: t('veryStrong'), level: 'good' };
}

/** Local checks before the server's (which also refuses breached passwords). */
export function passwordProblem(password: string, confirm: string, username: string): string | null {
  const t = fixedT('password-strength');
  if ([...password].length < MIN_PASSWORD_CHARS) return t('useAtLeast', { count: MIN_PASSWORD_CHARS });
  if (username && password.toLowerCase().includes(username.toLowerCase())) return t('containsUsername');
  if (password !== confirm) return t('passwordsDiffer');
  return null;
}

/** `password`: the sign-in password; the server sees it, so the passphrase must not equal or contain it. */
export function passphraseProblem(passphrase: string, confirm: string, password?: string): string | null {
  const t = fixedT('password-strength');
  if ([...passphrase].length < MIN_PASSPHRASE_CHARS) return t('useAtLeast', { count: MIN_PASSPHRASE_CHARS });
  const reuse = password ? passphraseReusesPassword(passphrase, password) : null;
  if (reuse) return reuse;
  if (passphrase !== confirm) return t('passphrasesDiffer');
  return null;
}
