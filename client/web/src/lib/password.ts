export const MIN_PASSWORD_CHARS = 12;
export const MIN_PASSPHRASE_CHARS = 12;

export interface Strength {
  /** zxcvbn score 0–4. */
  score: number;
  warning: string | null;
  suggestions: string[];
}

/** What the meter says; length below the server's minimum always reads "too short". */
export function strengthLabel(s: Strength, password: string): { label: string; level: 'bad' | 'weak' | 'ok' | 'good' } {
  if ([...password].length < MIN_PASSWORD_CHARS) return { label: `too short (at least ${MIN_PASSWORD_CHARS} characters)`, level: 'bad' };
  if (s.score <= 1) return { label: 'weak', level: 'weak' };
  if (s.score === 2) return { label: 'fair', level: 'ok' };
  if (s.score === 3) return { label: 'strong', level: 'good' };
  return { label: 'very strong', level: 'good' };
}

/** Local checks before the server's (which also refuses breached passwords). */
export function passwordProblem(password: string, confirm: string, username: string): string | null {
  if ([...password].length < MIN_PASSWORD_CHARS) return `Use at least ${MIN_PASSWORD_CHARS} characters.`;
  if (username && password.toLowerCase().includes(username.toLowerCase())) return 'The password must not contain your username.';
  if (password !== confirm) return 'The two passwords differ.';
  return null;
}

export function passphraseProblem(passphrase: string, confirm: string, password?: string): string | null {
  if ([...passphrase].length < MIN_PASSPHRASE_CHARS) return `Use at least ${MIN_PASSPHRASE_CHARS} characters.`;
  if (password && passphrase === password) return 'Choose a passphrase different from your sign-in password.';
  if (passphrase !== confirm) return 'The two passphrases differ.';
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
  userInputs: 'Do not use your name or username.',
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
