import { getTableColumns, getTableName } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { TableMap } from './row-mapping.ts';

/**
 * A TableMap (row-mapping.ts) read off a pg-core table of schema.ts: each row key (the schema's
 * camelCase field) names its column, so rows come back in the shapes the SQLite repositories get from
 * drizzle (`Row`: the port's row type when a flag is boolean there). `booleans`: keys whose 0/1 column the port types as boolean.
 */
export function tableMap<T extends PgTable, Row = T['$inferSelect']>(table: T, booleans: readonly (keyof Row & string)[] = []): TableMap<Row> {
  const columns = Object.fromEntries(Object.entries(getTableColumns(table)).map(([key, column]) => [key, column.name]));
  return { table: getTableName(table), columns: columns as TableMap<Row>['columns'], booleans };
}

