import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Channel, Invitation } from '../../shared/schemas/channels.ts';
import { IdParams, OkBody, errorResponses } from '../../shared/schemas/common.ts';
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
} from '../../shared/schemas/directory.ts';
import { actorOf } from '../http/authenticate.ts';

const EntryBody = Type.Object({ entry: DirectoryEntry });
const ContactCreated = Type.Object({ channel: Channel, invitation: Type.Union([Invitation, Type.Null()]) });

export const directoryRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  const tags = ['directory'];
  const byId = { params: IdParams };

  app.get(
    '/directory',
    {
      schema: {
        tags,
        summary: 'Search contact points (any active officer)',
        description:
          'Free text (word prefixes over title, agency, notes, officer name) and filters, in a stable order: fresh before stale ' +
          '(not re-confirmed for 180 days), then country, agency name, title, id. Follow `nextCursor` for the next page; ' +
          'a cursor pins `asOf` and is valid for 15 minutes.',
        querystring: DirectorySearchQuery,
        response: { 200: DirectoryPage, ...errorResponses(400, 401) },
      },
    },
    async (req) => ctx.directory.search(actorOf(req), req.query),
  );

  app.get(
    '/directory/stale',
    {
      schema: {
        tags,
        summary: "Stale entries to re-confirm: the caller's agency (agency admin) or all (platform admin)",
        querystring: StaleQuery,
        response: { 200: StalePage, ...errorResponses(400, 401, 403) },
      },
    },
    async (req) => ctx.directory.stale(actorOf(req), req.query),
  );

  app.get(
    '/directory/:id',
    {
      schema: {
        tags,
        summary: 'One contact point, with when its availability next changes',
        ...byId,
        response: { 200: DirectoryEntryDetail, ...errorResponses(401, 404) },
      },
    },
    async (req) => ctx.directory.get(actorOf(req), req.params.id),
  );

  app.post(
    '/directory',
    {
      schema: {
        tags,
        summary: "Create a contact point (agency admin: own agency; platform admin: any)",
        body: CreateDirectoryEntryBody,
        response: { 201: EntryBody, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => reply.status(201).send({ entry: await ctx.directory.create(actorOf(req), req.body) }),
  );

  app.patch(
    '/directory/:id',
    {
      schema: {
        tags,
        summary: 'Edit a contact point',
        ...byId,
        body: UpdateDirectoryEntryBody,
        response: { 200: EntryBody, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req) => ({ entry: await ctx.directory.update(actorOf(req), req.params.id, req.body) }),
  );

  app.post(
    '/directory/:id/confirm',
    {
      schema: {
        tags,
        summary: 'Re-confirm a contact point is still correct (resets the 180-day staleness clock)',
        ...byId,
        response: { 200: EntryBody, ...errorResponses(401, 403, 404) },
      },
    },
    async (req) => ({ entry: await ctx.directory.confirm(actorOf(req), req.params.id) }),
  );

  app.get(
    '/directory/:id/contact',
    {
      schema: {
        tags,
        summary: 'Whom you may contact through this entry, and whether it would be a contact request (no covering agreement)',
        ...byId,
        response: { 200: ContactTarget, ...errorResponses(401, 404, 409) },
      },
    },
    async (req) => ctx.directory.contacts.target(actorOf(req), req.params.id),
  );

  app.post(
    '/directory/:id/contact',
    {
      schema: {
        tags,
        summary: "Open a direct channel to the entry's contact: a contact request between agencies without a covering agreement",
        description:
          'Another agency: `events` = the signed create event of a direct channel (agreementId = the covering agreement, or "" ' +
          'for a contact request) and `invite` = the recipient\'s add, which waits as an invitation only the recipient can ' +
          'accept (co-sign) or decline. Same agency: `events` = create and add. Audited as directory.contact_requested / directory.contacted.',
        ...byId,
        body: ContactBody,
        response: { 201: ContactCreated, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => reply.status(201).send(await ctx.directory.contacts.open(actorOf(req), req.params.id, req.body)),
  );

  app.delete(
    '/directory/:id',
    {
      schema: {
        tags,
        summary: 'Retire a contact point (soft delete: kept for the audit trail, gone from search)',
        ...byId,
        response: { 200: OkBody, ...errorResponses(401, 403, 404) },
      },
    },
    async (req) => {
      await ctx.directory.retire(actorOf(req), req.params.id);
      return { ok: true as const };
    },
  );
};
