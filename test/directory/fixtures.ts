import { expect } from 'vitest';
import type { DirectoryEntry, DirectoryPage } from '../../shared/schemas/directory.ts';
import type { TokenPair } from '../../shared/schemas/auth.ts';
import { bearer, makeApp, provision, worldOf, type Enrolled, type Network, type TestApp } from '../world/app.ts';

export const DAY_MS = 24 * 60 * 60 * 1000;

/** Sessions never idle out here: these tests move the clock by days and months. */
const TIME_TRAVEL = { session: { idleTimeoutMs: 10_000 * DAY_MS, absoluteTimeoutMs: 10_000 * DAY_MS } };

export interface Agency {
  id: string;
  admin: Enrolled;
}

export interface DirectoryWorld {
  t: TestApp;
  net: Network;
  /** Portugal, police (provision's agency). */
  pt: Agency;
  /** Spain's NCB. */
  esNcb: Agency;
  /** Spanish customs, sponsored by the Spanish NCB (extended access). */
  esCustoms: Agency;
}

async function createAgency(
  t: TestApp,
  admin: TokenPair,
  body: { name: string; country: string; kind: string; sponsorAgencyId?: string; username: string },
): Promise<Agency> {
  const { username, ...rest } = body;
  return worldOf(t).agency({ ...rest, admin: username, adminDisplayName: `${body.name} admin`, by: { tokens: admin } });
}

/** Three agencies in two countries, one sponsored by its NCB, each with an enrolled admin. */
export async function directoryWorld(config: Partial<typeof TIME_TRAVEL> & { store?: { kind: 'sqlite' } } = {}): Promise<DirectoryWorld> {
  const t = await makeApp({ config: { ...TIME_TRAVEL, ...config } });
  const net = await provision(t);
  const esNcb = await createAgency(t, net.admin.tokens, { name: 'Interpol NCB Madrid', country: 'ES', kind: 'ncb', username: 'es-ncb-admin' });
  const esCustoms = await createAgency(t, net.admin.tokens, {
    name: 'Vigilancia Aduanera',
    country: 'ES',
    kind: 'customs',
    sponsorAgencyId: esNcb.id,
    username: 'es-customs-admin',
  });
  return { t, net, pt: { id: net.agency.id, admin: net.agencyAdmin }, esNcb, esCustoms };
}

export const baseEntry = {
  title: 'Cyber drugs desk',
  specialisations: ['internet-drug-crime'],
  languages: ['en'],
  availability: { kind: '24/7' },
};

export async function createEntry(t: TestApp, who: Enrolled, body: Record<string, unknown>): Promise<DirectoryEntry> {
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/directory', headers: bearer(who.tokens), payload: { ...baseEntry, ...body } });
  if (res.statusCode !== 201) throw new Error(`create entry: ${res.statusCode} ${res.body}`);
  return (res.json() as { entry: DirectoryEntry }).entry;
}

export function searchUrl(query: Record<string, string | number | boolean | undefined>): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) qs.set(k, String(v));
  const s = qs.toString();
  return `/api/v1/directory${s ? `?${s}` : ''}`;
}

export async function search(t: TestApp, who: Enrolled, query: Record<string, string | number | boolean | undefined> = {}): Promise<DirectoryPage> {
  const res = await t.app.inject({ method: 'GET', url: searchUrl(query), headers: bearer(who.tokens) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as DirectoryPage;
}

export async function titles(t: TestApp, who: Enrolled, query: Record<string, string | number | boolean | undefined> = {}): Promise<string[]> {
  return (await search(t, who, { limit: 100, ...query })).entries.map((e) => e.title);
}

/** Follows nextCursor to the end, returning every page. */
export async function allPages(t: TestApp, who: Enrolled, query: Record<string, string | number | boolean | undefined>): Promise<DirectoryEntry[][]> {
  const pages: DirectoryEntry[][] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 1000; i++) {
    const page = await search(t, who, { ...query, cursor });
    pages.push(page.entries);
    if (!page.nextCursor) return pages;
    cursor = page.nextCursor;
  }
  throw new Error('paging did not terminate');
}
