import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createMembershipEvent,
  generateIdentity,
  issueCertificate,
  membershipEventCodec,
  membershipEventHash,
  policyFromMinimum,
  type ChannelState,
} from '../../shared/crypto/index.ts';
import { api, twoAgencyNetwork, waitFor } from '../world/network.ts';
import { startHost } from './host.ts';
import { tamperableFetch } from './tamper.ts';
import { rawDb } from '../world/db.ts';

const YEAR_MS = 365 * 24 * 3600 * 1000;

/** Alice opens a case channel with adminA (same agency, added at once) and invites Bob: his add is seq 2. */
async function setup(prefix: string) {
  const host = await startHost();
  const bobFetch = tamperableFetch();
  const posted: string[] = [];
  const net = await twoAgencyNetwork(host, { prefix, fetch: { bob: bobFetch.fetch } });
  const channel = await net.alice.createChannel({ kind: 'case', agreementId: net.agreement.id, title: 'Operation Heron', members: [net.adminA.officerId!, net.bob.officerId!] });
  const invitation = await waitFor(async () => (await net.bob.invitations()).find((i) => i.channelId === channel.id), 'invitation');
  bobFetch.set((url, method, body) => {
    if (method === 'POST') posted.push(url.pathname);
    return body;
  });
  const db = rawDb(host.app);
  const status = () => db.prepare('SELECT status FROM invitations WHERE id = ?').pluck().get(invitation.id);
  const seqs = () => db.prepare('SELECT seq FROM membership_events WHERE channel_id = ? ORDER BY seq').pluck().all(channel.id);
  return { host, net, channel, invitation, bobFetch, posted, status, seqs };
}

