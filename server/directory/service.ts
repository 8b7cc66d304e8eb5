import { fromB64, identityFingerprint, toHex } from '../../shared/crypto/index.ts';
import { canonicalTimeZone, isAvailableAt, localMinuteOfWeek, nextChange, scheduleCovers, slotProblem, type Availability } from '../../shared/directory/availability.ts';
import { isLanguageCode } from '../../shared/directory/languages.ts';
import { isStale, STALE_AFTER_MS } from '../../shared/directory/vocabulary.ts';
import type { AgencyKind } from '../../shared/schemas/accounts.ts';
import type {
  CreateDirectoryEntryBody,
  DirectoryEntry,
  DirectoryPage,
  DirectorySearchQuery,
  UpdateDirectoryEntryBody,
} from '../../shared/schemas/directory.ts';
import type { Actor } from '../auth/actor.ts';
import { newId } from '../auth/tokens.ts';
import type { AuditService } from '../audit/service.ts';
import { auditEvents, type AuditTarget } from '../audit/actions.ts';
import type { Clock } from '../clock.ts';
import type { DesksService } from '../desks/service.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import { DirectoryContacts, type DirectoryContactsDeps } from './contact.ts';
import { decodeCursor, decodeStaleCursor, encodeCursor, encodeStaleCursor, filtersDigest, type SortKey } from './cursor.ts';
import { ftsMatchQuery } from './fts-query.ts';
import type { HydratedRow } from './repository.ts';
import type { Repositories, Store } from '../store/store.ts';

/** A cursor older than this is refused: the snapshot instant it pins would be misleading by then. */
export const CURSOR_MAX_AGE_MS = 15 * 60_000;
const DEFAULT_LIMIT = 25;
/** Candidates read per round trip when availableNow filters them in TypeScript. */
const AVAILABLE_BATCH = 256;
const FINGERPRINT_CACHE_MAX = 10_000;
const PARSED_CACHE_MAX = 50_000;

/** Where an E.164 number may use spaces, dots, hyphens and parentheses as separators. */
function normalisePhone(phone: string): string {
  const compact = phone.replace(/[\s().-]/g, '');
  if (!/^\+[1-9][0-9]{6,14}$/.test(compact)) {
    throw new ValidationError('phone must be an international number: "+", country code, 7–15 digits in all', 'invalid_phone');
  }
  return compact;
}

function validTitle(title: string): string {
  const trimmed = title.trim();
  if (trimmed.length < 2) throw new ValidationError('title must have at least 2 characters besides spaces', 'invalid_title');
  return trimmed;
}

function validLanguages(languages: string[]): string[] {
  const bad = languages.filter((l) => !isLanguageCode(l));
  if (bad.length) throw new ValidationError(`Not ISO 639-1 language codes: ${bad.join(', ')}`, 'invalid_language');
  return [...languages].sort();
}

function validAvailability(a: Availability): Availability {
  if (a.kind === '24/7') return { kind: '24/7' };
  const timeZone = canonicalTimeZone(a.timeZone);
  if (!timeZone) throw new ValidationError(`"${a.timeZone}" is not an IANA time zone (e.g. Europe/Lisbon)`, 'invalid_time_zone');
  a.slots.forEach((slot, i) => {
    const problem = slotProblem(slot);
    if (problem) throw new ValidationError(`availability.slots[${i}]: ${problem}`, 'invalid_schedule');
  });
  const slots = a.slots.map((s) => ({ day: s.day, start: s.start, end: s.end }));
  slots.sort((x, y) => x.day - y.day || x.start.localeCompare(y.start));
  return { kind: 'schedule', timeZone, slots };
}

/**
 * The contact-point directory: any active officer searches and reads; agency administrators maintain
 * their own agency's entries, platform administrators any. Every change is audited in its transaction.
 */
export interface DirectoryDeps extends DirectoryContactsDeps {
  store: Store;
  clock: Clock;
  audit: AuditService;
  /** A desk-linked entry is available while someone is on the desk's rota (docs/DESKS.md). */
  desks: Pick<DesksService, 'availableAt' | 'agencyOf' | 'staffOf'>;
}

