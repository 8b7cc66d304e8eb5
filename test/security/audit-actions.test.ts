import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS, auditEvents, isAuditAction } from '../../server/audit/actions.ts';
import type { AuditService } from '../../server/audit/service.ts';
import type { Tx } from '../../server/store/store.ts';
import { bearer, makeApp } from '../world/app.ts';
import { makeChannel, makeWorld, postMessage, removeMember, sendBody } from '../world/messaging.ts';
import { rawDb } from '../world/db.ts';

describe('audit actions', () => {
  // Call sites are typed against the list (record<A extends AuditAction>); this checks the stored rows too.
  it('every action recorded while building and using a world is in the closed list', async () => {
    const t = await makeApp();
    const w = await makeWorld(t);
    const ch = makeChannel(t, w, w.alice, [w.bob, w.carol]);
    expect((await postMessage(t, ch, w.alice, sendBody(ch, w.alice))).statusCode).toBe(201);
    await t.app.inject({ method: 'PATCH', url: `/api/v1/channels/${ch.id}`, headers: bearer(w.alice.tokens), payload: { retentionDays: 30 } });
    removeMember(t, w, ch, w.alice, w.carol);
    // A refused attempt (a channel Carol left) is audited as access.denied.
    await t.app.inject({ method: 'GET', url: `/api/v1/channels/${ch.id}`, headers: bearer(w.carol.tokens) });
    await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: bearer(w.bob.tokens), payload: {} });
    const actions = rawDb(t.app).prepare('SELECT DISTINCT action FROM audit_events').pluck().all() as string[];
    expect(actions.length).toBeGreaterThan(5);
    expect(actions.filter((a) => !isAuditAction(a))).toEqual([]);
    expect(actions).toEqual(expect.arrayContaining(['platform.initialised', 'agency.created', 'officer.created', 'enrolment.completed', 'channel.updated', 'access.denied', 'auth.logout']));
    expect(new Set(AUDIT_ACTIONS).size).toBe(AUDIT_ACTIONS.length);
  });

  it('record accepts only listed actions, with the details of that action (compile-time)', () => {
    const typed = (audit: AuditService, tx: Tx) => {
      void audit.record(tx, { action: 'agreement.signed', details: { activated: true } });
      // @ts-expect-error not an audit action
      void audit.record(tx, { action: 'agreement.sgined', details: {} });
      // @ts-expect-error agreement.signed carries { activated: boolean }
      void audit.record(tx, { action: 'agreement.signed', details: { activated: 'yes' } });
      // @ts-expect-error channel.invited names the invitation
      void audit.record(tx, auditEvents.channelInvited({ officerId: 'o', agencyId: 'a', ip: null }, { type: 'channel', id: 'c', agencyId: null }, { invitee: 'x', seq: 1 }));
    };
    expect(typed).toBeTypeOf('function');
  });

  it('one typed builder per action', async () => {
    expect(Object.keys(auditEvents)).toHaveLength(AUDIT_ACTIONS.length);
    const actor = { officerId: 'o1', agencyId: 'a1', ip: '10.0.0.1' };
    const input = auditEvents.agreementSigned(actor, { type: 'agreement', id: 'ag1' }, { activated: true });
    expect(input).toEqual({ action: 'agreement.signed', actorId: 'o1', agencyId: 'a1', targetType: 'agreement', targetId: 'ag1', ip: '10.0.0.1', details: { activated: true } });
    expect(auditEvents.channelSetRole(null, { type: 'channel', id: 'c1', agencyId: null }).action).toBe('channel.set-role');
    // @ts-expect-error agreement.signed carries { activated: boolean }
    auditEvents.agreementSigned(actor, { type: 'agreement', id: 'ag1' }, { parties: [] });
    // The builders' output is what AuditService.record takes.
    const t = await makeApp();
    const event = await t.app.ctx.store.write((tx) => t.app.ctx.audit.record(tx, input));
    expect(event).toMatchObject({ action: 'agreement.signed', targetId: 'ag1' });
  });
});
