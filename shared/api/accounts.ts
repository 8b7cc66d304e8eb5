import { Type } from 'typebox';
import { Agency, CreateAgencyBody, CreatedAgency, CreatedOfficer, Enrolment, MAX_PROFILE_IDS, NewOfficerInput, Officer, OfficerProfile, SetRoleBody, UpdateAgencyBody } from '../schemas/accounts.ts';
import { RevokedCount, SessionList } from '../schemas/auth.ts';
import { IdParams, errorResponses } from '../schemas/common.ts';
import { defineEndpoint } from './endpoint.ts';

export const AgencyBody = Type.Object({ agency: Agency });
export const OfficerBody = Type.Object({ officer: Officer });

const agencyTags = ['agencies'];
const officerTags = ['officers'];

export const createAgency = defineEndpoint({
  method: 'POST',
  path: '/agencies',
  tags: agencyTags,
  summary: 'Create an agency and its first administrator (platform admin)',
  body: CreateAgencyBody,
  response: { 201: CreatedAgency, ...errorResponses(400, 401, 403, 409) },
});

export const listAgencies = defineEndpoint({
  method: 'GET',
  path: '/agencies',
  tags: agencyTags,
  summary: 'All agencies of the network',
  response: { 200: Type.Object({ agencies: Type.Array(Agency) }), ...errorResponses(401) },
});

export const getAgency = defineEndpoint({
  method: 'GET',
  path: '/agencies/:id',
  tags: agencyTags,
  params: IdParams,
  response: { 200: AgencyBody, ...errorResponses(401, 404) },
});

export const updateAgency = defineEndpoint({
  method: 'PATCH',
  path: '/agencies/:id',
  tags: agencyTags,
  summary: 'Suspend or reactivate an agency (platform admin)',
  params: IdParams,
  body: UpdateAgencyBody,
  response: { 200: AgencyBody, ...errorResponses(400, 401, 403, 404, 409) },
});

export const createOfficer = defineEndpoint({
  method: 'POST',
  path: '/agencies/:id/officers',
  tags: officerTags,
  summary: 'Create an officer in an agency; returns a one-time enrolment link',
  params: IdParams,
  body: NewOfficerInput,
  response: { 201: CreatedOfficer, ...errorResponses(400, 401, 403, 404, 409) },
});

export const listOfficers = defineEndpoint({
  method: 'GET',
  path: '/agencies/:id/officers',
  tags: officerTags,
  summary: "An agency's officers (its administrators, or platform admins)",
  params: IdParams,
  response: { 200: Type.Object({ officers: Type.Array(Officer) }), ...errorResponses(401, 404) },
});

export const officerProfiles = defineEndpoint({
  method: 'GET',
  path: '/officers/profiles',
  tags: officerTags,
  summary: `Names and agencies of officers by id, comma-separated, at most ${MAX_PROFILE_IDS} (any signed-in officer; unknown ids are left out): channel members, inviters, senders`,
  query: Type.Object({ ids: Type.String({ minLength: 1, maxLength: MAX_PROFILE_IDS * 65, pattern: '^[A-Za-z0-9_-]+(,[A-Za-z0-9_-]+)*$' }) }, { additionalProperties: false }),
  response: { 200: Type.Object({ profiles: Type.Array(OfficerProfile) }), ...errorResponses(400, 401) },
});

export const getOfficer = defineEndpoint({
  method: 'GET',
  path: '/officers/:id',
  tags: officerTags,
  params: IdParams,
  response: { 200: OfficerBody, ...errorResponses(401, 404) },
});

const officerAction = <const P extends string>(path: P, summary: string) =>
  defineEndpoint({ method: 'POST', path, tags: officerTags, summary, params: IdParams, response: { 200: OfficerBody, ...errorResponses(401, 403, 404, 409) } });

export const suspendOfficer = officerAction('/officers/:id/suspend', 'Suspend an officer and revoke all their sessions');
export const reactivateOfficer = officerAction('/officers/:id/reactivate', 'Reactivate a suspended officer');
export const unlockOfficer = officerAction('/officers/:id/unlock', 'Unlock an officer locked out by failed sign-ins');

export const setRole = defineEndpoint({
  method: 'PUT',
  path: '/officers/:id/role',
  tags: officerTags,
  summary: "Change an officer's role (never above your own)",
  params: IdParams,
  body: SetRoleBody,
  response: { 200: OfficerBody, ...errorResponses(400, 401, 403, 404, 409) },
});

export const reissueEnrolment = defineEndpoint({
  method: 'POST',
  path: '/officers/:id/enrolment',
  tags: officerTags,
  summary: 'Issue a new enrolment link (revokes older ones)',
  params: IdParams,
  response: { 201: Type.Object({ enrolment: Enrolment }), ...errorResponses(401, 404, 409) },
});

export const officerSessions = defineEndpoint({
  method: 'GET',
  path: '/officers/:id/sessions',
  tags: officerTags,
  params: IdParams,
  response: { 200: SessionList, ...errorResponses(401, 404) },
});

export const revokeOfficerSessions = defineEndpoint({
  method: 'DELETE',
  path: '/officers/:id/sessions',
  tags: officerTags,
  summary: "Revoke all of an officer's sessions",
  params: IdParams,
  response: { 200: RevokedCount, ...errorResponses(401, 404) },
});
