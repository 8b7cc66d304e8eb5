import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { CryptoError, fromB64 } from '../../shared/crypto/index.ts';
import { ERROR_CODES, isErrorCode, protocolErrorCode } from '../../shared/errors.ts';
import { mapError } from '../../server/http/error-handler.ts';
import { apiError } from '../../server/keys/wire.ts';
import { LiaisonApiError } from '../../client/sdk/errors.ts';
import { bearer, makeApp, provision } from '../world/app.ts';

const root = path.resolve(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => readFileSync(path.join(root, dir, f), 'utf8'));
}

describe('error codes', () => {
  it('a CryptoError thrown inside a service is a 400 with its protocol code, not a 500', async () => {
    const t = await makeApp();
    const net = await provision(t);
    // A malformed base64url value reaching shared/crypto unwrapped, as a service parsing client input would.
    vi.spyOn(t.app.ctx.messages, 'syncJson').mockImplementation(async () => {
      fromB64('not base64url!');
      return '';
    });
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/sync', headers: bearer(net.officer.tokens) });
    expect(res.statusCode).toBe(400);
    const body = res.json() as { error: { code: string; message: string } };
    expect(body.error.code).toBe('encoding_base64');
    expect(isErrorCode(body.error.code)).toBe(true);
    expect(body.error.message).toMatch(/^protocol: /);
  });

  it('mapError keeps the CryptoError as the cause and maps it like verified() does', () => {
    const err = new CryptoError('chain/bad-signature', 'bad');
    expect(mapError(err)).toEqual({ status: 400, code: 'chain_bad_signature', message: 'protocol: bad' });
    expect((apiError(err, 'event') as Error).cause).toBe(err);
  });

  it('every shared/crypto code maps into the list (its domain is a PROTOCOL_ERROR_DOMAINS entry)', () => {
    const codes = new Set(sources('shared/crypto').flatMap((s) => [...s.matchAll(/'([a-z]+\/[a-z0-9-]+)'/g)].map((m) => m[1]!)));
    expect(codes.size).toBeGreaterThan(50);
    for (const c of codes) expect(isErrorCode(protocolErrorCode(c)), c).toBe(true);
  });

  it('every listed code is sent somewhere in server/ (no dead codes)', () => {
    const server = sources('server').join('\n');
    // Built from a template: `${scope}_quota_exceeded` (server/attachments/quota.ts).
    const templated = new Set(['officer_quota_exceeded', 'channel_quota_exceeded']);
    for (const code of ERROR_CODES) if (!templated.has(code)) expect(server.includes(`'${code}`), code).toBe(true);
  });

  it('LiaisonApiError.is narrows on the code', () => {
    const err: LiaisonApiError = new LiaisonApiError(429, 'login_throttled', 'wait');
    expect(err.is('login_throttled')).toBe(true);
    expect(err.is('not_found')).toBe(false);
    // @ts-expect-error not a code the server sends
    expect(err.is('account_locked')).toBe(false);
  });
});
