import type { SortKey } from './cursor.ts';
/** Storage port for the contact-point directory. SQL lives in server/store/sqlite/directory-repository.ts. */
export interface NewDirectoryEntry {
  id: string;
  country: string;
  createdAt: number;
  updatedAt: number;
  agencyId: string;
  createdBy: string;
  title: string;
  specialisations: string;
  languages: string;
  availability: string;
  lastConfirmedAt: number;
  officerId?: string | null;
  /** A desk whose rota decides availability (docs/DESKS.md). */
  deskId?: string | null;
  pk?: number;
  agencyName?: string;
  phone?: string | null;
  notes?: string;
  retiredAt?: number | null;
}
export interface DirectoryEntryRow {
  id: string;
  country: string;
  createdAt: number;
  updatedAt: number;
  agencyId: string;
  officerId: string | null;
  deskId: string | null;
  createdBy: string;
  title: string;
  pk: number;
  agencyName: string;
  specialisations: string;
  languages: string;
  availability: string;
  phone: string | null;
  notes: string;
  lastConfirmedAt: number;
  retiredAt: number | null;
}

/** An entry with everything its view needs: agency, sponsoring NCB, linked officer and their keys. */
export interface HydratedRow extends DirectoryEntryRow {
  agencyName: string;
  agencyKind: string;
  agencyCountry: string;
  sponsorId: string | null;
  sponsorName: string | null;
  officerName: string | null;
  officerStatus: string | null;
  signPublicKey: string | null;
  dhPublicKey: string | null;
}

/** One candidate of a search, in sort order: just enough to page and to evaluate availability. */
export interface Candidate {
  pk: number;
  id: string;
  availability: string;
  deskId: string | null;
  stale: 0 | 1;
  country: string;
  agencyName: string;
  title: string;
}

export interface SearchFilters {
  /** Sanitised word query (ftsMatchQuery); the filters are added to it as facet tokens. */
  match: string | null;
  country: string | null;
  specialisation: string | null;
  language: string | null;
  agencyKind: string | null;
  after: SortKey | null;
}

/**
  * Queries and writes for the contact-point directory. Search statements differ by which filters are present; each
 * shape is prepared once and cached (at most 2^6 shapes).
 */
export interface DirectoryRepository {
  byId(id: string): Promise<HydratedRow | undefined>;
  /** Rows for the given pks, in no particular order. */
  byPks(pks: number[]): Promise<HydratedRow[]>;
  insert(row: Omit<NewDirectoryEntry, 'pk'>, specialisations: string[], languages: string[]): Promise<number>;
  update(pk: number, patch: Partial<NewDirectoryEntry>): Promise<void>;
  /** Rewrites the normalised filter rows of an entry (null = leave that facet alone). */
  replaceFacets(pk: number, specialisations: string[] | null, languages: string[] | null): Promise<void>;
  /**
   * At most `limit` live entries matching the filters, in the stable search order, after the keyset
   * position `f.after`. The caller pages on with the last row's key (availableNow may skip many).
   */
  candidates(f: SearchFilters, staleBefore: number, limit: number): Promise<Candidate[]>;
  stale(agencyId: string | null, staleBefore: number, after: { lastConfirmedAt: number; id: string; } | null, limit: number): Promise<HydratedRow[]>;
}