export class DirectoryService {
  /** Contact requests / direct channels opened from entries (contact.ts). */
  readonly contacts: DirectoryContacts;
  private readonly fingerprints = new Map<string, string>();
  /** Availability JSON → parsed; many entries share a schedule, and parsing dominates availableNow scans. */
  private readonly parsed = new Map<string, Availability>();

  private readonly store: Store;
  private readonly clock: Clock;
  private readonly audit: AuditService;
  private readonly accounts: DirectoryDeps['accounts'];
  private readonly desks: DirectoryDeps['desks'];

  constructor(deps: DirectoryDeps) {
    this.store = deps.store;
    this.desks = deps.desks;
    this.clock = deps.clock;
    this.audit = deps.audit;
    this.accounts = deps.accounts;
    this.contacts = new DirectoryContacts(deps, this);
  }

  /** Whether a desk has published an intake key, so requests can be sealed to it (PROTOCOL.md §11). */
  async deskTakesRequests(deskId: string): Promise<boolean> {
    return (await this.store.read((r) => r.intake.latestKey(deskId))) !== undefined;
  }

  // ------------------------------------------------------------------------------------------
  // Reads

  /**
   * Search in the stable order (fresh before stale, country, agency name, title, id) with a keyset
   * cursor. The first page pins `asOf`; later pages evaluate staleness and availability at that same
   * instant, so entries cannot move between pages. availableNow is evaluated in TypeScript while
   * streaming the SQL-filtered candidates in order, stopping once the page is full.
   */
  async search(_actor: Actor, query: DirectorySearchQuery): Promise<DirectoryPage> {
    const limit = query.limit ?? DEFAULT_LIMIT;
    const match = ftsMatchQuery(query.q);
    const availableNow = query.availableNow === true;
    const filters = {
      match,
      country: query.country ?? null,
      specialisation: query.specialisation ?? null,
      language: query.language ?? null,
      agencyKind: query.agencyKind ?? null,
    };
    if (filters.language !== null) validLanguages([filters.language]);
    const digest = filtersDigest({ ...filters, availableNow });
    const now = this.clock.now();
    let asOf = now;
    let after: SortKey | null = null;
    if (query.cursor !== undefined) {
      const c = decodeCursor(query.cursor);
      if (c.filters !== digest) throw new ValidationError('This cursor belongs to a different search', 'invalid_cursor');
      if (c.asOf > now || now - c.asOf > CURSOR_MAX_AGE_MS) {
        throw new ValidationError('The cursor has expired; start the search again', 'cursor_expired');
      }
      asOf = c.asOf;
      after = c.after;
    }

    const page: { pk: number; key: SortKey; available: boolean }[] = [];
    let more = false;
    const localNow = new Map<string, number>();
    const deskNow = new Map<string, boolean>();
    // Candidates come in SQL-filtered batches in search order; availableNow is decided here, so with
    // it a batch may yield few entries and the next batch continues after the last candidate seen.
    const batch = availableNow ? AVAILABLE_BATCH : limit + 1;
    let from = after;
    scan: for (;;) {
      const candidates = await this.store.read((r) => r.directory.candidates({ ...filters, after: from }, asOf - STALE_AFTER_MS, batch));
      for (const c of candidates) {
        const available = c.deskId !== null ? await this.deskAvailable(c.deskId, asOf, deskNow) : this.availableAt(c.availability, asOf, localNow);
        if (availableNow && !available) continue;
        if (page.length === limit) {
          more = true;
          break scan;
        }
        page.push({ pk: c.pk, key: [c.stale, c.country, c.agencyName, c.title, c.id], available });
      }
      const last = candidates.at(-1);
      if (candidates.length < batch || !last) break;
      from = [last.stale, last.country, last.agencyName, last.title, last.id];
    }
    const hydrated = await this.store.read((r) => r.directory.byPks(page.map((p) => p.pk)));
    const rows = new Map(hydrated.map((r) => [r.pk, r]));
    const entries = page.map((p) => this.view(rows.get(p.pk)!, asOf, p.available));
    const last = page.at(-1);
    return {
      entries,
      nextCursor: more && last ? encodeCursor({ asOf, filters: digest, after: last.key }) : null,
      asOf,
    };
  }

