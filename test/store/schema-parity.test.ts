import { is } from 'drizzle-orm';
import { getTableConfig as pgTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { getTableConfig as sqliteTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import * as pgSchema from '../../server/store/pg/schema.ts';
import * as sqliteSchema from '../../server/store/sqlite/schema.ts';

/** One engine's tables as comparable shapes: column names with nullability, primary key, index names. */
interface Shape {
  columns: string[];
  primaryKey: string[];
  indexes: string[];
}

function sqliteShapes(): Map<string, Shape> {
  const out = new Map<string, Shape>();
  for (const value of Object.values(sqliteSchema)) {
    if (!is(value, SQLiteTable)) continue;
    const c = sqliteTableConfig(value);
    out.set(c.name, {
      columns: c.columns.map((col) => `${col.name}${col.notNull ? ' not null' : ''}`).sort(),
      primaryKey: [...c.columns.filter((col) => col.primary).map((col) => col.name), ...c.primaryKeys.flatMap((pk) => pk.columns.map((col) => col.name))],
      indexes: c.indexes.map((i) => `${i.config.name}${i.config.unique ? ' unique' : ''}(${i.config.columns.map((col) => ('name' in col ? col.name : '?')).join(',')})`).sort(),
    });
  }
  return out;
}

function pgShapes(): Map<string, Shape> {
  const out = new Map<string, Shape>();
  for (const value of Object.values(pgSchema)) {
    if (!is(value, PgTable)) continue;
    const c = pgTableConfig(value);
    out.set(c.name, {
      columns: c.columns.map((col) => `${col.name}${col.notNull ? ' not null' : ''}`).sort(),
      primaryKey: [...c.columns.filter((col) => col.primary).map((col) => col.name), ...c.primaryKeys.flatMap((pk) => pk.columns.map((col) => col.name))],
      indexes: c.indexes.map((i) => `${i.config.name}${i.config.unique ? ' unique' : ''}(${i.config.columns.map((col) => ('name' in col ? col.name : '?')).join(',')})`).sort(),
    });
  }
  return out;
}

describe('schema parity: SQLite and PostgreSQL (server/store/*/schema.ts)', () => {
  const sqlite = sqliteShapes();
  const pg = pgShapes();

  it('both engines define the same tables', () => {
    expect(sqlite.size).toBeGreaterThan(40);
    expect([...pg.keys()].sort()).toEqual([...sqlite.keys()].sort());
  });

  it('every table has the same columns, nullability, primary key and indexes in both', () => {
    for (const [name, shape] of sqlite) {
      expect({ table: name, ...pg.get(name) }).toEqual({ table: name, ...shape });
    }
  });
});
