import { Type } from 'typebox';
import { ExtendedAccessGrant, ExtendedAccessList, GrantExtendedAccessBody } from '../schemas/agreements.ts';
import { IdParams, errorResponses } from '../schemas/common.ts';
import { defineEndpoint } from './endpoint.ts';

export const GrantBody = Type.Object({ grant: ExtendedAccessGrant });

const tags = ['extended-access'];

export const grant = defineEndpoint({
  method: 'POST',
  path: '/extended-access',
  tags,
  summary: 'Grant (or renew) a sponsored institution access under your NCB agreements (NCB admin); expiry at most EXTENDED_ACCESS_MAX_DAYS ahead',
  body: GrantExtendedAccessBody,
  response: { 201: GrantBody, ...errorResponses(400, 401, 403, 404, 409) },
});

export const list = defineEndpoint({
  method: 'GET',
  path: '/extended-access',
  tags,
  summary: 'Grants given by or to your agency, and the longest grant the server issues',
  response: { 200: ExtendedAccessList, ...errorResponses(401) },
});

export const revoke = defineEndpoint({
  method: 'POST',
  path: '/extended-access/:id/revoke',
  tags,
  summary: "Revoke a grant at once: the institution's officers leave the NCB's agreement channels",
  params: IdParams,
  response: { 200: GrantBody, ...errorResponses(401, 403, 404, 409) },
});
