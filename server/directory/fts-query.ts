/** Upper bounds so a pasted paragraph cannot turn into an expensive query. */
const MAX_TOKENS = 8;
const MAX_TOKEN_CHARS = 64;

/** The text columns; `facets` holds filter tokens and is never searched by free text. */
const TEXT_COLUMNS = '{title agency notes officer}';

export interface FacetFilters {
  country: string | null;
  agencyKind: string | null;
  language: string | null;
  specialisation: string | null;
}

/** Filter tokens as the FTS triggers write them (migration directory_fts, both engines): hyphens dropped, prefixed by kind. */
export function facetTokens(f: FacetFilters): string[] {
  const tokens: string[] = [];
  if (f.country !== null) tokens.push(`c${f.country.toLowerCase()}`);
  if (f.agencyKind !== null) tokens.push(`k${f.agencyKind}`);
  if (f.language !== null) tokens.push(`l${f.language}`);
  if (f.specialisation !== null) tokens.push(`s${f.specialisation.replace(/-/g, '')}`);
  // Filter values are schema-validated to [a-z0-9-]; the check keeps that an invariant here too.
  if (!tokens.every((t) => /^[a-z0-9]+$/.test(t))) throw new Error('facetTokens: unexpected filter value');
  return tokens;
}

/**
 * A text search with its filters as one FTS5 expression: the words restricted to the text columns,
 * AND the filter tokens in `facets`, so FTS5 intersects the doclists instead of SQL joining sets.
 */
export function ftsSearchExpression(text: string, filters: FacetFilters): string {
  const facets = facetTokens(filters);
  const words = `${TEXT_COLUMNS}: (${text})`;
  return facets.length ? `${words} AND facets: (${facets.map((t) => `"${t}"`).join(' ')})` : words;
}

/**
 * Turns free text into a safe FTS5 MATCH expression: words (letters, digits, marks) are extracted and
 * each is emitted as a quoted string, so FTS5 operators in the input (quotes, `*`, `NEAR(`, `OR`,
 * `col:`, `^`) are ordinary words or dropped, never syntax. Words of two or more characters match as
 * prefixes ("traffick" finds "trafficking"); all words must match. null = no text filter.
 */
export function ftsMatchQuery(q: string | undefined): string | null {
  if (q === undefined) return null;
  const words = q.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}\p{M}]+/gu);
  if (!words) return null;
  const unique = [...new Set(words.map((w) => w.slice(0, MAX_TOKEN_CHARS)))].slice(0, MAX_TOKENS);
  return unique.map((w) => (w.length >= 2 ? `"${w}"*` : `"${w}"`)).join(' ');
}
