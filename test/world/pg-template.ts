import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { MIGRATION_LOCK_KEY, PG_MIGRATIONS_DIR, schemaName, withDefaultUser } from '../../server/store/pg/client.ts';
import { PgStore } from '../../server/store/pg/store.ts';

/**
 * The PostgreSQL test run's migrated template (test/world/pg-global-setup.ts): the migrations run once
 * per run into `tpl_<hash of migrations/pg>`, and each test app's fresh schema is a clone of it
 * (cloneTemplate, one round trip) instead of running every migration again. The clone holds the
 * template's migration journal, so the app's own migration step at start finds nothing to apply.
 * The environment variable names the template for the test workers (they inherit it from the run).
 */
export const TEMPLATE_ENV = 'LIAISON_TEST_PG_TEMPLATE';

/** tpl_<first 12 hex of SHA-256 over migrations/pg>: a build with other migrations gets its own template. */
export function templateName(): string {
  const h = crypto.createHash('sha256');
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else h.update(path.relative(PG_MIGRATIONS_DIR, p)).update('\0').update(fs.readFileSync(p)).update('\0');
    }
  };
  walk(PG_MIGRATIONS_DIR);
  return `tpl_${h.digest('hex').slice(0, 12)}`;
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: withDefaultUser(url) });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * A DO block that creates `dst` as a copy of `src`: tables (columns, defaults, identity, CHECK and NOT
 * NULL through LIKE; primary and unique keys, indexes, foreign keys, functions and triggers from their
 * definitions, with their original names), the sequences of serial columns, every row, and every
 * sequence's position. Definitions are printed with `src` alone on the search path (so they come out
 * unqualified) and run with `dst` alone on it, which makes them resolve in `dst`.
 */
