/**
 * How the PostgreSQL repositories map the port's row types onto tables: each row key names its
 * column, and flags stored as 0/1 integers (as in the SQLite schema) read back as booleans. The
 * helpers build the column lists, INSERTs and SET lists the SQLite repositories get from drizzle,
 * with the same rules: an `undefined` value is left out (the column's default on insert, unchanged
 * on update), a boolean is written as 0/1, and an update with nothing to set throws.
 */
export interface TableMap<Row> {
  readonly table: string;
  readonly columns: { readonly [K in keyof Row]-?: string };
  /** Keys whose integer 0/1 column reads back as a boolean. */
  readonly booleans?: readonly (keyof Row & string)[];
}

/** `col AS "key", …` (optionally qualified by a table alias): rows come back in the port's shape. */
export function selectList<Row>(t: TableMap<Row>, alias?: string): string {
  const p = alias ? `${alias}.` : '';
  return (Object.entries(t.columns) as [keyof Row & string, string][])
    .map(([key, col]) => (t.booleans?.includes(key) ? `(${p}${col} <> 0) AS "${key}"` : `${p}${col} AS "${key}"`))
    .join(', ');
}

/** A value as the integer/text columns store it: booleans as 0/1. */
export function encode(v: unknown): unknown {
  return typeof v === 'boolean' ? (v ? 1 : 0) : v;
}

/** The row's defined values that name a column, as [column, value] pairs in the row's key order. */
function defined<Row>(t: TableMap<Row>, values: Partial<Row>): [string, unknown][] {
  const columns = t.columns as Record<string, string>;
  return Object.entries(values as Record<string, unknown>)
    .filter(([key, v]) => v !== undefined && Object.hasOwn(columns, key))
    .map(([key, v]) => [columns[key]!, encode(v)]);
}

/** `INSERT INTO table (cols) VALUES ($1, …)` of the row's defined values, followed by `suffix`. */
export function insertSql<Row>(t: TableMap<Row>, row: NoInfer<Partial<Row>>, suffix = ''): { text: string; params: unknown[] } {
  const pairs = defined(t, row);
  const cols = pairs.map(([c]) => c).join(', ');
  const placeholders = pairs.map((_, i) => `$${i + 1}`).join(', ');
  return { text: `INSERT INTO ${t.table} (${cols}) VALUES (${placeholders})${suffix ? ` ${suffix}` : ''}`, params: pairs.map(([, v]) => v) };
}

/**
 * `col = $n, …` for the patch's defined values, appending them to `params` (numbered after what is
 * there). Like drizzle's update, a patch with nothing to set is an error.
 */
export function setList<Row>(t: TableMap<Row>, patch: NoInfer<Partial<Row>>, params: unknown[]): string {
  const pairs = defined(t, patch);
  if (pairs.length === 0) throw new Error('No values to set');
  return pairs
    .map(([col, v]) => {
      params.push(v);
      return `${col} = $${params.length}`;
    })
    .join(', ');
}

/** A count or sum as a number (PostgreSQL returns bigint and numeric aggregates as strings unless parsed). */
export function num(v: unknown): number {
  return typeof v === 'number' ? v : Number(v);
}