  async get(_actor: Actor, id: string): Promise<{ entry: DirectoryEntry; nextChange: { at: number; available: boolean } | null }> {
    const row = await this.liveRow(id);
    const now = this.clock.now();
    const entry = await this.viewAt(row, now);
    // A desk's availability follows its rota and swaps; this slice does not predict its next change.
    return { entry, nextChange: row.deskId !== null ? null : nextChange(this.parse(row.availability), now) };
  }

  /** Stale entries, oldest confirmation first: an agency admin's own agency, or all for a platform admin. */
  async stale(actor: Actor, query: { limit?: number; cursor?: string }): Promise<{ entries: DirectoryEntry[]; nextCursor: string | null }> {
    if (actor.role === 'officer') throw new ForbiddenError('Only administrators review stale entries');
    const limit = query.limit ?? 100;
    const after = query.cursor === undefined ? null : decodeStaleCursor(query.cursor);
    const now = this.clock.now();
    const agencyId = actor.role === 'platform_admin' ? null : actor.agencyId;
    const rows = await this.store.read((r) => r.directory.stale(agencyId, now - STALE_AFTER_MS, after, limit + 1));
    const pageRows = rows.slice(0, limit);
    const last = pageRows.at(-1);
    return {
      entries: await Promise.all(pageRows.map((r) => this.viewAt(r, now))),
      nextCursor: rows.length > limit && last ? encodeStaleCursor(last.lastConfirmedAt, last.id) : null,
    };
  }

  // ------------------------------------------------------------------------------------------
  // Changes

  async create(actor: Actor, body: CreateDirectoryEntryBody): Promise<DirectoryEntry> {
    if (actor.role === 'officer') throw new ForbiddenError('Only administrators maintain directory entries');
    const agencyId = body.agencyId ?? actor.agencyId;
    if (actor.role !== 'platform_admin' && agencyId !== actor.agencyId) throw new NotFoundError('Agency');
    const availability = validAvailability(body.availability);
    const languages = validLanguages(body.languages);
    const specialisations = [...body.specialisations].sort();
    const phone = body.phone == null ? null : normalisePhone(body.phone);
    const title = validTitle(body.title);
    return this.store.write(async (tx) => {
      const agency = await this.accounts.agency(agencyId);
      if (!agency) throw new NotFoundError('Agency');
      if (agency.status !== 'active') throw new ConflictError('The agency is suspended', 'agency_suspended');
      const officerId = body.officerId ?? null;
      if (officerId !== null) await this.assertLinkable(officerId, agencyId);
      const deskId = body.deskId ?? null;
      if (deskId !== null) await this.assertDesk(deskId, agencyId);
      const now = this.clock.now();
      const id = newId();
      await tx.directory.insert(
        {
          id,
          agencyId,
          country: agency.country,
          agencyName: agency.name,
          title,
          officerId,
          deskId,
          specialisations: JSON.stringify(specialisations),
          languages: JSON.stringify(languages),
          availability: JSON.stringify(availability),
          phone,
          notes: (body.notes ?? '').trim(),
          lastConfirmedAt: now,
          createdAt: now,
          updatedAt: now,
          createdBy: actor.officerId,
        },
        specialisations,
        languages,
      );
      await this.audit.record(tx, auditEvents.directoryEntryCreated(actor, { type: 'directory_entry', id, agencyId }, { title, officerId }));
      return this.viewAt((await tx.directory.byId(id))!, now);
    });
  }

