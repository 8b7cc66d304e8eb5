import crypto from 'node:crypto';
import { ValidationError } from '../errors.ts';

/** Keyset position in the search order: (stale, country, agency name, title, id). */
export type SortKey = [stale: 0 | 1, country: string, agencyName: string, title: string, id: string];

export interface SearchCursor {
  /** The instant the first page was evaluated at; later pages reuse it so the order cannot shift. */
  asOf: number;
  /** Digest of the filters, so a cursor is not replayed against a different search. */
  filters: string;
  after: SortKey;
}

export function filtersDigest(filters: Record<string, unknown>): string {
  return crypto.createHash('sha256').update(JSON.stringify(filters)).digest('base64url').slice(0, 16);
}

export function encodeCursor(c: SearchCursor): string {
  return Buffer.from(JSON.stringify([1, c.asOf, c.filters, ...c.after])).toString('base64url');
}

/** Parses a client-supplied cursor strictly; anything malformed is a 400, never a 500. */
export function decodeCursor(s: string): SearchCursor {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
  } catch {
    throw new ValidationError('Malformed cursor', 'invalid_cursor');
  }
  if (
    !Array.isArray(v) ||
    v.length !== 8 ||
    v[0] !== 1 ||
    !Number.isSafeInteger(v[1]) ||
    typeof v[2] !== 'string' ||
    (v[3] !== 0 && v[3] !== 1) ||
    !v.slice(4).every((x) => typeof x === 'string' && x.length <= 512)
  ) {
    throw new ValidationError('Malformed cursor', 'invalid_cursor');
  }
  return { asOf: v[1] as number, filters: v[2] as string, after: v.slice(3) as SortKey };
}

/** Keyset position for the stale list: (last confirmed, id). */
export function encodeStaleCursor(lastConfirmedAt: number, id: string): string {
  return Buffer.from(JSON.stringify([lastConfirmedAt, id])).toString('base64url');
}

export function decodeStaleCursor(s: string): { lastConfirmedAt: number; id: string } {
  try {
    const v: unknown = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && Number.isSafeInteger(v[0]) && typeof v[1] === 'string') {
      return { lastConfirmedAt: v[0] as number, id: v[1] as string };
    }
  } catch {
    /* fall through */
  }
  throw new ValidationError('Malformed cursor', 'invalid_cursor');
}
