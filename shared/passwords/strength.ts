import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';
import { PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS } from '../schemas/auth.ts';
import { feedbackText, PASSWORD_MIN_SCORE, passwordContext, STRENGTH_INPUT_MAX_CHARS, type PasswordOwner } from './rules.ts';

/** ~49k common and breached passwords shipped with zxcvbn-ts, plus long ones people pick to pass a 12-character rule. */
const COMMON: ReadonlySet<string> = new Set([
  ...(dictionary['passwords-common'] as string[]),
  'password1234',
  'password12345',
  'password123456',
  'passwordpassword',
  'qwertyuiop123',
  'qwertyuiopasdfghjkl',
  '123456789012',
  '1234567890123',
  'abcdefghijkl',
  'iloveyou1234',
  'administrator',
  'administrator1',
  'liaisonliaison',
  'liaison123456',
  'changemechangeme',
]);

export interface PasswordAssessment {
  /** zxcvbn score 0–4 (0 when a hard rule already refuses the password). */
  score: number;
  warning: string | null;
  suggestions: string[];
  /** Why the server refuses this password, in a sentence for the officer; null when it is accepted. */
  problem: string | null;
}

let factory: ZxcvbnFactory | null = null;

/** Built on first use: ranking the dictionaries takes a moment, and most processes never need it. */
function estimator(): ZxcvbnFactory {
  factory ??= new ZxcvbnFactory({ dictionary: { ...dictionary }, graphs: adjacencyGraphs });
  return factory;
}

/**
 * The one password policy (server enrolment and the web app's meter): 12–1024 characters, not a known
 * common or breached password, not containing the username, and a zxcvbn score of at least 3 with
 * the owner's names and agency as context (`passwordContext`). Synchronous; the estimator only sees
 * the first 100 characters so its cost stays bounded.
 */
export function assessPassword(password: string, owner: PasswordOwner): PasswordAssessment {
  const refuse = (problem: string): PasswordAssessment => ({ score: 0, warning: null, suggestions: [], problem });
  const length = [...password].length;
  if (length < PASSWORD_MIN_CHARS) return refuse(`Password must be at least ${PASSWORD_MIN_CHARS} characters long.`);
  if (length > PASSWORD_MAX_CHARS) return refuse(`Password must be at most ${PASSWORD_MAX_CHARS} characters long.`);
  const lower = password.toLowerCase();
  if (COMMON.has(lower) || /^(.)\1+$/u.test(password)) return refuse('This password appears in lists of common or breached passwords; choose another.');
  if (owner.username && lower.includes(owner.username.toLowerCase())) return refuse('Password must not contain your username.');
  const head = [...password].slice(0, STRENGTH_INPUT_MAX_CHARS).join('');
  const r = estimator().check(head, passwordContext(owner));
  const warning = feedbackText(r.feedback.warning);
  const suggestions = r.feedback.suggestions.map(feedbackText).filter((x): x is string => x !== null);
  if (r.score >= PASSWORD_MIN_SCORE) return { score: r.score, warning, suggestions, problem: null };
  const why = warning ?? suggestions[0] ?? 'Add more unrelated words.';
  return { score: r.score, warning, suggestions, problem: `This password is too easy to guess. ${why} A few unrelated words make a strong, memorable password.` };
}
