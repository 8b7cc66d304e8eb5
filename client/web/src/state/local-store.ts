/**
 * What stays in localStorage: only what is read synchronously before any officer's IndexedDB database is
 * known: the last officer who signed in on this browser (which database to open at boot). Everything else of
 * an officer lives in IndexedDB (idb-store.ts); theme, language, idle override and notification switches are
 * browser preferences read synchronously at startup (docs/WEB.md "Local storage").
 */
const LAST_USER = 'liaison:last-user';

export function lastUser(): string | null {
  return localStorage.getItem(LAST_USER);
}

export function rememberUser(username: string | null): void {
  if (username) localStorage.setItem(LAST_USER, username.toLowerCase());
  else localStorage.removeItem(LAST_USER);
}
