import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import * as contracts from '../../shared/api/keys.ts';
import { actorOf } from '../http/authenticate.ts';
import { route } from '../http/route.ts';

export const keysRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;

  route(app, contracts.register, async (req) => await ctx.keys.register(actorOf(req), req.body));

  route(app, contracts.backup, async (req) => ({ backup: await ctx.keys.backup(actorOf(req)) }));

  route(app, contracts.rotatePrekey, async (req) => ({ keys: await ctx.keys.rotatePrekey(actorOf(req), req.body) }));

  route(app, contracts.requestRenewal, async (req) => ({ keys: await ctx.keys.requestRenewal(actorOf(req), req.body) }));

  route(app, contracts.addDevice, async (req, reply) => {
    const { device, created } = await ctx.keys.addDevice(actorOf(req), req.body);
    return reply.status(created ? 201 : 200).send({ device });
  });

  route(app, contracts.myDevices, async (req) => ({ devices: await ctx.keys.myDevices(actorOf(req)) }));

  route(app, contracts.revokeDevice, async (req) => ({ device: await ctx.keys.revokeDevice(actorOf(req), req.params.deviceId, req.body) }));

  route(app, contracts.certify, async (req) => ({ keys: await ctx.keys.certify(actorOf(req), req.body) }));

  route(app, contracts.pendingRevocations, async (req) => ({ officers: await ctx.keys.pendingRevocations(actorOf(req)) }));

  route(app, contracts.revoke, async (req) => ({ keys: await ctx.keys.revoke(actorOf(req), req.body) }));

  route(app, contracts.pending, async (req) => ({ officers: await ctx.keys.pending(actorOf(req)) }));

  route(app, contracts.officerKeys, async (req) => ({ keys: await ctx.keys.officerKeys(actorOf(req), req.params.id) }));

  route(app, contracts.agencyRoot, async (req) => {
    actorOf(req);
    return ctx.keys.root(req.params.id);
  });

  route(app, contracts.rootProposal, async (req) => ({ proposal: await ctx.keys.rootProposal(actorOf(req), req.params.id) }));

  route(app, contracts.proposeRootSet, async (req, reply) => reply.status(201).send(await ctx.keys.proposeRootSet(actorOf(req), req.params.id, req.body)));

  route(app, contracts.signRootSet, async (req) => ctx.keys.signRootSet(actorOf(req), req.params.id, req.body));

  route(app, contracts.keyLog, async (req) => {
    actorOf(req);
    return ctx.keys.keyLog(req.query.from ?? 0, req.query.limit ?? 500);
  });
};
