import type { Candidate, DirectoryRepository, HydratedRow, NewDirectoryEntry, SearchFilters } from '../../directory/repository.ts';
import { facetTokens, type FacetFilters } from '../../directory/fts-query.ts';
import type { PgExecutor } from './executor.ts';
import { insertSql, setList, type TableMap } from './row-mapping.ts';

const ENTRIES: TableMap<NewDirectoryEntry> = {
  table: 'directory_entries',
  columns: {
    pk: 'pk',
    id: 'id',
    country: 'country',
    createdAt: 'created_at',
    updatedAt: 'updated_at',
    agencyId: 'agency_id',
    createdBy: 'created_by',
    title: 'title',
    specialisations: 'specialisations',
    languages: 'languages',
    availability: 'availability',
    lastConfirmedAt: 'last_confirmed_at',
    officerId: 'officer_id',
    deskId: 'desk_id',
    agencyName: 'agency_name',
    phone: 'phone',
    notes: 'notes',
    retiredAt: 'retired_at',
  },
};

const HYDRATE_SELECT = `
  SELECT e.pk, e.id, e.agency_id AS "agencyId", e.country, e.title, e.officer_id AS "officerId", e.desk_id AS "deskId",
         e.specialisations, e.languages, e.availability, e.phone, e.notes,
         e.last_confirmed_at AS "lastConfirmedAt", e.retired_at AS "retiredAt", e.created_at AS "createdAt",
         e.updated_at AS "updatedAt", e.created_by AS "createdBy",
         a.name AS "agencyName", a.kind AS "agencyKind", a.country AS "agencyCountry",
         s.id AS "sponsorId", s.name AS "sponsorName",
         o.display_name AS "officerName", o.status AS "officerStatus",
         k.sign_public_key AS "signPublicKey", k.dh_public_key AS "dhPublicKey"
  FROM directory_entries e
  JOIN agencies a ON a.id = e.agency_id
  LEFT JOIN agencies s ON s.id = a.sponsor_agency_id
  LEFT JOIN officers o ON o.id = e.officer_id
  LEFT JOIN officer_keys k ON k.officer_id = e.officer_id`;

/** 0/1: whether the entry is stale at `$1` (the first sort key). */
const STALE_EXPR = '(e.last_confirmed_at < $1)::int';
/**
 * The search order (stale, country, agency name, title, id). Text compares byte-wise (COLLATE "C"),
 * as SQLite's BINARY collation does, whatever the database's default collation is.
 */
const ORDER_KEYS = [STALE_EXPR, 'e.country COLLATE "C"', 'e.agency_name COLLATE "C"', 'e.title COLLATE "C"', 'e.id COLLATE "C"'];

/**
 * A text search with its filters as one tsquery over directory_fts.doc (migrations/pg
 * 0001_directory_search): ftsMatchQuery's words (`"word"* "w"`: quoted, `*` = prefix) as text lexemes
 * (weight A), AND the filter tokens (weight D), so the GIN index intersects them as FTS5 does in
 * SQLite. Words are letters, digits and marks only, but are quoted anyway so nothing in them is
 * tsquery syntax. The caller folds the string with directory_fold, as the indexed text was.
 */
