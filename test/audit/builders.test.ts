import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS, auditEvents, type AuditEvents } from '../../server/audit/actions.ts';

const officer = { officerId: 'o1', agencyId: 'a1', ip: '10.0.0.1' };

describe('audit event builders', () => {
  it('every action in AUDIT_ACTIONS has exactly one builder, named in camel case, that builds that action', () => {
    const names = AUDIT_ACTIONS.map((a) => a.replace(/[._-]([a-z])/g, (_, c: string) => c.toUpperCase()));
    expect(new Set(names).size).toBe(AUDIT_ACTIONS.length);
    expect(Object.keys(auditEvents).sort()).toEqual([...names].sort());
    AUDIT_ACTIONS.forEach((action, i) => {
      const build = auditEvents[names[i] as keyof AuditEvents] as (...args: unknown[]) => { action: string };
      expect(build(null, null).action).toBe(action);
    });
    expect(auditEvents.channelSetRole(null, null).action).toBe('channel.set-role');
    expect(auditEvents.extendedAccessRenewed(null, null).action).toBe('extended_access.renewed');
  });

  it("records the actor's agency unless the target names one (null included)", () => {
    expect(auditEvents.keysBackupUpdated(officer, { type: 'officer', id: 'o1' })).toEqual({
      action: 'keys.backup_updated',
      actorId: 'o1',
      agencyId: 'a1',
      targetType: 'officer',
      targetId: 'o1',
      ip: '10.0.0.1',
    });
    expect(auditEvents.officerUnlocked(officer, { type: 'officer', id: 'o2', agencyId: 'a2' }).agencyId).toBe('a2');
    // An explicit null is kept: a source-address back-off belongs to no agency.
    expect(auditEvents.authThrottled(officer, { type: 'source', id: '10.0.0.1', agencyId: null }).agencyId).toBeNull();
    expect(auditEvents.accessDeniedSuppressed(officer, null)).toMatchObject({ agencyId: 'a1', targetType: null, targetId: null });
  });

  it('a null actor is the system: no actor, no address; the agency comes from the target or is null', () => {
    expect(auditEvents.platformInitialised(null, { type: 'officer', id: 'o1', agencyId: 'a1' }, { username: 'admin' })).toEqual({
      action: 'platform.initialised',
      actorId: null,
      agencyId: 'a1',
      targetType: 'officer',
      targetId: 'o1',
      ip: null,
      details: { username: 'admin' },
    });
    expect(auditEvents.messagesRetentionSweep(null, { type: 'messages', id: null })).toMatchObject({ actorId: null, agencyId: null, ip: null });
  });

  it('a caller not signed in keeps its address without an actor (sign-in attempts)', () => {
    const anonymous = { officerId: null, agencyId: null, ip: '192.0.2.7' };
    const input = auditEvents.authLogin(anonymous, { type: 'officer', id: null }, { username: 'nobody', reason: 'unknown_user' }, 'failure');
    expect(input).toEqual({
      action: 'auth.login',
      actorId: null,
      agencyId: null,
      targetType: 'officer',
      targetId: null,
      ip: '192.0.2.7',
      outcome: 'failure',
      details: { username: 'nobody', reason: 'unknown_user' },
    });
  });

  it('outcome and details appear only when given (AuditService.record defaults to success and {})', () => {
    const plain = auditEvents.authLogout(officer, { type: 'session', id: 's1' });
    expect(plain).not.toHaveProperty('outcome');
    expect(plain).not.toHaveProperty('details');
    expect(auditEvents.authRefreshReuse(officer, { type: 'session', id: 's1' }, undefined, 'denied')).toMatchObject({ outcome: 'denied' });
    expect(auditEvents.officerRoleChanged(officer, null, { from: 'officer', to: 'platform_admin' }, 'denied').outcome).toBe('denied');
    // Details are passed through as given: their key order is what the audit chain hashes.
    const details = { suppressed: 3, windowStart: 1, windowMs: 60_000, recorded: 10 };
    const built = auditEvents.accessDeniedSuppressed(officer, null, details, 'denied');
    expect(built.details).toBe(details);
    expect(JSON.stringify(built.details)).toBe('{"suppressed":3,"windowStart":1,"windowMs":60000,"recorded":10}');
  });

  it('details are typed per action (compile-time)', () => {
    const typed = () => {
      // @ts-expect-error officer.created carries { username, role }
      auditEvents.officerCreated(officer, null, { username: 'x' });
      // @ts-expect-error auth.logout carries no details
      auditEvents.authLogout(officer, null, { reason: 'x' });
      // @ts-expect-error not an outcome
      auditEvents.officerUnlocked(officer, null, undefined, 'ok');
    };
    expect(typed).toBeTypeOf('function');
  });
});
