import { Me } from '../schemas/accounts.ts';
import { LoginBody, RefreshBody, RevokedCount, SessionList, TokenPair } from '../schemas/auth.ts';
import { IdParams, OkBody, errorResponses } from '../schemas/common.ts';
import { defineEndpoint } from './endpoint.ts';

const tags = ['auth'];

export const login = defineEndpoint({
  method: 'POST',
  path: '/auth/login',
  public: true,
  tags,
  summary: 'Sign in with username, password and TOTP code',
  body: LoginBody,
  response: { 200: TokenPair, ...errorResponses(400, 401, 403, 423, 429) },
});

export const refresh = defineEndpoint({
  method: 'POST',
  path: '/auth/refresh',
  public: true,
  tags,
  summary: 'Rotate the refresh token; a reused token revokes its session',
  body: RefreshBody,
  response: { 200: TokenPair, ...errorResponses(400, 401, 429) },
});

export const logout = defineEndpoint({
  method: 'POST',
  path: '/auth/logout',
  tags,
  summary: 'End the current session',
  response: { 200: OkBody, ...errorResponses(401) },
});

export const me = defineEndpoint({
  method: 'GET',
  path: '/me',
  tags,
  summary: 'The signed-in officer with agency and role',
  response: { 200: Me, ...errorResponses(401) },
});

export const listSessions = defineEndpoint({
  method: 'GET',
  path: '/sessions',
  tags,
  summary: 'My active sessions',
  response: { 200: SessionList, ...errorResponses(401) },
});

export const revokeSession = defineEndpoint({
  method: 'DELETE',
  path: '/sessions/:id',
  tags,
  summary: 'Revoke one of my sessions',
  params: IdParams,
  response: { 200: RevokedCount, ...errorResponses(401, 404) },
});

export const revokeAllSessions = defineEndpoint({
  method: 'DELETE',
  path: '/sessions',
  tags,
  summary: 'Sign out everywhere (revoke all my sessions, including this one)',
  response: { 200: RevokedCount, ...errorResponses(401) },
});
