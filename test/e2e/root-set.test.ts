import { describe, expect, it } from 'vitest';
import { LiaisonApiError, type LiaisonClient } from '../../client/sdk/index.ts';
import { rootSetCodec, type RootSet } from '../../shared/crypto/index.ts';
import { E2E_PASSPHRASE, E2E_PASSWORD, api, createOfficer, openCaseChannel, signIn, twoAgencyNetwork, type Creds, type Host } from '../world/network.ts';
import { securityLog, startHost } from './host.ts';
import { tamperableFetch } from './tamper.ts';

/**
 * PROTOCOL.md §4.4 (v2): an agency root is a set of administrators' keys with a threshold. Any member of the
 * set in force certifies; changing the set takes `threshold` signatures of the set in force; every client
 * verifies the chain of sets from the version-0 key it pinned.
 */

async function admin(host: Host, by: Creds, username: string): Promise<{ creds: Creds; client: LiaisonClient }> {
  const creds = await createOfficer(host, by, { username, displayName: username, password: E2E_PASSWORD, role: 'agency_admin' });
  const client = await signIn(host, creds);
  await client.createIdentity(E2E_PASSPHRASE);
  return { creds, client };
}

/** The rejection of `p` (an SDK, API or protocol error, each with a `code`). */
async function apiError(p: Promise<unknown>): Promise<Error & { code: string }> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof Error) || typeof (err as { code?: unknown }).code !== 'string') throw new Error(`expected an error with a code, got ${String(err)}`);
  return err as Error & { code: string };
}