function cloneSql(src: string, dst: string): string {
  return `DO $clone$
DECLARE
  src text := '${src}';
  dst text := '${dst}';
  r record;
  defs text[] := '{}';
  d text;
BEGIN
  -- A schema that exists already (an app reopened on its data directory) is left as it is.
  IF EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = dst) THEN
    RETURN;
  END IF;
  -- A test schema: its commit need not wait for the WAL flush.
  PERFORM set_config('synchronous_commit', 'off', true);
  EXECUTE format('CREATE SCHEMA %I', dst);
  FOR r IN SELECT c.relname FROM pg_class c WHERE c.relnamespace = src::regnamespace AND c.relkind = 'r' ORDER BY c.relname LOOP
    EXECUTE format('CREATE TABLE %I.%I (LIKE %I.%I INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING GENERATED INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMMENTS)', dst, r.relname, src, r.relname);
  END LOOP;
  -- Serial (non-identity) columns: LIKE copied a default on the template's sequence; give dst its own.
  FOR r IN SELECT s.relname AS seq, t.relname AS tab, a.attname AS col, sq.*
    FROM pg_class s JOIN pg_sequence sq ON sq.seqrelid = s.oid JOIN pg_depend dep ON dep.classid = 'pg_class'::regclass AND dep.objid = s.oid AND dep.deptype = 'a'
    JOIN pg_class t ON t.oid = dep.refobjid JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = dep.refobjsubid
    WHERE s.relnamespace = src::regnamespace AND s.relkind = 'S' LOOP
    EXECUTE format('CREATE SEQUENCE %I.%I AS %s INCREMENT %s MINVALUE %s MAXVALUE %s START %s CACHE %s %s CYCLE OWNED BY %I.%I.%I',
      dst, r.seq, r.seqtypid::regtype, r.seqincrement, r.seqmin, r.seqmax, r.seqstart, r.seqcache, CASE WHEN r.seqcycle THEN '' ELSE 'NO' END, dst, r.tab, r.col);
    EXECUTE format('ALTER TABLE %I.%I ALTER COLUMN %I SET DEFAULT nextval(%L::regclass)', dst, r.tab, r.col, format('%I.%I', dst, r.seq));
  END LOOP;
  -- Definitions, printed unqualified (the template alone on the search path), in creation order:
  -- keys (their indexes), other indexes, functions, foreign keys, triggers.
  PERFORM set_config('search_path', src, true);
  FOR r IN SELECT t.relname AS tab, con.conname, pg_get_constraintdef(con.oid) AS def FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid
    WHERE t.relnamespace = src::regnamespace AND con.contype IN ('p', 'u', 'x') ORDER BY t.relname, con.conname LOOP
    defs := defs || format('ALTER TABLE %I ADD CONSTRAINT %I %s', r.tab, r.conname, r.def);
  END LOOP;
  FOR r IN SELECT pg_get_indexdef(i.indexrelid) AS def FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
    WHERE ic.relnamespace = src::regnamespace AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid AND con.contype IN ('p', 'u', 'x'))
    ORDER BY ic.relname LOOP
    -- pg_get_indexdef always qualifies the table.
    defs := defs || replace(r.def, format(' ON %I.', src), ' ON ');
  END LOOP;
  FOR r IN SELECT pg_get_functiondef(p.oid) AS def FROM pg_proc p WHERE p.pronamespace = src::regnamespace ORDER BY p.proname LOOP
    -- pg_get_functiondef always qualifies the function's name.
    defs := defs || regexp_replace(r.def, '^CREATE OR REPLACE FUNCTION ' || quote_ident(src) || '\\.', 'CREATE FUNCTION ');
  END LOOP;
  FOR r IN SELECT t.relname AS tab, con.conname, pg_get_constraintdef(con.oid) AS def FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid
    WHERE t.relnamespace = src::regnamespace AND con.contype = 'f' ORDER BY t.relname, con.conname LOOP
    defs := defs || format('ALTER TABLE %I ADD CONSTRAINT %I %s', r.tab, r.conname, r.def);
  END LOOP;
  -- pretty: the table unqualified when on the search path (the plain form always qualifies it).
  FOR r IN SELECT pg_get_triggerdef(tg.oid, true) AS def FROM pg_trigger tg JOIN pg_class t ON t.oid = tg.tgrelid
    WHERE t.relnamespace = src::regnamespace AND NOT tg.tgisinternal ORDER BY t.relname, tg.tgname LOOP
    defs := defs || r.def;
  END LOOP;
  PERFORM set_config('search_path', dst, true);
  -- Rows (the migration journal; migrations seed nothing else today) before the foreign keys exist.
  FOR r IN SELECT c.relname FROM pg_class c WHERE c.relnamespace = src::regnamespace AND c.relkind = 'r' ORDER BY c.relname LOOP
    EXECUTE format('INSERT INTO %I.%I OVERRIDING SYSTEM VALUE SELECT * FROM %I.%I', dst, r.relname, src, r.relname);
  END LOOP;
  FOREACH d IN ARRAY defs LOOP
    EXECUTE d;
  END LOOP;
  FOR r IN SELECT s.relname FROM pg_class s WHERE s.relnamespace = src::regnamespace AND s.relkind = 'S' LOOP
    EXECUTE format('SELECT setval(%L::regclass, last_value, is_called) FROM %I.%I', format('%I.%I', dst, r.relname), src, r.relname);
  END LOOP;
END
$clone$`;
}

/** Creates `schema` as a clone of `template` (one round trip); an existing `schema` is left as it is. */
export async function cloneTemplate(url: string, template: string, schema: string): Promise<void> {
  const sql = cloneSql(schemaName(template), schemaName(schema));
  await withClient(url, (client) => client.query(sql));
}

/**
 * Everything that makes up a schema, printed without its name (each query runs with only that schema
 * on the search path): columns, constraints, indexes, sequences, functions, triggers, the journal, and
 * any dependency of the schema's objects on another schema (a clone must not point into its template).
 */