  async update(actor: Actor, id: string, body: UpdateDirectoryEntryBody): Promise<DirectoryEntry> {
    const availability = body.availability === undefined ? undefined : validAvailability(body.availability);
    const languages = body.languages === undefined ? undefined : validLanguages(body.languages);
    const specialisations = body.specialisations === undefined ? undefined : [...body.specialisations].sort();
    const phone = body.phone === undefined ? undefined : body.phone === null ? null : normalisePhone(body.phone);
    const title = body.title === undefined ? undefined : validTitle(body.title);
    return this.store.write(async (tx) => {
      const row = await this.editable(tx, actor, id);
      if (body.officerId) await this.assertLinkable(body.officerId, row.agencyId);
      if (body.deskId) await this.assertDesk(body.deskId, row.agencyId);
      const now = this.clock.now();
      const patch = {
        ...(title !== undefined && { title }),
        ...(body.officerId !== undefined && { officerId: body.officerId }),
        ...(body.deskId !== undefined && { deskId: body.deskId }),
        ...(specialisations && { specialisations: JSON.stringify(specialisations) }),
        ...(languages && { languages: JSON.stringify(languages) }),
        ...(availability && { availability: JSON.stringify(availability) }),
        ...(phone !== undefined && { phone }),
        ...(body.notes !== undefined && { notes: body.notes.trim() }),
      };
      await tx.directory.update(row.pk, { ...patch, updatedAt: now });
      await tx.directory.replaceFacets(row.pk, specialisations ?? null, languages ?? null);
      await this.audit.record(tx, auditEvents.directoryEntryUpdated(actor, entryTarget(row), { fields: Object.keys(patch).sort() }));
      return this.viewAt((await tx.directory.byId(id))!, now);
    });
  }

  /** Re-confirmation: the agency vouches that the entry is still right; resets the 180-day clock. */
  async confirm(actor: Actor, id: string): Promise<DirectoryEntry> {
    return this.store.write(async (tx) => {
      const row = await this.editable(tx, actor, id);
      const now = this.clock.now();
      await tx.directory.update(row.pk, { lastConfirmedAt: now, updatedAt: now });
      await this.audit.record(tx, auditEvents.directoryEntryConfirmed(actor, entryTarget(row), { previouslyConfirmedAt: row.lastConfirmedAt }));
      return this.viewAt((await tx.directory.byId(id))!, now);
    });
  }

  /** Soft delete: the row stays for the audit trail, leaves search and the FTS index. */
  async retire(actor: Actor, id: string): Promise<void> {
    await this.store.write(async (tx) => {
      const row = await this.editable(tx, actor, id);
      const now = this.clock.now();
      await tx.directory.update(row.pk, { retiredAt: now, updatedAt: now });
      await this.audit.record(tx, auditEvents.directoryEntryRetired(actor, entryTarget(row), { title: row.title }));
    });
  }

  // ------------------------------------------------------------------------------------------

  /** A live (not retired) entry; 404 otherwise. */
  liveRow(id: string): Promise<HydratedRow> {
    return this.store.read((r) => this.live(r, id));
  }

  private async live(repos: Pick<Repositories, 'directory'>, id: string): Promise<HydratedRow> {
    const row = await repos.directory.byId(id);
    if (!row || row.retiredAt !== null) throw new NotFoundError('Directory entry');
    return row;
  }

  /** Officers see entries but may not change them (403); another agency's admin gets a 404, as if missing. */
  private async editable(repos: Pick<Repositories, 'directory'>, actor: Actor, id: string): Promise<HydratedRow> {
    const row = await this.live(repos, id);
    if (actor.role === 'officer') throw new ForbiddenError('Only administrators maintain directory entries');
    if (actor.role === 'agency_admin' && row.agencyId !== actor.agencyId) throw new NotFoundError('Directory entry');
    return row;
  }

  private async assertLinkable(officerId: string, agencyId: string): Promise<void> {
    const officer = await this.accounts.officer(officerId);
    if (!officer || officer.agencyId !== agencyId) {
      throw new ValidationError('The linked officer must be an officer of the entry\'s agency', 'invalid_officer');
    }
    if (officer.status === 'suspended') throw new ConflictError('The linked officer is suspended', 'officer_suspended');
  }