describe('an invitee verifies what it co-signs (PROTOCOL.md §5.5)', () => {
  it('refuses when the chain the server shows does not end at the add\'s prevHash; accepts the honest chain', { timeout: 60_000 }, async () => {
    const { net, channel, invitation, bobFetch, posted, status, seqs } = await setup('iv-');
    expect(invitation.event.seq).toBe(2);
    // The server hides the add of adminA: the chain it shows ends at seq 0, not at the add's prevHash.
    bobFetch.set((url, method, body) => {
      if (method === 'POST') posted.push(url.pathname);
      if (url.pathname.endsWith(`/invitations/${invitation.id}/events`)) return { events: (body as { events: unknown[] }).events.slice(0, 1) };
      return body;
    });
    await expect(net.bob.acceptInvitation(invitation.id)).rejects.toMatchObject({ code: 'invitation/bad-chain' });
    // Nothing co-signed left the device; the invitation is still pending and the chain unchanged.
    expect(posted.filter((p) => p.includes('/accept'))).toEqual([]);
    expect(status()).toBe('pending');
    expect(seqs()).toEqual([0, 1]);

    // A chain that is complete but was altered (a different event at seq 1) does not verify either.
    bobFetch.set((url, method, body) => {
      if (method === 'POST') posted.push(url.pathname);
      if (!url.pathname.endsWith(`/invitations/${invitation.id}/events`)) return body;
      const [create, add] = (body as { events: Record<string, unknown>[] }).events;
      return { events: [create, { ...add, time: (add!.time as number) + 1 }] };
    });
    await expect(net.bob.acceptInvitation(invitation.id)).rejects.toMatchObject({ code: 'invitation/bad-chain' });
    expect(posted.filter((p) => p.includes('/accept'))).toEqual([]);

    // The agreement the channel names: shown suspended, or with one agency's signature missing, it is refused.
    const agreementPath = `/api/v1/agreements/${net.agreement.id}`;
    const tamperAgreement = (change: (a: Record<string, unknown>) => Record<string, unknown>) =>
      bobFetch.set((url, method, body) => {
        if (method === 'POST') posted.push(url.pathname);
        if (url.pathname !== agreementPath) return body;
        return { agreement: change((body as { agreement: Record<string, unknown> }).agreement) };
      });
    tamperAgreement((a) => ({ ...a, status: 'suspended' }));
    await expect(net.bob.acceptInvitation(invitation.id)).rejects.toMatchObject({ code: 'invitation/bad-agreement' });
    tamperAgreement((a) => ({ ...a, parties: (a.parties as Record<string, unknown>[]).map((p) => (p.agencyId === net.a.agencyId ? { ...p, signature: null, signedBy: null } : p)) }));
    await expect(net.bob.acceptInvitation(invitation.id)).rejects.toMatchObject({ code: 'invitation/bad-agreement' });
    expect(posted.filter((p) => p.includes('/accept'))).toEqual([]);

    // The honest server: Bob verifies the chain, co-signs and joins.
    bobFetch.set(null);
    await net.bob.acceptInvitation(invitation.id);
    expect(status()).toBe('accepted');
    expect((await net.bob.members(channel.id)).map((m) => m.officerId).sort()).toEqual([net.alice.officerId, net.adminA.officerId, net.bob.officerId].sort());
  });

  it('refuses an add whose actor has no certificate from its agency root (a server-invented inviter)', { timeout: 60_000 }, async () => {
    const { host, net, invitation, bobFetch, posted, status } = await setup('iw-');
    // The server invents an officer of agency A and a "root" to certify it, opens a chain in its name and invites Bob.
    const now = host.clock.now();
    const ghost = generateIdentity({ officerId: crypto.randomUUID(), agencyId: net.a.agencyId });
    const fakeRoot = generateIdentity({ officerId: crypto.randomUUID(), agencyId: net.a.agencyId });
    const ghostCert = issueCertificate(ghost, { role: 'officer', issuedAt: now - 1000, expiresAt: now + YEAR_MS }, fakeRoot);
    const real = membershipEventCodec.fromWire(invitation.event);
    const create = createMembershipEvent(
      null,
      { channelId: invitation.channelId, kind: 'create', time: now, actorOfficerId: ghost.officerId, actorDeviceId: 'd', channelKind: 'case', agreementId: net.agreement.id, policy: policyFromMinimum('TLP:GREEN'), member: ghostCert },
      ghost,
    );
    const state = { channelId: invitation.channelId, current: { epoch: 0, stateHash: membershipEventHash(create) } } as unknown as ChannelState;
    const add = createMembershipEvent(state, { kind: 'add', time: now, actorOfficerId: ghost.officerId, actorDeviceId: 'd', member: real.member!, role: 'member' }, ghost);
    bobFetch.set((url, method, body) => {
      if (method === 'POST') posted.push(url.pathname);
      if (url.pathname.endsWith('/invitations')) {
        const list = (body as { invitations: Record<string, unknown>[] }).invitations;
        return { invitations: list.map((i) => (i.id === invitation.id ? { ...i, event: membershipEventCodec.toWire(add) } : i)) };
      }
      if (url.pathname.endsWith(`/invitations/${invitation.id}/events`)) return { events: [membershipEventCodec.toWire(create)] };
      return body;
    });
    const err = await net.bob.acceptInvitation(invitation.id).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'invitation/bad-chain' });
    expect((err as Error).cause).toMatchObject({ code: 'chain/bad-creator-certificate' });
    expect(posted.filter((p) => p.includes('/accept'))).toEqual([]);
    expect(status()).toBe('pending');
  });

  it('the server serves the chain before the add to the invited officer only, and only while the invitation is pending', { timeout: 60_000 }, async () => {
    const { host, net, invitation } = await setup('ix-');
    const url = `/invitations/${invitation.id}/events`;
    const { events } = await api<{ events: Record<string, unknown>[] }>(host, 'GET', url, { token: net.b.bob.accessToken });
    expect(events.map((e) => e.seq)).toEqual([0, 1]);
    // The inviter, an officer of its agency, and the invitee's own agency administrator: not found.
    for (const c of [net.a.alice, net.a.admin, net.b.admin]) await api(host, 'GET', url, { token: c.accessToken, expect: 404 });
    await net.bob.declineInvitation(invitation.id);
    await api(host, 'GET', url, { token: net.b.bob.accessToken, expect: 409 });
  });
});

