import { defineConfig } from 'drizzle-kit';

/** The PostgreSQL schema's migrations (docs/CLUSTER.md "Migrations"); the SQLite ones use drizzle.config.ts. */
export default defineConfig({
  dialect: 'postgresql',
  schema: './server/store/pg/schema.ts',
  out: './migrations/pg',
});
