import type { ConnectionState, LiaisonClient, SecurityNotice } from '../../../sdk/index.ts';
import type { Me } from '../../../../shared/schemas/accounts.ts';
import type { Api } from './api.ts';
import type { ChatData } from './chat.ts';
import { browserName, deviceName } from '../lib/device-name.ts';
import { IdleTimer, idleTimeoutMs } from '../lib/idle.ts';
import { IdbStore } from './idb-store.ts';
import { startRetention } from './retention.ts';
import { lastUser, rememberUser } from './local-store.ts';
import { clearUnlock, restoreUnlock, saveUnlock, touchUnlock } from './session-unlock.ts';
import { Observable } from './observable.ts';
import type * as Runtime from './runtime.ts';

let runtime: Promise<typeof Runtime> | null = null;

/**
 * The SDK (libsodium and its WebAssembly), the chat state and the API wrapper: not in the entry chunk, so the
 * sign-in form renders first (issue 15 §9). `main.tsx` preloads it right after the first paint; every path that
 * needs a client awaits it. A failed load (offline) is retried on the next call.
 */
export function loadRuntime(): Promise<typeof Runtime> {
  runtime ??= import('./runtime.ts').catch((e: unknown) => {
    runtime = null;
    throw e;
  });
  return runtime;
}

/**
 * - `signed-out`: no session.
 * - `needs-identity`: signed in, no keys yet (enrolment's last step, or an interrupted one).
 * - `locked`: signed in, keys not in memory (after sign-in, reload or the idle lock).
 * - `unlocked`: keys in memory, realtime connected, decrypted data in `chat`.
 */
export type Phase = 'booting' | 'signed-out' | 'needs-identity' | 'locked' | 'unlocked';

export interface SessionState {
  phase: Phase;
  me: Me | null;
  /** Why the app is where it is (idle lock, signed out elsewhere…). */
  notice: string | null;
}

const ACTIVITY_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart', 'scroll'] as const;

export class AppSession {
  readonly state = new Observable<SessionState>({ phase: 'booting', me: null, notice: null });
  readonly security = new Observable<SecurityNotice[]>([]);
  readonly connection = new Observable<ConnectionState>('disconnected');
  readonly chat = new Observable<ChatData | null>(null);
  client: LiaisonClient | null = null;
  api: Api | null = null;
  store: IdbStore | null = null;
  readonly idleMs: number;
  private idle: IdleTimer | null = null;
  private offClient: (() => void)[] = [];
  private lastTouch = 0;
  private stopRetention: (() => void) | null = null;
  private readonly onActivity = () => {
    this.idle?.activity();
    // The reload window runs from the last activity; sessionStorage is written at most every 5 s.
    const now = Date.now();
    if (this.store && now - this.lastTouch > 5000) {
      this.lastTouch = now;
      touchUnlock(this.store.username, now);
    }
  };

  constructor() {
    this.idleMs = idleTimeoutMs(location.search || location.hash.split('?')[1] || '', localStorage.getItem('liaison:idleMs'));
  }

  get me(): Me | null {
    return this.state.get().me;
  }

  private set(patch: Partial<SessionState>): void {
    this.state.set({ ...this.state.get(), ...patch });
  }

  /** A client bound to this officer's local store; replaces any previous one. */
  async clientFor(username: string): Promise<LiaisonClient> {
    const { Api, LiaisonClient } = await loadRuntime();
    this.teardownClient();
    this.store = new IdbStore(username);
    // The name this browser carries in the officer's device list (Account → Devices).
    // syncDesksOnUnlock: a supervisor's unlock reconciles their desks' channels with the rosters in the background
    // (no-op for everyone else), so a member added while no supervisor was online gets the inbox's key.
    const client = new LiaisonClient({ baseUrl: location.origin, store: this.store, deviceName: deviceName(navigator.userAgent), syncDesksOnUnlock: true });
    this.client = client;
    this.api = new Api(client);
    this.offClient.push(
      client.on('security', (e) => this.security.update((list) => [...list, e])),
      client.on('connection', (e) => {
        this.connection.set(e.state);
        if (e.state === 'signed_out' && this.state.get().phase !== 'signed-out') void this.signedOut('Your session ended. Please sign in again.');
      }),
    );
    return client;
  }

  /** Resumes the last officer's session from its refresh token (keys stay locked). */
  async boot(): Promise<void> {
    const user = lastUser();
    if (!user) return this.set({ phase: 'signed-out' });
    const client = await this.clientFor(user);
    try {
      if (!(await client.resume())) return this.set({ phase: 'signed-out' });
      const me = await client.me();
      const hasKeys = await this.api!.hasKeyBackup();
      if (hasKeys && (await this.resumeUnlocked(user))) return;
      this.set({ phase: hasKeys ? 'locked' : 'needs-identity', me });
    } catch {
      this.teardownClient();
      this.set({ phase: 'signed-out' });
    }
  }

