import { IdParams, errorResponses } from '../schemas/common.ts';
import { PageBody, PageList, PagesQuery, ReachabilityBody, ReachabilityList, ReachabilityQuery, TestPageResult } from '../schemas/pages.ts';
import { defineEndpoint } from './endpoint.ts';

const tags = ['pages'];

export const testPage = defineEndpoint({
  method: 'POST',
  path: '/desks/:id/test-page',
  tags,
  summary: "Page the desk's on-duty officers now with a test page (supervisors and agency administrators)",
  description: 'Runs the first step of the ladder and answers who was paged with each transport\'s outcome. A test page does not escalate. Audited as page.opened.',
  params: IdParams,
  response: { 201: TestPageResult, ...errorResponses(401, 403, 404) },
});

export const deskPages = defineEndpoint({
  method: 'GET',
  path: '/desks/:id/pages',
  tags,
  summary: "The desk's pages, newest first (its members, supervisors and agency administrators)",
  params: IdParams,
  query: PagesQuery,
  response: { 200: PageList, ...errorResponses(400, 401, 404) },
});

export const mine = defineEndpoint({
  method: 'GET',
  path: '/pages/mine',
  tags,
  summary: 'Open pages that reached the caller, newest first',
  response: { 200: PageList, ...errorResponses(401) },
});

export const get = defineEndpoint({
  method: 'GET',
  path: '/pages/:id',
  tags,
  summary: "One page (the officers it reached, the desk's people, and the requester, who sees the desk phone once it is exhausted)",
  params: IdParams,
  response: { 200: PageBody, ...errorResponses(401, 404) },
});

export const ack = defineEndpoint({
  method: 'POST',
  path: '/pages/:id/ack',
  tags,
  summary: 'Acknowledge a page: the ladder stops (an officer it reached, or any of the desk\'s people); idempotent',
  description: '409 page_closed when the page is exhausted or cancelled. Audited as page.acknowledged.',
  params: IdParams,
  response: { 200: PageBody, ...errorResponses(401, 404, 409) },
});

export const reachability = defineEndpoint({
  method: 'GET',
  path: '/desks/:id/reachability',
  tags,
  summary: "The desk's reachability reports, newest first (its members, supervisors and agency administrators)",
  description: 'Reports whose period ends in (from, to]; at most 100. Numbers and ids only.',
  params: IdParams,
  query: ReachabilityQuery,
  response: { 200: ReachabilityList, ...errorResponses(400, 401, 404) },
});

export const runReachability = defineEndpoint({
  method: 'POST',
  path: '/desks/:id/reachability/run',
  tags,
  summary: 'Compute a reachability report for the last period now (supervisors and agency administrators)',
  description: 'Stored, e-mailed to the supervisors (numbers only) and audited as desk.reachability_reported. Rate-limited.',
  params: IdParams,
  response: { 201: ReachabilityBody, ...errorResponses(401, 403, 404, 429) },
});
