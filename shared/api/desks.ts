import { IdParams, OkBody, errorResponses } from '../schemas/common.ts';
import {
  CreateDeskBody,
  DeskBody,
  DeskList,
  MyShifts,
  MyShiftsQuery,
  NewRotaOverride,
  OnDuty,
  OnDutyQuery,
  OverrideParams,
  Rota,
  UpdateDeskBody,
} from '../schemas/desks.ts';
import { defineEndpoint } from './endpoint.ts';

const tags = ['desks'];

export const create = defineEndpoint({
  method: 'POST',
  path: '/desks',
  tags,
  summary: "Create a desk of the caller's agency (agency administrators)",
  description: 'Members and supervisors must be active officers of the agency; the rota starts empty. Audited as desk.created.',
  body: CreateDeskBody,
  response: { 201: DeskBody, ...errorResponses(400, 401, 403, 404, 409) },
});

export const list = defineEndpoint({
  method: 'GET',
  path: '/desks',
  tags,
  summary: "The caller's agency's desks (administrators) and the desks the caller supervises or is a member of",
  response: { 200: DeskList, ...errorResponses(401) },
});

export const myShifts = defineEndpoint({
  method: 'GET',
  path: '/desks/me/shifts',
  tags,
  summary: "The caller's shifts across every desk they are a member of, in [from, to) (at most 31 days)",
  query: MyShiftsQuery,
  response: { 200: MyShifts, ...errorResponses(400, 401) },
});

export const get = defineEndpoint({
  method: 'GET',
  path: '/desks/:id',
  tags,
  summary: 'One desk with its rota (its members, supervisors and agency administrators; others get 404)',
  params: IdParams,
  response: { 200: DeskBody, ...errorResponses(401, 404) },
});

export const update = defineEndpoint({
  method: 'PATCH',
  path: '/desks/:id',
  tags,
  summary: 'Edit a desk (supervisors and administrators; only administrators change supervisors)',
  params: IdParams,
  body: UpdateDeskBody,
  response: { 200: DeskBody, ...errorResponses(400, 401, 403, 404, 409) },
});

export const remove = defineEndpoint({
  method: 'DELETE',
  path: '/desks/:id',
  tags,
  summary: 'Delete a desk (agency administrators); directory entries and desks that pointed at it lose the link',
  params: IdParams,
  response: { 200: OkBody, ...errorResponses(401, 403, 404) },
});

export const replaceRota = defineEndpoint({
  method: 'PUT',
  path: '/desks/:id/rota',
  tags,
  summary: "Replace the desk's rota (supervisors and administrators)",
  description: "The rota's time zone must be the desk's; every officer it names must be a member. Audited as desk.rota_replaced.",
  params: IdParams,
  body: Rota,
  response: { 200: DeskBody, ...errorResponses(400, 401, 403, 404) },
});

export const addOverride = defineEndpoint({
  method: 'POST',
  path: '/desks/:id/rota/overrides',
  tags,
  summary: 'Add an extra shift or a swap',
  description:
    'Supervisors and administrators add any override. A member may add a swap of their own shift: `replaces` = themselves, ' +
    '`officerId` another member, and [start, end) inside their own weekly shifts. Audited as desk.override_added.',
  params: IdParams,
  body: NewRotaOverride,
  response: { 201: DeskBody, ...errorResponses(400, 401, 403, 404) },
});

export const removeOverride = defineEndpoint({
  method: 'DELETE',
  path: '/desks/:id/rota/overrides/:overrideId',
  tags,
  summary: 'Remove an override (supervisors and administrators; a member their own swap)',
  params: OverrideParams,
  response: { 200: DeskBody, ...errorResponses(401, 403, 404) },
});

export const onDuty = defineEndpoint({
  method: 'GET',
  path: '/desks/:id/on-duty',
  tags,
  summary: "Who is on duty at `at` (default now), in escalation order; the backup desk's officers when nobody is",
  params: IdParams,
  query: OnDutyQuery,
  response: { 200: OnDuty, ...errorResponses(400, 401, 404) },
});
