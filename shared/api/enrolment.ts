import { EnrolmentBeginBody, EnrolmentBeginResult, EnrolmentCompleteBody, EnrolmentInfo, EnrolmentLookupBody, TokenPair } from '../schemas/auth.ts';
import { errorResponses } from '../schemas/common.ts';
import { defineEndpoint } from './endpoint.ts';

// Enrolment links carry the token in the URL fragment; the client posts it, so it never lands in access logs.
const tags = ['enrolment'];

export const lookup = defineEndpoint({
  method: 'POST',
  path: '/enrolment/lookup',
  public: true,
  tags,
  summary: 'Who this enrolment link is for',
  body: EnrolmentLookupBody,
  response: { 200: EnrolmentInfo, ...errorResponses(400, 429) },
});

export const begin = defineEndpoint({
  method: 'POST',
  path: '/enrolment/begin',
  public: true,
  tags,
  summary: 'Step 1: set a password; returns the TOTP seed to enrol in an authenticator app',
  body: EnrolmentBeginBody,
  response: { 200: EnrolmentBeginResult, ...errorResponses(400, 429) },
});

export const complete = defineEndpoint({
  method: 'POST',
  path: '/enrolment/complete',
  public: true,
  tags,
  summary: 'Step 2: confirm a first TOTP code; consumes the link and signs the officer in',
  body: EnrolmentCompleteBody,
  response: { 200: TokenPair, ...errorResponses(400, 429) },
});
