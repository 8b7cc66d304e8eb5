import { IdParams, errorResponses } from '../schemas/common.ts';
import {
  CaseChannelBody,
  CaseChannelCreated,
  DeskRequestBody,
  DeskRequestCreated,
  DeskRequestList,
  DeskRequestParams,
  DeskRequestsQuery,
  DirectoryIntake,
  IntakeKeyBody,
  IntakeKeyList,
  MyDeskRequestList,
  PublishIntakeKeyBody,
  SubmitDeskRequestBody,
} from '../schemas/intake.ts';
import { defineEndpoint } from './endpoint.ts';

const tags = ['intake'];

export const publishKey = defineEndpoint({
  method: 'POST',
  path: '/desks/:id/intake-keys',
  tags,
  summary: "Publish the desk's next intake key statement (supervisors)",
  description:
    'The statement (A.15) is signed by the caller, a supervisor of the desk, under the registered identity key; version = current + 1 ' +
    '(409 intake_version_conflict); its channel is owned by the caller and has only officers of the desk\'s agency; the first ' +
    'statement sets the desk channel, later ones keep it (409 intake_channel_changed). Members 403, others 404. Audited as intake.key_published.',
  params: IdParams,
  body: PublishIntakeKeyBody,
  response: { 201: IntakeKeyBody, ...errorResponses(400, 401, 403, 404, 409) },
});

export const listKeys = defineEndpoint({
  method: 'GET',
  path: '/desks/:id/intake-keys',
  tags,
  summary: "Every version of the desk's intake key statement (the desk's members, supervisors, administrators)",
  params: IdParams,
  response: { 200: IntakeKeyList, ...errorResponses(401, 404) },
});

export const directoryIntake = defineEndpoint({
  method: 'GET',
  path: '/directory/:id/intake',
  tags,
  summary: "The current intake key statement of the entry's desk, with its signer's certificate (any officer)",
  description: '404 no_intake_key when the entry has no desk or the desk has no key yet. The desk itself stays hidden.',
  params: IdParams,
  response: { 200: DirectoryIntake, ...errorResponses(401, 404) },
});

export const submitRequest = defineEndpoint({
  method: 'POST',
  path: '/directory/:id/desk-requests',
  tags,
  summary: "Send a sealed request (A.16) to the entry's desk; opens an acknowledgement-requested page (urgent unless `priority: normal`)",
  description:
    'The caller is the requester and signed it under the registered identity key; the desk is the entry\'s and the version one of its ' +
    'statements. 409 duplicate_request for a second (requester, requestId). Audited as desk_request.received, without content.',
  params: IdParams,
  body: SubmitDeskRequestBody,
  response: { 201: DeskRequestCreated, ...errorResponses(400, 401, 404, 409) },
});

export const deskRequests = defineEndpoint({
  method: 'GET',
  path: '/desks/:id/requests',
  tags,
  summary: "The desk's sealed requests, newest first (the desk's members, supervisors, administrators)",
  params: IdParams,
  query: DeskRequestsQuery,
  response: { 200: DeskRequestList, ...errorResponses(401, 404) },
});

export const myRequests = defineEndpoint({
  method: 'GET',
  path: '/desk-requests/mine',
  tags,
  summary: "The caller's own desk requests: state, claim and case channel",
  response: { 200: MyDeskRequestList, ...errorResponses(401) },
});

export const claim = defineEndpoint({
  method: 'POST',
  path: '/desks/:id/requests/:requestId/claim',
  tags,
  summary: 'Claim a request ("I take this"): first claim wins (409 already_claimed); acknowledges its page',
  params: DeskRequestParams,
  response: { 200: DeskRequestBody, ...errorResponses(401, 403, 404, 409) },
});

export const caseChannel = defineEndpoint({
  method: 'POST',
  path: '/desks/:id/requests/:requestId/case-channel',
  tags,
  summary: 'The claimer opens the case channel with the requester (as a directory contact), linked to the request',
  description:
    'Another agency: `events` = the create event of a direct channel and `invite` = the requester\'s add, which the requester co-signs; ' +
    'same agency: create and add. Only the claimer (403 not_claimer), once (409 case_channel_exists). Audited as desk_request.case_channel.',
  params: DeskRequestParams,
  body: CaseChannelBody,
  response: { 201: CaseChannelCreated, ...errorResponses(400, 401, 403, 404, 409) },
});