  async signIn(input: { username: string; password: string; totp: string }): Promise<void> {
    const client = await this.clientFor(input.username);
    await client.login({ ...input, deviceLabel: deviceLabel() });
    rememberUser(input.username);
    const me = await client.me();
    const hasKeys = await this.api!.hasKeyBackup();
    this.set({ phase: hasKeys ? 'locked' : 'needs-identity', me, notice: null });
  }

  /** Enrolment's end: the session exists (enrolComplete signed in), keys come next. */
  async enrolled(username: string): Promise<void> {
    rememberUser(username);
    const me = await this.client!.me();
    this.set({ phase: 'needs-identity', me, notice: null });
  }

  /**
   * Generates identity keys in the browser; only the backup sealed under `passphrase` is uploaded.
   * `password`: the sign-in password, needed only after a resumed session (`needsPasswordForKeys`).
   */
  async createIdentity(passphrase: string, password?: string): Promise<{ agencyRoot: boolean }> {
    const res = await this.client!.createIdentity(passphrase, password ? { password } : {});
    await this.afterUnlock();
    return res;
  }

  /** After a resumed session the SDK never saw the password: the key screen asks for it. */
  get needsPasswordForKeys(): boolean {
    return !this.client?.knowsSignInPassword;
  }

  async unlock(passphrase: string): Promise<void> {
    await this.client!.unlock(passphrase);
    await this.afterUnlock();
  }

  /** A reload within the idle window: the tab's wrapped keys unlock without the passphrase (session-unlock.ts). */
  private async resumeUnlocked(user: string): Promise<boolean> {
    const secrets = await restoreUnlock(user, this.idleMs);
    if (!secrets) return false;
    try {
      await this.client!.unlockWithSecrets(secrets);
    } catch {
      await clearUnlock(user);
      return false;
    }
    await this.afterUnlock();
    return true;
  }

  private async afterUnlock(): Promise<void> {
    const client = this.client!;
    await saveUnlock(this.store!.username, client.exportSecrets()).catch(() => undefined);
    const me = await client.me();
    const { ChatData } = await loadRuntime();
    const chat = new ChatData(client, this.api!, me, this.store!);
    this.chat.set(chat);
    this.startIdleTimer();
    this.set({ phase: 'unlocked', me, notice: null });
    // Administrators certify their officers' new keys as soon as they are unlocked.
    // …and revoke the certificates of officers suspended while certified (channel owners then remove them).
    if (me.officer.role !== 'officer') {
      void chat.certifyPending();
      void chat.revokePending();
    }
    await client.connect();
    await chat.load();
    this.stopRetention = startRetention(chat);
  }

  /** The idle lock (or "Lock now"): keys and every decrypted thing leave memory. */
  lock(reason = 'Locked. Enter your key-backup passphrase to continue.'): void {
    this.stopIdleTimer();
    this.stopRetention?.();
    this.stopRetention = null;
    if (this.store) void clearUnlock(this.store.username);
    this.client?.disconnect();
    this.client?.lock();
    this.chat.get()?.dispose();
    this.chat.set(null);
    this.security.set([]);
    if (this.state.get().phase === 'unlocked') this.set({ phase: 'locked', notice: reason });
  }

  /** `notice`: what the sign-in screen says afterwards (default: "Signed out." / "Signed out on every device."). */
  async signOut(everywhere = false, notice?: string): Promise<void> {
    try {
      if (everywhere) await this.api?.revokeAllSessions();
      await this.client?.logout();
    } catch {
      // Already signed out server-side: the local session is dropped either way.
    }
    await this.signedOut(notice ?? (everywhere ? 'Signed out on every device.' : 'Signed out.'));
  }

  private async signedOut(notice: string): Promise<void> {
    this.lock();
    await this.store?.delete('session');
    rememberUser(null);
    this.teardownClient();
    this.set({ phase: 'signed-out', me: null, notice });
  }

  private startIdleTimer(): void {
    this.stopIdleTimer();
    this.idle = new IdleTimer(this.idleMs, () => this.lock('Locked after inactivity. Enter your key-backup passphrase to continue.'));
    for (const e of ACTIVITY_EVENTS) window.addEventListener(e, this.onActivity, { passive: true, capture: true });
  }

  private stopIdleTimer(): void {
    this.idle?.stop();
    this.idle = null;
    for (const e of ACTIVITY_EVENTS) window.removeEventListener(e, this.onActivity, { capture: true });
  }

  private teardownClient(): void {
    for (const off of this.offClient.splice(0)) off();
    this.client?.disconnect();
    this.client?.lock();
    this.client = null;
    this.api = null;
    this.store = null;
  }
}

/** The session's label in "Your sessions" ("Firefox (web)"). */
function deviceLabel(): string {
  return `${browserName(navigator.userAgent) ?? 'Browser'} (web)`;
}
