import type { Static } from 'typebox';
import { api } from '../../shared/api/index.ts';
import type { Me } from '../../shared/schemas/accounts.ts';
import type { EnrolmentBeginResult, LoginBody, TokenPair } from '../../shared/schemas/auth.ts';
import type { SdkContext } from './context.ts';

export type LoginInput = LoginBody;
export type EnrolBeginResult = Static<typeof EnrolmentBeginResult>;

const SESSION_KEY = 'session';

/** Sign-in, refresh-token persistence, sign-out and enrolment. */
export class SessionApi {
  constructor(private readonly ctx: SdkContext) {
    ctx.http.onTokens = (t) => {
      // The refresh token is a bearer secret: kept only by the store the application chose.
      void ctx.store.set(SESSION_KEY, { refreshToken: t.refreshToken, officer: ctx.officer });
    };
  }

  async login(input: LoginInput): Promise<TokenPair> {
    const pair = await this.ctx.http.call(api.auth.login, { body: input });
    this.ctx.officer = pair.officer;
    this.ctx.signInPassword = input.password;
    this.ctx.http.setSession(pair);
    this.ctx.events.emit('connection', { state: 'disconnected', reason: 'signed_in' });
    return pair;
  }

  /** Resumes a stored session by rotating its refresh token. */
  async resume(): Promise<boolean> {
    const saved = await this.ctx.store.get<{ refreshToken: string; officer: TokenPair['officer'] | null }>(SESSION_KEY);
    if (!saved?.refreshToken) return false;
    this.ctx.http.tokens = { accessToken: '', refreshToken: saved.refreshToken, accessTokenExpiresAt: 0 };
    this.ctx.officer = saved.officer;
    await this.ctx.http.refresh();
    const me = await this.me();
    this.ctx.officer = me.officer;
    return true;
  }

  async logout(): Promise<void> {
    try {
      if (this.ctx.http.tokens) await this.ctx.http.call(api.auth.logout);
    } finally {
      this.ctx.signInPassword = null;
      this.ctx.http.tokens = null;
      await this.ctx.store.delete(SESSION_KEY);
      this.ctx.events.emit('connection', { state: 'signed_out', reason: 'logout' });
    }
  }

  async me(): Promise<Me> {
    const me = await this.ctx.http.call(api.auth.me);
    this.ctx.officer = me.officer;
    return me;
  }

  async enrolBegin(token: string, password: string): Promise<EnrolBeginResult> {
    const res = await this.ctx.http.call(api.enrolment.begin, { body: { token, password } });
    this.ctx.signInPassword = password;
    return res;
  }

  /** Completes enrolment; the answer is a signed-in session. */
  async enrolComplete(token: string, totp: string): Promise<TokenPair> {
    const pair = await this.ctx.http.call(api.enrolment.complete, { body: { token, totp } });
    this.ctx.officer = pair.officer;
    this.ctx.http.setSession(pair);
    return pair;
  }
}
