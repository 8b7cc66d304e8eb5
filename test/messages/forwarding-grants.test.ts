/**
 * PROTOCOL.md §8.2–8.3 on the server: an H2 message (Europol handling code: not to be passed on without the
 * provider's permission) is forwarded only under a `use-grant` its originator declared — purpose
 * `onward-to-third-party`, for the target's agency, not expired — and keeps its code.
 */
import { describe, expect, it } from 'vitest';
import { policyFromMinimum } from '../../shared/crypto/index.ts';
import { expectError, makeApp, worldOf } from '../world/app.ts';
import { postMessage, sendBody } from '../world/messaging.ts';
import { rawDb } from '../world/db.ts';

const DAY_MS = 86_400_000;
const EUROPOL = policyFromMinimum('H0', 'H2', { handling: 'europol-h', evaluation: 'europol-4x4' });

describe('H2 forwarding under use grants', () => {
  it('refuses without a grant, for another purpose, another agency or after expiry; allows with a matching grant', async () => {
    const t = await makeApp();
    const w = worldOf(t);
    const pt = await w.agency({ name: 'PJ', country: 'PT', admin: 'pt-admin' });
    const es = await w.agency({ name: 'Guardia Civil', country: 'ES', admin: 'es-admin' });
    const fr = await w.agency({ name: 'OFAST', country: 'FR', admin: 'fr-admin' });
    const de = await w.agency({ name: 'BKA', country: 'DE', admin: 'de-admin' });
    const ana = w.keys(await w.officer(pt, 'ana'));
    const rui = w.keys(await w.officer(pt, 'rui'));
    const bob = w.keys(await w.officer(es, 'bob'));
    const carla = w.keys(await w.officer(fr, 'carla'));
    for (const a of [pt.id, es.id, fr.id, de.id]) w.root(a);
    const ptEs = w.agreement([pt.id, es.id], { id: 'mou-pt-es', proposedBy: ana.id });
    const ptFr = w.agreement([fr.id, pt.id], { id: 'mou-pt-fr', proposedBy: ana.id });

    const source = w.channel(bob, [ana], { agreementId: ptEs, policy: EUROPOL });
    const toFrance = w.channel(ana, [carla], { agreementId: ptFr, policy: EUROPOL });
    const own = w.channel(ana, [rui], { policy: EUROPOL });
    expect((await postMessage(t, source, bob, sendBody(source, bob, { messageId: 'src-h2', handling: 'H2' }))).statusCode).toBe(201);
    expect((await postMessage(t, source, bob, sendBody(source, bob, { messageId: 'src-h1', handling: 'H1' }))).statusCode).toBe(201);

    const forward = async (to: typeof own, grantId?: string, handling: 'H1' | 'H2' = 'H2') => {
      const res = await postMessage(t, to, ana, { ...sendBody(to, ana, { handling }), forwardedFrom: { messageId: 'src-h2', ...(grantId ? { grantId } : {}) } });
      return res.statusCode === 201 ? 'sent' : (expectError(res, 403, 'forwarding_forbidden'), 'refused');
    };
    const declare = async (who: typeof bob, messageId: string, grant: Record<string, unknown>) =>
      postMessage(t, source, who, { ...sendBody(source, who, { messageId, handling: 'H2' }), grant: { sourceMessageId: 'src-h2', expiresAt: t.clock.now() + DAY_MS, ...grant } });

    // No grant: not even inside the recipient's agency.
    expect(await forward(toFrance)).toBe('refused');
    expect(await forward(own)).toBe('refused');
    // H1 restricts judicial use only: it is forwarded like any message.
    const h1 = await postMessage(t, toFrance, ana, { ...sendBody(toFrance, ana, { handling: 'H1' }), forwardedFrom: { messageId: 'src-h1' } });
    expect(h1.statusCode, h1.body).toBe(201);

    // Only the originator declares a grant, in the source channel, expiring in the future.
    expectError(await declare(ana, 'g-not-mine', { purpose: 'onward-to-third-party', granteeAgencyId: fr.id }), 400, 'grant_invalid');
    expectError(await declare(bob, 'g-past', { purpose: 'onward-to-third-party', granteeAgencyId: fr.id, expiresAt: t.clock.now() - 1 }), 400, 'grant_invalid');

    // A grant for another purpose, or for another agency, does not open the forward.
    expect((await declare(bob, 'g-judicial', { purpose: 'judicial-proceedings', granteeAgencyId: fr.id })).statusCode).toBe(201);
    expect(await forward(toFrance, 'g-judicial')).toBe('refused');
    expect((await declare(bob, 'g-germany', { purpose: 'onward-to-third-party', granteeAgencyId: de.id })).statusCode).toBe(201);
    expect(await forward(toFrance, 'g-germany')).toBe('refused');
    // A grant id that is not a grant (the source message itself).
    expect(await forward(toFrance, 'src-h2')).toBe('refused');

    // The matching grant: France may receive it, and the forward keeps H2.
    const ok = await declare(bob, 'g-france', { purpose: 'onward-to-third-party', granteeAgencyId: fr.id, expiresAt: t.clock.now() + 60_000 });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(await forward(toFrance, 'g-france', 'H1')).toBe('refused');
    expect(await forward(toFrance, 'g-france')).toBe('sent');
    // The recipient's own agency is covered once a grant exists.
    expect(await forward(own, 'g-france')).toBe('sent');
    // Expired: refused again.
    t.clock.advance(61_000);
    expect(await forward(toFrance, 'g-france')).toBe('refused');

    const audit = rawDb(t.app).prepare("SELECT target_id AS targetId, details FROM audit_events WHERE action = 'use_grant.declared' ORDER BY seq").all() as { targetId: string; details: string }[];
    expect(audit.map((a) => (JSON.parse(a.details) as { grantId: string }).grantId)).toEqual(['g-judicial', 'g-germany', 'g-france']);
    expect(audit.every((a) => a.targetId === 'src-h2')).toBe(true);
  });
});