export function tsSearchQuery(match: string, filters: FacetFilters): string {
  const quote = (w: string): string => `'${w.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
  const words = [...match.matchAll(/"((?:[^"]|"")*)"(\*?)/g)].map(([, word = '', star]) => `${quote(word.replace(/""/g, '"'))}:${star ? '*' : ''}A`);
  const facets = facetTokens(filters).map((t) => `${quote(t)}:D`);
  return [...words, ...facets].join(' & ');
}

/**
 * PostgreSQL SQL for the contact-point directory (mirrors SqliteDirectoryRepository). A search is one
 * statement: the text match in directory_fts (title, agency name, notes and officer name, plus facet
 * tokens), or the facet filters as SQL without text, in the stable search order after the keyset
 * position.
 */
export class PgDirectoryRepository implements DirectoryRepository {
  constructor(private readonly q: PgExecutor) {}

  async byId(id: string): Promise<HydratedRow | undefined> {
    return (await this.q.query<HydratedRow>(`${HYDRATE_SELECT} WHERE e.id = $1`, [id])).rows[0];
  }

  /** Rows for the given pks, in no particular order. */
  async byPks(pks: number[]): Promise<HydratedRow[]> {
    if (pks.length === 0) return [];
    return (await this.q.query<HydratedRow>(`${HYDRATE_SELECT} WHERE e.pk = ANY($1::bigint[])`, [pks])).rows;
  }

  async insert(row: Omit<NewDirectoryEntry, 'pk'>, specialisations: string[], languages: string[]): Promise<number> {
    const { text, params } = insertSql(ENTRIES, row, 'RETURNING pk');
    const r = await this.q.query<{ pk: number | string }>(text, params);
    const pk = Number(r.rows[0]?.pk);
    await this.replaceFacets(pk, specialisations, languages);
    return pk;
  }

  async update(pk: number, patch: Partial<NewDirectoryEntry>): Promise<void> {
    const params: unknown[] = [pk];
    await this.q.query(`UPDATE directory_entries SET ${setList(ENTRIES, patch, params)} WHERE pk = $1`, params);
  }

  /** Rewrites the normalised filter rows of an entry (null = leave that facet alone). */
  async replaceFacets(pk: number, specialisations: string[] | null, languages: string[] | null): Promise<void> {
    if (specialisations) {
      await this.q.query('DELETE FROM directory_entry_specialisations WHERE entry_pk = $1', [pk]);
      if (specialisations.length) {
        await this.q.query('INSERT INTO directory_entry_specialisations (entry_pk, value) SELECT $1, v FROM unnest($2::text[]) AS t(v)', [pk, specialisations]);
      }
    }
    if (languages) {
      await this.q.query('DELETE FROM directory_entry_languages WHERE entry_pk = $1', [pk]);
      if (languages.length) {
        await this.q.query('INSERT INTO directory_entry_languages (entry_pk, value) SELECT $1, v FROM unnest($2::text[]) AS t(v)', [pk, languages]);
      }
    }
  }

  /**
   * At most `limit` live entries matching the filters, in the stable search order, after the keyset
   * position `f.after`. The caller pages on with the last row's key (availableNow may skip many).
   */
  async candidates(f: SearchFilters, staleBefore: number, limit: number): Promise<Candidate[]> {
    const params: unknown[] = [staleBefore];
    const p = (v: unknown): string => {
      params.push(v);
      return `$${params.length}`;
    };
    const where = ['e.retired_at IS NULL', "a.status = 'active'"];
    if (f.match !== null) {
      // The filters travel in the tsquery as facet tokens (one GIN lookup), as in SQLite's FTS5 expression.
      where.push(`e.pk IN (SELECT entry_pk FROM directory_fts WHERE doc @@ to_tsquery('simple', directory_fold(${p(tsSearchQuery(f.match, f))})))`);
    } else {
      if (f.country !== null) where.push(`e.country = ${p(f.country)}`);
      if (f.agencyKind !== null) where.push(`a.kind = ${p(f.agencyKind)}`);
      if (f.specialisation !== null) where.push(`e.pk IN (SELECT entry_pk FROM directory_entry_specialisations WHERE value = ${p(f.specialisation)})`);
      if (f.language !== null) where.push(`e.pk IN (SELECT entry_pk FROM directory_entry_languages WHERE value = ${p(f.language)})`);
    }
    if (f.after) {
      const [aStale, aCountry, aAgency, aTitle, aId] = f.after;
      where.push(`(${ORDER_KEYS.join(', ')}) > (${p(aStale)}::int, ${p(aCountry)}::text, ${p(aAgency)}::text, ${p(aTitle)}::text, ${p(aId)}::text)`);
    }
    const r = await this.q.query<Candidate>(
      `SELECT e.pk, e.id, e.availability, e.desk_id AS "deskId", ${STALE_EXPR} AS stale, e.country, e.agency_name AS "agencyName", e.title
       FROM directory_entries e JOIN agencies a ON a.id = e.agency_id
       WHERE ${where.join(' AND ')}
       ORDER BY ${ORDER_KEYS.join(', ')}
       LIMIT ${p(limit)}`,
      params,
    );
    return r.rows;
  }

  async stale(agencyId: string | null, staleBefore: number, after: { lastConfirmedAt: number; id: string } | null, limit: number): Promise<HydratedRow[]> {
    const params: unknown[] = [staleBefore, after?.lastConfirmedAt ?? -1, after?.id ?? '', limit];
    if (agencyId !== null) params.push(agencyId);
    const r = await this.q.query<HydratedRow>(
      `${HYDRATE_SELECT} WHERE ${agencyId !== null ? 'e.agency_id = $5 AND ' : ''}e.retired_at IS NULL AND e.last_confirmed_at < $1
         AND (e.last_confirmed_at, e.id COLLATE "C") > ($2::bigint, $3::text)
       ORDER BY e.last_confirmed_at, e.id COLLATE "C" LIMIT $4`,
      params,
    );
    return r.rows;
  }
}