  private async assertDesk(deskId: string, agencyId: string): Promise<void> {
    if ((await this.desks.agencyOf(deskId)) !== agencyId) throw new ValidationError("The linked desk must be a desk of the entry's agency", 'invalid_desk');
  }

  /** A desk's availability at `at`, asked once per desk per request. */
  private async deskAvailable(deskId: string, at: number, cache: Map<string, boolean>): Promise<boolean> {
    let available = cache.get(deskId);
    if (available === undefined) {
      available = await this.desks.availableAt(deskId, at);
      cache.set(deskId, available);
    }
    return available;
  }

  /** The view at `at`, with a desk-linked entry's availability from the desk's rota. */
  private async viewAt(row: HydratedRow, at: number): Promise<DirectoryEntry> {
    return this.view(row, at, row.deskId !== null ? await this.desks.availableAt(row.deskId, at) : undefined);
  }

  private parse(json: string): Availability {
    let a = this.parsed.get(json);
    if (!a) {
      a = JSON.parse(json) as Availability;
      if (this.parsed.size >= PARSED_CACHE_MAX) this.parsed.clear();
      this.parsed.set(json, a);
    }
    return a;
  }

  /** Availability at `at`, computing each time zone's local time once per request. */
  private availableAt(json: string, at: number, localNow: Map<string, number>): boolean {
    const a = this.parse(json);
    if (a.kind === '24/7') return true;
    let minute = localNow.get(a.timeZone);
    if (minute === undefined) {
      minute = localMinuteOfWeek(a.timeZone, at);
      localNow.set(a.timeZone, minute);
    }
    return scheduleCovers(a.slots, minute);
  }

  private fingerprint(row: HydratedRow): string | null {
    if (!row.officerId || !row.signPublicKey || !row.dhPublicKey) return null;
    const key = `${row.officerId}:${row.signPublicKey}:${row.dhPublicKey}`;
    let fp = this.fingerprints.get(key);
    if (!fp) {
      // Thousands of hash rounds by design: computed once per key pair.
      fp = toHex(
        identityFingerprint({ officerId: row.officerId, signPublicKey: fromB64(row.signPublicKey), dhPublicKey: fromB64(row.dhPublicKey) }),
      );
      if (this.fingerprints.size >= FINGERPRINT_CACHE_MAX) this.fingerprints.clear();
      this.fingerprints.set(key, fp);
    }
    return fp;
  }

  private view(row: HydratedRow, at: number, available?: boolean): DirectoryEntry {
    const availability = this.parse(row.availability);
    return {
      id: row.id,
      agency: {
        id: row.agencyId,
        name: row.agencyName,
        kind: row.agencyKind as AgencyKind,
        country: row.agencyCountry,
        sponsor: row.sponsorId && row.sponsorName ? { id: row.sponsorId, name: row.sponsorName } : null,
      },
      country: row.country,
      title: row.title,
      deskId: row.deskId,
      officer:
        row.officerId && row.officerName
          ? {
              id: row.officerId,
              displayName: row.officerName,
              status: row.officerStatus as 'invited' | 'active' | 'suspended',
              fingerprint: this.fingerprint(row),
            }
          : null,
      specialisations: JSON.parse(row.specialisations) as DirectoryEntry['specialisations'],
      languages: JSON.parse(row.languages) as string[],
      availability,
      availableNow: available ?? isAvailableAt(availability, at),
      phone: row.phone,
      notes: row.notes,
      lastConfirmedAt: row.lastConfirmedAt,
      stale: isStale(row.lastConfirmedAt, at),
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
  }
}

/** An entry as an audit target: the event belongs to the entry's agency. */
function entryTarget(row: { id: string; agencyId: string }): AuditTarget {
  return { type: 'directory_entry', id: row.id, agencyId: row.agencyId };
}