async function fingerprint(client: pg.Client, schema: string): Promise<string[]> {
  await client.query(`SET search_path = "${schema}"`);
  const q = async (sql: string): Promise<string[]> => (await client.query<{ line: string }>(sql, [schema])).rows.map((r) => r.line);
  const lines = [
    ...(await q(`SELECT format('column %s.%s %s notnull=%s default=%s identity=%s generated=%s', c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(ad.adbin, ad.adrelid), a.attidentity, a.attgenerated) AS line
      FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped LEFT JOIN pg_attrdef ad ON ad.adrelid = c.oid AND ad.adnum = a.attnum
      WHERE c.relnamespace = $1::regnamespace AND c.relkind = 'r' ORDER BY c.relname, a.attnum`)),
    ...(await q(`SELECT format('constraint %s.%s %s', t.relname, con.conname, pg_get_constraintdef(con.oid)) AS line FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid
      WHERE t.relnamespace = $1::regnamespace ORDER BY 1`)),
    ...(await q(`SELECT 'index ' || replace(pg_get_indexdef(i.indexrelid), format(' ON %I.', $1::text), ' ON ') AS line FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
      WHERE ic.relnamespace = $1::regnamespace ORDER BY 1`)),
    ...(await q(`SELECT format('sequence %s %s %s %s %s %s %s %s', s.relname, sq.seqtypid::regtype, sq.seqstart, sq.seqincrement, sq.seqmin, sq.seqmax, sq.seqcache, sq.seqcycle) AS line FROM pg_class s JOIN pg_sequence sq ON sq.seqrelid = s.oid
      WHERE s.relnamespace = $1::regnamespace ORDER BY 1`)),
    ...(await q(`SELECT 'function ' || regexp_replace(pg_get_functiondef(p.oid), '^CREATE OR REPLACE FUNCTION [a-z0-9_]+\\.', '') AS line FROM pg_proc p
      WHERE p.pronamespace = $1::regnamespace ORDER BY 1`)),
    ...(await q(`SELECT format('trigger %s %s', pg_get_triggerdef(tg.oid, true), tg.tgenabled) AS line FROM pg_trigger tg JOIN pg_class t ON t.oid = tg.tgrelid
      WHERE t.relnamespace = $1::regnamespace AND NOT tg.tgisinternal ORDER BY 1`)),
    ...(await q(`SELECT format('journal %s %s %s', id, hash, created_at) AS line FROM __drizzle_migrations WHERE $1::text IS NOT NULL ORDER BY id`)),
    ...(await q(`SELECT format('depends on another schema: %s -> %s', pg_describe_object(d.classid, d.objid, d.objsubid), pg_describe_object(d.refclassid, d.refobjid, d.refobjsubid)) AS line
      FROM pg_depend d
      WHERE (d.classid = 'pg_class'::regclass AND d.objid IN (SELECT oid FROM pg_class WHERE relnamespace = $1::regnamespace)
          OR d.classid = 'pg_attrdef'::regclass AND d.objid IN (SELECT ad.oid FROM pg_attrdef ad JOIN pg_class c ON c.oid = ad.adrelid WHERE c.relnamespace = $1::regnamespace)
          OR d.classid = 'pg_constraint'::regclass AND d.objid IN (SELECT con.oid FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid WHERE c.relnamespace = $1::regnamespace)
          OR d.classid = 'pg_trigger'::regclass AND d.objid IN (SELECT tg.oid FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid WHERE c.relnamespace = $1::regnamespace))
        AND (d.refclassid = 'pg_class'::regclass AND d.refobjid IN (SELECT oid FROM pg_class WHERE relnamespace NOT IN ($1::regnamespace, 'pg_catalog'::regnamespace, 'pg_toast'::regnamespace))
          OR d.refclassid = 'pg_proc'::regclass AND d.refobjid IN (SELECT oid FROM pg_proc WHERE pronamespace NOT IN ($1::regnamespace, 'pg_catalog'::regnamespace)))
      ORDER BY 1`)),
  ];
  await client.query('RESET search_path');
  return lines;
}

/**
 * Builds the run's template (once: an existing complete one is reused, under the migration lock so
 * concurrent runs do not race), then proves the clone: a probe clone must print exactly as the
 * template does and depend on nothing in it. Returns the template's name.
 */
export async function buildTemplate(url: string): Promise<string> {
  const template = templateName();
  await withClient(url, async (client) => {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY + 1]);
    try {
      const store = await PgStore.open({ url, schema: template, max: 1 });
      await store.close();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY + 1]);
    }
    const probe = `${template}_probe_${crypto.randomBytes(4).toString('hex')}`;
    await cloneTemplate(url, template, probe);
    try {
      const want = await fingerprint(client, template);
      const got = await fingerprint(client, probe);
      const missing = want.filter((l) => !got.includes(l));
      const extra = got.filter((l) => !want.includes(l));
      if (missing.length > 0 || extra.length > 0 || !want.some((l) => l.startsWith('journal '))) {
        throw new Error(`pg template: the clone of ${template} differs from it\nmissing:\n${missing.join('\n')}\nextra:\n${extra.join('\n')}`);
      }
    } finally {
      await client.query(`DROP SCHEMA IF EXISTS "${probe}" CASCADE`);
    }
  });
  return template;
}
