import { Type } from 'typebox';
import { Channel, Invitation } from '../schemas/channels.ts';
import { IdParams, OkBody, errorResponses } from '../schemas/common.ts';
import {
  ContactBody,
  ContactTarget,
  CreateDirectoryEntryBody,
  DirectoryEntry,
  DirectoryEntryDetail,
  DirectoryPage,
  DirectorySearchQuery,
  StalePage,
  StaleQuery,
  UpdateDirectoryEntryBody,
} from '../schemas/directory.ts';
import { defineEndpoint } from './endpoint.ts';

export const EntryBody = Type.Object({ entry: DirectoryEntry });
export const ContactCreated = Type.Object({
  channel: Channel,
  invitation: Type.Union([Invitation, Type.Null()]),
  pageId: Type.Optional(Type.String({ description: 'A desk entry: the urgent page opened for the desk (GET /pages/:id shows the desk phone once it is exhausted)' })),
});

const tags = ['directory'];

export const search = defineEndpoint({
  method: 'GET',
  path: '/directory',
  tags,
  summary: 'Search contact points (any active officer)',
  description:
    'Free text (word prefixes over title, agency, notes, officer name) and filters, in a stable order: fresh before stale ' +
    '(not re-confirmed for 180 days), then country, agency name, title, id. Follow `nextCursor` for the next page; ' +
    'a cursor pins `asOf` and is valid for 15 minutes.',
  query: DirectorySearchQuery,
  response: { 200: DirectoryPage, ...errorResponses(400, 401) },
});

export const stale = defineEndpoint({
  method: 'GET',
  path: '/directory/stale',
  tags,
  summary: "Stale entries to re-confirm: the caller's agency (agency admin) or all (platform admin)",
  query: StaleQuery,
  response: { 200: StalePage, ...errorResponses(400, 401, 403) },
});

export const get = defineEndpoint({
  method: 'GET',
  path: '/directory/:id',
  tags,
  summary: 'One contact point, with when its availability next changes',
  params: IdParams,
  response: { 200: DirectoryEntryDetail, ...errorResponses(401, 404) },
});

export const create = defineEndpoint({
  method: 'POST',
  path: '/directory',
  tags,
  summary: 'Create a contact point (agency admin: own agency; platform admin: any)',
  body: CreateDirectoryEntryBody,
  response: { 201: EntryBody, ...errorResponses(400, 401, 403, 404, 409) },
});

export const update = defineEndpoint({
  method: 'PATCH',
  path: '/directory/:id',
  tags,
  summary: 'Edit a contact point',
  params: IdParams,
  body: UpdateDirectoryEntryBody,
  response: { 200: EntryBody, ...errorResponses(400, 401, 403, 404, 409) },
});

export const confirm = defineEndpoint({
  method: 'POST',
  path: '/directory/:id/confirm',
  tags,
  summary: 'Re-confirm a contact point is still correct (resets the 180-day staleness clock)',
  params: IdParams,
  response: { 200: EntryBody, ...errorResponses(401, 403, 404) },
});

export const contactTarget = defineEndpoint({
  method: 'GET',
  path: '/directory/:id/contact',
  tags,
  summary: 'Whom you may contact through this entry, and whether it would be a contact request (no covering agreement)',
  params: IdParams,
  response: { 200: ContactTarget, ...errorResponses(401, 404, 409) },
});

export const contact = defineEndpoint({
  method: 'POST',
  path: '/directory/:id/contact',
  tags,
  summary: "Open a direct channel to the entry's contact: a contact request between agencies without a covering agreement",
  description:
    'Another agency: `events` = the signed create event of a direct channel (agreementId = the covering agreement, or "" ' +
    "for a contact request) and `invite` = the recipient's add, which waits as an invitation only the recipient can " +
    'accept (co-sign) or decline. Same agency: `events` = create and add. Audited as directory.contact_requested / directory.contacted.',
  params: IdParams,
  body: ContactBody,
  response: { 201: ContactCreated, ...errorResponses(400, 401, 403, 404, 409) },
});

export const retire = defineEndpoint({
  method: 'DELETE',
  path: '/directory/:id',
  tags,
  summary: 'Retire a contact point (soft delete: kept for the audit trail, gone from search)',
  params: IdParams,
  response: { 200: OkBody, ...errorResponses(401, 403, 404) },
});
