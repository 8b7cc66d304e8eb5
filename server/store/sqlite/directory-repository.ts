import type Database from 'better-sqlite3';
import { eq, sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { directoryEntries, directoryEntryLanguages, directoryEntrySpecialisations } from './schema.ts';
import { ftsSearchExpression } from '../../directory/fts-query.ts';
import type { DirectoryRepository, HydratedRow, Candidate, SearchFilters } from '../../directory/repository.ts';

const HYDRATE_SELECT = `
  SELECT e.pk, e.id, e.agency_id AS agencyId, e.country, e.title, e.officer_id AS officerId, e.desk_id AS deskId,
         e.specialisations, e.languages, e.availability, e.phone, e.notes,
         e.last_confirmed_at AS lastConfirmedAt, e.retired_at AS retiredAt, e.created_at AS createdAt,
         e.updated_at AS updatedAt, e.created_by AS createdBy,
         a.name AS agencyName, a.kind AS agencyKind, a.country AS agencyCountry,
         s.id AS sponsorId, s.name AS sponsorName,
         o.display_name AS officerName, o.status AS officerStatus,
         k.sign_public_key AS signPublicKey, k.dh_public_key AS dhPublicKey
  FROM directory_entries e
  JOIN agencies a ON a.id = e.agency_id
  LEFT JOIN agencies s ON s.id = a.sponsor_agency_id
  LEFT JOIN officers o ON o.id = e.officer_id
  LEFT JOIN officer_keys k ON k.officer_id = e.officer_id`;

const STALE_EXPR = '(e.last_confirmed_at < @staleBefore)';
/** Text match sets larger than this are walked in index order (see walk); smaller ones sorted. */
export const WALK_THRESHOLD = 1_500;

/**
 * SQL for the contact-point directory. Search statements differ by which filters are present; each
 * shape is prepared once and cached (at most 2^6 shapes).
 */
export class SqliteDirectoryRepository implements DirectoryRepository {
  private readonly searchStmts = new Map<string, Database.Statement>();
  /** WALK_THRESHOLD; tests lower it to run both plans over the same data. */
  walkThreshold = WALK_THRESHOLD;
  private readonly s;

  constructor(
    private readonly db: Db,
    private readonly sqlite: Database.Database,
  ) {
    this.s = {
      byId: sqlite.prepare(`${HYDRATE_SELECT} WHERE e.id = ?`),
      matchPks: sqlite.prepare('SELECT rowid FROM directory_fts WHERE directory_fts MATCH @match LIMIT @cap').pluck(),
      byPks: sqlite.prepare(`${HYDRATE_SELECT} WHERE e.pk IN (SELECT value FROM json_each(?))`),
      staleAll: sqlite.prepare(
        `${HYDRATE_SELECT} WHERE e.retired_at IS NULL AND e.last_confirmed_at < @staleBefore
           AND (e.last_confirmed_at, e.id) > (@afterAt, @afterId)
         ORDER BY e.last_confirmed_at, e.id LIMIT @limit`,
      ),
      staleOfAgency: sqlite.prepare(
        `${HYDRATE_SELECT} WHERE e.agency_id = @agencyId AND e.retired_at IS NULL AND e.last_confirmed_at < @staleBefore
           AND (e.last_confirmed_at, e.id) > (@afterAt, @afterId)
         ORDER BY e.last_confirmed_at, e.id LIMIT @limit`,
      ),
      deleteSpecs: db.delete(directoryEntrySpecialisations).where(eq(directoryEntrySpecialisations.entryPk, sql.placeholder('pk'))).prepare(),
      deleteLangs: db.delete(directoryEntryLanguages).where(eq(directoryEntryLanguages.entryPk, sql.placeholder('pk'))).prepare(),
      insertSpec: db.insert(directoryEntrySpecialisations).values({ entryPk: sql.placeholder('pk'), value: sql.placeholder('value') }).prepare(),
      insertLang: db.insert(directoryEntryLanguages).values({ entryPk: sql.placeholder('pk'), value: sql.placeholder('value') }).prepare(),
    };
  }

  async byId(id: string): Promise<HydratedRow | undefined> {
    return this.s.byId.get(id) as HydratedRow | undefined;
  }

  /** Rows for the given pks, in no particular order. */
  async byPks(pks: number[]): Promise<HydratedRow[]> {
    if (pks.length === 0) return [];
    return this.s.byPks.all(JSON.stringify(pks)) as HydratedRow[];
  }

  async insert(row: Omit<typeof directoryEntries.$inferInsert, 'pk'>, specialisations: string[], languages: string[]): Promise<number> {
    const { pk } = this.db.insert(directoryEntries).values(row).returning({ pk: directoryEntries.pk }).get();
    await this.replaceFacets(pk, specialisations, languages);
    return pk;
  }

  async update(pk: number, patch: Partial<typeof directoryEntries.$inferInsert>): Promise<void> {
    this.db.update(directoryEntries).set(patch).where(eq(directoryEntries.pk, pk)).run();
  }

  /** Rewrites the normalised filter rows of an entry (null = leave that facet alone). */
  async replaceFacets(pk: number, specialisations: string[] | null, languages: string[] | null): Promise<void> {
    if (specialisations) {
      this.s.deleteSpecs.run({ pk });
      for (const value of specialisations) this.s.insertSpec.run({ pk, value });
    }
    if (languages) {
      this.s.deleteLangs.run({ pk });
      for (const value of languages) this.s.insertLang.run({ pk, value });
    }
  }

  /**
   * At most `limit` live entries matching the filters, in the stable search order, after the keyset
   * position `f.after`. The caller pages on with the last row's key (availableNow may skip many).
   */
  async candidates(f: SearchFilters, staleBefore: number, limit: number): Promise<Candidate[]> {
    const params: Record<string, unknown> = { staleBefore };
    let pks: number[] | null = null;
    if (f.match !== null) {
      params.match = ftsSearchExpression(f.match, f);
      if (this.walkThreshold !== Infinity) {
        // One capped pass over the FTS match set decides the plan; a small set is reused as is.
        pks = this.s.matchPks.all({ match: params.match, cap: this.walkThreshold + 1 }) as number[];
        if (pks.length > this.walkThreshold) return take(this.walk(f, params), limit);
        params.pks = JSON.stringify(pks);
        delete params.match;
      }
    } else {
      if (f.country !== null) params.country = f.country;
      if (f.agencyKind !== null) params.kind = f.agencyKind;
      if (f.specialisation !== null) params.spec = f.specialisation;
      if (f.language !== null) params.lang = f.language;
    }
    if (f.after) [params.aStale, params.aCountry, params.aAgency, params.aTitle, params.aId] = f.after;
    params.limit = limit;
    return this.searchStatement(f, true, pks !== null).all(params) as Candidate[];
  }

  /**
   * A large text match set, in search order without sorting it: walk the live-entry order index
   * (country, agency name, title, id) once for fresh entries, then once for stale ones, keeping the
   * rows in the (materialised) FTS match set. The caller stops once its page is full, so a broad query
   * costs a few index steps per result instead of sorting every match. Match sets of at most
   * WALK_THRESHOLD rows are collected and sorted instead: there the walk would skip too many entries.
   */
  private *walk(f: SearchFilters, params: Record<string, unknown>): Generator<Candidate, void, undefined> {
    const after = f.after;
    const country = f.country;
    const base = { match: params.match, staleBefore: params.staleBefore, ...(country !== null && { country }) };
    for (const stale of [0, 1] as const) {
      if (after && after[0] > stale) continue;
      const from = after && after[0] === stale ? after : null;
      const stmt = this.walkStatement(stale, country !== null, from !== null);
      const p = from ? { ...base, aCountry: from[1], aAgency: from[2], aTitle: from[3], aId: from[4] } : base;
      yield* stmt.iterate(p) as IterableIterator<Candidate>;
    }
  }

  private walkStatement(stale: 0 | 1, byCountry: boolean, after: boolean): Database.Statement {
    const shape = `walk${stale}${byCountry ? 1 : 0}${after ? 1 : 0}`;
    let stmt = this.searchStmts.get(shape);
    if (stmt) return stmt;
    const where = [
      'e.retired_at IS NULL',
      stale ? 'e.last_confirmed_at < @staleBefore' : 'e.last_confirmed_at >= @staleBefore',
      "a.status = 'active'",
      'e.pk IN (SELECT rowid FROM directory_fts WHERE directory_fts MATCH @match)',
    ];
    if (byCountry) where.push('e.country = @country');
    if (after) where.push('(e.country, e.agency_name, e.title, e.id) > (@aCountry, @aAgency, @aTitle, @aId)');
    stmt = this.sqlite.prepare(
      `SELECT e.pk, e.id, e.availability, e.desk_id AS deskId, ${stale} AS stale, e.country, e.agency_name AS agencyName, e.title
       FROM directory_entries e INDEXED BY directory_entries_order_idx JOIN agencies a ON a.id = e.agency_id
       WHERE ${where.join(' AND ')}
       ORDER BY e.country, e.agency_name, e.title, e.id`,
    );
    this.searchStmts.set(shape, stmt);
    return stmt;
  }

  private searchStatement(f: SearchFilters, limited: boolean, byPks: boolean): Database.Statement {
    const facets = f.match === null ? [f.country, f.agencyKind, f.specialisation, f.language] : [];
    const shape = [f.match, ...facets, f.after].map((x) => (x === null ? 0 : 1)).join('') + (limited ? 'L' : '') + (byPks ? 'P' : '');
    let stmt = this.searchStmts.get(shape);
    if (stmt) return stmt;
    const where = ["e.retired_at IS NULL", "a.status = 'active'"];
    if (byPks) {
      // The (small) match set, already read from FTS5 by candidates().
      where.push('e.pk IN (SELECT value FROM json_each(@pks))');
    } else if (f.match !== null) {
      // The MATCH expression carries the filters too (facet tokens): one FTS5 doclist intersection.
      where.push('e.pk IN (SELECT rowid FROM directory_fts WHERE directory_fts MATCH @match)');
    } else {
      if (f.country !== null) where.push('e.country = @country');
      if (f.agencyKind !== null) where.push('a.kind = @kind');
      if (f.specialisation !== null) where.push('e.pk IN (SELECT entry_pk FROM directory_entry_specialisations WHERE value = @spec)');
      if (f.language !== null) where.push('e.pk IN (SELECT entry_pk FROM directory_entry_languages WHERE value = @lang)');
    }
    if (f.after) where.push(`(${STALE_EXPR}, e.country, e.agency_name, e.title, e.id) > (@aStale, @aCountry, @aAgency, @aTitle, @aId)`);
    stmt = this.sqlite.prepare(
      `SELECT e.pk, e.id, e.availability, e.desk_id AS deskId, ${STALE_EXPR} AS stale, e.country, e.agency_name AS agencyName, e.title
       FROM directory_entries e JOIN agencies a ON a.id = e.agency_id
       WHERE ${where.join(' AND ')}
       ORDER BY ${STALE_EXPR}, e.country, e.agency_name, e.title, e.id
       ${limited ? 'LIMIT @limit' : ''}`,
    );
    this.searchStmts.set(shape, stmt);
    return stmt;
  }

  async stale(agencyId: string | null, staleBefore: number, after: { lastConfirmedAt: number; id: string } | null, limit: number): Promise<HydratedRow[]> {
    const params = { staleBefore, afterAt: after?.lastConfirmedAt ?? -1, afterId: after?.id ?? '', limit };
    const rows = agencyId === null ? this.s.staleAll.all(params) : this.s.staleOfAgency.all({ ...params, agencyId });
    return rows as HydratedRow[];
  }
}

/** The first `limit` items of a lazy walk (closing it early). */
function take<T>(it: Iterator<T>, limit: number): T[] {
  const out: T[] = [];
  try {
    while (out.length < limit) {
      const next = it.next();
      if (next.done) break;
      out.push(next.value);
    }
  } finally {
    it.return?.();
  }
  return out;
}