describe('agency root sets: 2-of-3 roots and rotation (PROTOCOL.md §4.4)', () => {
  it('rotates 2-of-3 with two signatures only; every client follows; a key rotated out stops certifying', { timeout: 120_000 }, async () => {
    const host = await startHost();
    const bobFetch = tamperableFetch();
    const net = await twoAgencyNetwork(host, { prefix: 'rs-', fetch: { bob: bobFetch.fetch } });
    const { adminA, bob } = net;
    const carol = await admin(host, net.a.admin, 'rs-carol');
    const dave = await admin(host, net.a.admin, 'rs-dave');
    expect(await adminA.certifyPending()).toEqual(expect.arrayContaining([carol.creds.id, dave.creds.id]));

    // Version 1: {adminA, carol, dave}, 2 of 3. The set in force (version 0, the v1 root alone) needs 1 signature.
    const v1 = await adminA.proposeRootSet([net.a.admin.id, carol.creds.id, dave.creds.id], 2);
    expect(v1).toEqual({ version: 1, applied: true, signatures: 1, threshold: 1 });

    // Any member of the set certifies: carol certifies a new officer, and Bob (another agency) verifies it.
    const erin = await createOfficer(host, net.a.admin, { username: 'rs-erin', displayName: 'Erin', password: E2E_PASSWORD });
    const erinClient = await signIn(host, erin);
    await erinClient.createIdentity(E2E_PASSPHRASE);
    expect(await carol.client.certifyPending()).toEqual([erin.id]);
    const erinKeys = await api<{ keys: { certificate: { issuerOfficerId: string } } }>(host, 'GET', `/keys/officers/${erin.id}`, { token: net.b.bob.accessToken });
    expect(erinKeys.keys.certificate.issuerOfficerId).toBe(carol.creds.id);
    const channel = await openCaseChannel({ alice: erinClient, bob, agreement: net.agreement }, { title: 'Certified by a root-set member' });
    const seenByBob = await bob.channel(channel.id);
    expect(seenByBob.members.map((m) => m.officerId).sort()).toEqual([erin.id, net.b.bob.id].sort());

    // Version 2 drops adminA: carol proposes, one signature of the two needed → not in force yet.
    const proposed = await carol.client.proposeRootSet([carol.creds.id, dave.creds.id], 2);
    expect(proposed).toEqual({ version: 2, applied: false, signatures: 1, threshold: 2 });
    expect((await bob.agencyRootSet(net.a.agencyId)).current.version).toBe(1);
    // adminA may still certify while the proposal waits.
    const frank = await createOfficer(host, net.a.admin, { username: 'rs-frank', displayName: 'Frank', password: E2E_PASSWORD });
    const frankClient = await signIn(host, frank);
    await frankClient.createIdentity(E2E_PASSPHRASE);
    // Signing again with the same key does not count twice.
    expect(await carol.client.approveRootSet()).toEqual({ version: 2, applied: false, signatures: 1, threshold: 2 });
    // Dave checks the proposal and co-signs: the set applies.
    expect(await dave.client.approveRootSet()).toEqual({ version: 2, applied: true, signatures: 2, threshold: 2 });

    // Bob's client verifies the new history from its pinned version 0 and sees the rotation.
    const seen = await bob.agencyRootSet(net.a.agencyId);
    expect(seen.current.version).toBe(2);
    expect(seen.current.threshold).toBe(2);
    expect(seen.current.members.map((m) => m.officerId).sort()).toEqual([carol.creds.id, dave.creds.id].sort());

    // adminA's key is out: the server refuses its certifications …
    const refused = await apiError(adminA.certifyPending());
    expect(refused).toBeInstanceOf(LiaisonApiError);
    expect((refused as LiaisonApiError).status).toBe(403);
    expect(refused.code).toBe('not_agency_root');
    // … and every certificate it issued stops verifying for every client (a key rotated out may be compromised).
    expect((await apiError(bob.safetyNumber(net.a.alice.id))).code).toBe('keys/bad-certificate');
    // Those officers wait for re-certification by a member of the set in force, who re-certifies them all.
    const recertified = await dave.client.certifyPending();
    expect(recertified.sort()).toEqual([frank.id, net.a.alice.id, net.a.admin.id, carol.creds.id, dave.creds.id].sort());
    expect(await dave.client.certifyPending()).toEqual([]);
    expect(await bob.safetyNumber(net.a.alice.id)).toBeTruthy();
    expect(await bob.safetyNumber(frank.id)).toBeTruthy();
    // adminA, still an administrator but out of the set, cannot propose a set either.
    expect((await apiError(adminA.proposeRootSet([carol.creds.id, dave.creds.id], 1))).code).toBe('not_agency_root');
  });

  it('a client refuses a rotation with too few signatures and a server that rewrites a pinned set', { timeout: 120_000 }, async () => {
    const host = await startHost();
    const bobFetch = tamperableFetch();
    const net = await twoAgencyNetwork(host, { prefix: 'rt-', fetch: { bob: bobFetch.fetch } });
    const { adminA, bob } = net;
    const carol = await admin(host, net.a.admin, 'rt-carol');
    await adminA.certifyPending();
    await adminA.proposeRootSet([net.a.admin.id, carol.creds.id], 2);
    await carol.client.proposeRootSet([carol.creds.id], 1);
    expect((await carol.client.agencyRootSet()).proposal?.rootSet.version).toBe(2);
    const security = securityLog(bob);

    // The server forges version 2 (carol alone) from the pending proposal: one signature where two are needed.
    const pending = await api<{ proposal: { rootSet: Record<string, unknown> } }>(host, 'GET', `/keys/agencies/${net.a.agencyId}/root/proposal`, { token: carol.creds.accessToken });
    bobFetch.set((url, _method, body) => {
      if (!url.pathname.endsWith(`/agencies/${net.a.agencyId}/root`)) return body;
      const b = body as { rootSets: unknown[] };
      return { ...b, rootSets: [...b.rootSets, pending.proposal.rootSet] };
    });
    const forged = await apiError(bob.agencyRootSet(net.a.agencyId));
    expect(forged.code).toBe('keys/root-invalid');
    expect(security.map((s) => s.kind)).toContain('root_invalid');
    expect(security.find((s) => s.kind === 'root_invalid')?.code).toBe('root/insufficient-signatures');

    // Honest again: Bob pins version 1. Then a server that swaps version 1 for another set is a fork.
    bobFetch.set(null);
    expect((await bob.agencyRootSet(net.a.agencyId)).current.version).toBe(1);
    bobFetch.set((url, _method, body) => {
      if (!url.pathname.endsWith(`/agencies/${net.a.agencyId}/root`)) return body;
      const b = body as { rootSets: Record<string, unknown>[] };
      const v1 = rootSetCodec.fromWire(b.rootSets[0]) as RootSet;
      // Same signers, another threshold: the signature no longer verifies, so the history is invalid …
      const tampered = { ...rootSetCodec.toWire(v1), threshold: 1 };
      return { ...b, rootSets: [tampered] };
    });
    expect((await apiError(bob.agencyRootSet(net.a.agencyId))).code).toBe('keys/root-invalid');
    // … and a shorter history (version 0 only) is a rewind.
    bobFetch.set((url, _method, body) => (url.pathname.endsWith(`/agencies/${net.a.agencyId}/root`) ? { ...(body as object), rootSets: [] } : body));
    expect((await apiError(bob.agencyRootSet(net.a.agencyId))).code).toBe('keys/root-rewind');
    expect(security.map((s) => s.kind)).toContain('root_fork');
  });

  it('the server refuses proposals it cannot accept, with clear codes', { timeout: 120_000 }, async () => {
    const host = await startHost();
    const net = await twoAgencyNetwork(host, { prefix: 'rp-' });
    const carol = await admin(host, net.a.admin, 'rp-carol');
    // Carol's keys are not certified yet: she cannot be named in a set.
    expect((await apiError(net.adminA.proposeRootSet([net.a.admin.id, carol.creds.id], 2))).code).toBe('keys/not-certified');
    await net.adminA.certifyPending();
    // Not a member of the set in force.
    expect((await apiError(carol.client.proposeRootSet([carol.creds.id], 1))).code).toBe('not_agency_root');
    // A plain officer cannot be named.
    expect((await apiError(net.adminA.proposeRootSet([net.a.admin.id, net.a.alice.id], 1))).code).toBe('keys/root-member-not-admin');
    // Another agency's administrator can neither read nor sign this agency's proposal.
    await api(host, 'GET', `/keys/agencies/${net.a.agencyId}/root/proposal`, { token: net.b.admin.accessToken, expect: 403 });
    const body = { rootSetId: 'AAAA', signature: { signPublicKey: 'AAAA', signature: 'AAAA' } };
    await api(host, 'POST', `/keys/agencies/${net.a.agencyId}/root/proposal/signatures`, { token: net.b.admin.accessToken, payload: body, expect: 403 });
    // Threshold above the number of members.
    const tooHigh = await apiError(net.adminA.proposeRootSet([net.a.admin.id, carol.creds.id], 3));
    expect(tooHigh.code).toBe('root/malformed');
  });
});
