import { describe, expect, it } from 'vitest';
import { LiaisonApiError, NetworkError } from '../../client/sdk/index.ts';
import { HttpClient } from '../../client/sdk/http.ts';
import { httpTransport } from '../../client/sdk/realtime.ts';
import { withRetry } from '../../client/sdk/retry.ts';
import type { SdkContext } from '../../client/sdk/context.ts';

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

describe('retry with the same message id', () => {
  it('resends the identical body after network failures; the server answers the retry as a duplicate', async () => {
    const bodies: string[] = [];
    let calls = 0;
    const fakeFetch = (async (_url: string, init?: RequestInit) => {
      calls++;
      bodies.push(String(init?.body));
      if (calls === 1) throw new TypeError('fetch failed: ECONNRESET');
      if (calls === 2) return json(503, { error: { code: 'unavailable', message: 'try later' } });
      return json(200, { channelId: 'c1', messageId: 'm-1', seq: 7, createdAt: 1, duplicate: true });
    }) as typeof fetch;
    const http = new HttpClient('http://liaison.test', fakeFetch);
    http.setSession({ accessToken: 'a', refreshToken: 'r', accessTokenExpiresAt: 0 });
    const transport = httpTransport({ http } as SdkContext);
    const body = { envelope: { header: { messageId: 'm-1' } }, ackRequired: true };
    const res = await withRetry(() => transport.send('c1', body), { attempts: 5, baseDelayMs: 1 });
    expect(res).toMatchObject({ messageId: 'm-1', seq: 7, duplicate: true });
    expect(calls).toBe(3);
    expect(new Set(bodies).size).toBe(1);
    expect(JSON.parse(bodies[0]!)).toEqual(body);
  });

  it('does not retry a final 4xx answer, and gives up after the attempt budget', async () => {
    let calls = 0;
    await expect(
      withRetry(async () => {
        calls++;
        throw new LiaisonApiError(409, 'message_id_conflict', 'conflict');
      }, { baseDelayMs: 1 }),
    ).rejects.toMatchObject({ code: 'message_id_conflict' });
    expect(calls).toBe(1);
    calls = 0;
    const delays: number[] = [];
    await expect(
      withRetry(async () => {
        calls++;
        throw new NetworkError('down');
      }, { attempts: 4, baseDelayMs: 10, sleep: async (ms) => void delays.push(ms) }),
    ).rejects.toBeInstanceOf(NetworkError);
    expect(calls).toBe(4);
    expect(delays).toEqual([10, 20, 40]);
  });
});

describe('HttpClient token refresh', () => {
  it('refreshes once on 401 invalid_token (shared by concurrent calls), rotates, retries', async () => {
    const seen: string[] = [];
    let refreshes = 0;
    const fakeFetch = (async (url: string, init?: RequestInit) => {
      const auth = (init?.headers as Record<string, string>).authorization ?? '';
      seen.push(`${new URL(url).pathname} ${auth}`);
      if (url.endsWith('/auth/refresh')) {
        refreshes++;
        expect(JSON.parse(String(init?.body))).toEqual({ refreshToken: 'r1' });
        return json(200, { accessToken: 'a2', refreshToken: 'r2', accessTokenExpiresAt: 99, sessionId: 's', officer: {} });
      }
      return auth === 'Bearer a2' ? json(200, { ok: true }) : json(401, { error: { code: 'invalid_token', message: 'expired' } });
    }) as typeof fetch;
    const http = new HttpClient('http://liaison.test', fakeFetch);
    http.setSession({ accessToken: 'a1', refreshToken: 'r1', accessTokenExpiresAt: 0 });
    const [x, y] = await Promise.all([http.request('GET', '/me'), http.request('GET', '/channels')]);
    expect([x, y]).toEqual([{ ok: true }, { ok: true }]);
    expect(refreshes).toBe(1);
    expect(http.tokens).toMatchObject({ accessToken: 'a2', refreshToken: 'r2' });
  });

  it('signs out when the refresh token was reused or the session expired', async () => {
    for (const code of ['refresh_token_reused', 'session_expired']) {
      const fakeFetch = (async (url: string) =>
        url.endsWith('/auth/refresh') ? json(401, { error: { code, message: 'no' } }) : json(401, { error: { code: 'invalid_token', message: 'expired' } })) as typeof fetch;
      const http = new HttpClient('http://liaison.test', fakeFetch);
      const reasons: string[] = [];
      http.onSignedOut = (r) => reasons.push(r);
      http.setSession({ accessToken: 'a1', refreshToken: 'r1', accessTokenExpiresAt: 0 });
      await expect(http.request('GET', '/me')).rejects.toMatchObject({ status: 401, code });
      expect(reasons).toEqual([code]);
      expect(http.tokens).toBeNull();
    }
  });

  it('maps error bodies to LiaisonApiError {status, code, message}', async () => {
    const http = new HttpClient('http://liaison.test', (async () => json(409, { error: { code: 'channel_read_only', message: 'read-only' } })) as typeof fetch);
    const err = await http.request('GET', '/x', { auth: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LiaisonApiError);
    expect(err).toMatchObject({ status: 409, code: 'channel_read_only', message: 'read-only' });
  });
});
