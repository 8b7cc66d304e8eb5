/**
 * Password and passphrase rules shared by the server, the SDK and the web app, without the
 * strength estimator (strength.ts), so clients can import them without loading zxcvbn's dictionaries.
 */

/** Lowest zxcvbn score (0–4) accepted for a sign-in password: 3 = "safely unguessable" online. */
export const PASSWORD_MIN_SCORE = 3;
/**
 * zxcvbn's cost grows steeply with length (keyboard patterns: ~50 ms at 100 characters, ~0.5 s at 256 on
 * a busy 2-core host), so longer passwords are judged on their first 100 characters.
 */
export const STRENGTH_INPUT_MAX_CHARS = 100;

/** Who the password belongs to: words an attacker who targets this officer would try first. */
export interface PasswordOwner {
  username: string;
  displayName?: string;
  agencyName?: string;
}

/** The context words for the estimator: the whole fields and their words, plus the product name. */
export function passwordContext(owner: PasswordOwner): string[] {
  const fields = [owner.username, owner.displayName ?? '', owner.agencyName ?? ''].map((f) => f.trim().toLowerCase()).filter(Boolean);
  const words = fields.flatMap((f) => f.split(/[^\p{L}\p{N}]+/u)).filter((w) => w.length >= 3);
  return [...new Set([...fields, ...words, 'liaison'])];
}

/**
 * Null when the key-backup passphrase is independent of the sign-in password. The server sees the
 * password at every sign-in, so a passphrase equal to it, or containing it, or contained in it
 * (ignoring case and surrounding spaces) would let the server open the sealed key backup.
 */
export function passphraseReusesPassword(passphrase: string, password: string): string | null {
  const p = passphrase.trim().toLowerCase();
  const w = password.trim().toLowerCase();
  if (!p || !w) return null;
  if (p === w) return 'Choose a key-backup passphrase different from your sign-in password.';
  if (p.includes(w) || w.includes(p)) return 'Your key-backup passphrase must not contain your sign-in password (or be part of it).';
  return null;
}

/** zxcvbn-ts reports feedback as keys (no English pack is bundled): the ones worth showing. */
const FEEDBACK: Record<string, string> = {
  straightRow: 'Straight rows of keys are easy to guess.',
  keyPattern: 'Short keyboard patterns are easy to guess.',
  simpleRepeat: 'Repeated characters like "aaa" are easy to guess.',
  extendedRepeat: 'Repeated patterns like "abcabc" are easy to guess.',
  sequences: 'Sequences like "abc" or "6543" are easy to guess.',
  recentYears: 'Recent years are easy to guess.',
  dates: 'Dates are easy to guess.',
  topTen: 'This is a very common password.',
  topHundred: 'This is a frequently used password.',
  common: 'This is a commonly used password.',
  similarToCommon: 'This is similar to a commonly used password.',
  wordByItself: 'Single words are easy to guess.',
  namesByThemselves: 'Single names or surnames are easy to guess.',
  commonNames: 'Common names and surnames are easy to guess.',
  userInputs: 'Do not use your name, username or agency.',
  pwned: 'This password appeared in a data breach.',
  useWords: 'Use several unrelated words together.',
  noNeed: 'You can make strong passwords without symbols, numbers or capitals.',
  anotherWord: 'Add more words that are less common.',
  capitalization: 'Capitalise more than the first letter.',
  allUppercase: 'Capitalise some, but not all letters.',
  reverseWords: 'Avoid reversed spellings of common words.',
  l33t: 'Avoid predictable substitutions like "@" for "a".',
  longerKeyboardPattern: 'Use longer keyboard patterns and change direction several times.',
  repeated: 'Avoid repeated words and characters.',
  associatedYears: 'Avoid years associated with you.',
};

export function feedbackText(key: string | null | undefined): string | null {
  if (!key) return null;
  return FEEDBACK[key] ?? null;
}
