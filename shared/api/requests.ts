import { IdParams, errorResponses } from '../schemas/common.ts';
import { RequestDetail, RequestList, RequestSettings, RequestSettingsBody, RequestsQuery } from '../schemas/requests.ts';
import { SpocCopyCreated, SubmitSpocCopyBody } from '../schemas/intake.ts';
import { defineEndpoint } from './endpoint.ts';

const tags = ['requests'];

export const list = defineEndpoint({
  method: 'GET',
  path: '/requests',
  tags,
  summary: "Requests the caller's agency sent or received (docs/REQUESTS.md), by deadline",
  description:
    "Officers see the requests of channels they are a current member of; agency administrators every request of their agency. `role` sent|received (default both), `state`, `overdue` filter. Declared metadata only.",
  query: RequestsQuery,
  response: { 200: RequestList, ...errorResponses(400, 401) },
});

export const get = defineEndpoint({
  method: 'GET',
  path: '/requests/:id',
  tags,
  summary: 'A request with its timeline of state changes and their server stamps',
  params: IdParams,
  response: { 200: RequestDetail, ...errorResponses(401, 404) },
});

export const deskOverdue = defineEndpoint({
  method: 'GET',
  path: '/desks/:id/requests/overdue',
  tags,
  summary: "The desk's overdue board: requests to the desk whose deadline passed while the clock runs (the desk's members, supervisors, administrators)",
  params: IdParams,
  response: { 200: RequestList, ...errorResponses(401, 404) },
});

export const agencyOverdue = defineEndpoint({
  method: 'GET',
  path: '/agencies/:id/requests/overdue',
  tags,
  summary: "The agency's overdue board: requests it received whose deadline passed while the clock runs (its administrators)",
  params: IdParams,
  response: { 200: RequestList, ...errorResponses(401, 403, 404) },
});

export const getSettings = defineEndpoint({
  method: 'GET',
  path: '/agencies/:id/request-settings',
  tags,
  summary: "The agency's request settings: the zone its calendar-day deadlines are counted in (default UTC; any officer)",
  params: IdParams,
  response: { 200: RequestSettings, ...errorResponses(401, 404) },
});

export const putSettings = defineEndpoint({
  method: 'PUT',
  path: '/agencies/:id/request-settings',
  tags,
  summary:
    "Sets the agency's request zone (an IANA region zone) and/or its SPOC desk (a desk of the agency with an intake key, or null; Art. 4(1) copy rule); its administrators. Applies to requests received afterwards. Audited as request.settings_changed.",
  params: IdParams,
  body: RequestSettingsBody,
  response: { 200: RequestSettings, ...errorResponses(400, 401, 403, 404, 422) },
});

export const submitSpocCopy = defineEndpoint({
  method: 'POST',
  path: '/agencies/:id/spoc-copies',
  tags,
  summary: "Store a sealed copy (A.16) of an outgoing request for the caller's agency's SPOC desk (Art. 4(1); no page)",
  description:
    'The caller is an officer of the agency and the requester, signed under the registered identity key; the desk is the agency\'s SPOC desk ' +
    '(422 spoc_desk_invalid when the rule is off) and the version one of its statements. Declare the returned id as `spocCopy` on the request.',
  params: IdParams,
  body: SubmitSpocCopyBody,
  response: { 201: SpocCopyCreated, ...errorResponses(400, 401, 404, 409, 422) },
});
