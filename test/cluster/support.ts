/**
 * Machinery for the cluster suite (`npm run test:cluster`): a copy of a seeded SQLite database into
 * a fresh PostgreSQL schema (the test world seeds through SQLite), and a small round-robin TCP
 * balancer on loopback written with node:net.
 */
import net from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { withDefaultUser } from '../../server/store/pg/client.ts';
import { PgStore } from '../../server/store/pg/store.ts';

/**
 * Creates `schema` with Liaison's migrations and copies every table of the SQLite file into it,
 * column for column (the two schemas are kept identical by test/store/schema-parity.test.ts), then
 * moves the identity sequences past the copied keys. Foreign keys and triggers are off during the copy.
 */
export async function copySqliteToPostgres(dataDir: string, url: string, schema: string): Promise<void> {
  const store = await PgStore.open({ url, schema });
  await store.close();
  const db = new Database(path.join(dataDir, 'liaison.db'), { readonly: true, fileMustExist: true });
  const client = new pg.Client({ connectionString: withDefaultUser(url), options: `-c search_path=${schema}` });
  await client.connect();
  try {
    const tables = (await client.query<{ t: string }>(
      `SELECT table_name AS t FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' AND table_name NOT IN ('__drizzle_migrations', 'directory_fts')`,
      [schema],
    )).rows.map((r) => r.t);
    await client.query('BEGIN');
    await client.query("SET LOCAL session_replication_role = 'replica'");
    for (const t of tables) {
      const cols = (await client.query<{ c: string; type: string }>(
        'SELECT column_name AS c, data_type AS type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
        [schema, t],
      )).rows;
      const sqliteCols = new Set((db.prepare(`PRAGMA table_info("${t}")`).all() as { name: string }[]).map((r) => r.name));
      const shared = cols.filter((c) => sqliteCols.has(c.c));
      if (shared.length === 0) continue;
      const rows = db.prepare(`SELECT ${shared.map((c) => `"${c.c}"`).join(', ')} FROM "${t}"`).raw().all() as unknown[][];
      for (let i = 0; i < rows.length; i += 200) {
        const chunk = rows.slice(i, i + 200);
        const params: unknown[] = [];
        const values = chunk.map((row) => `(${row.map((v, k) => {
          params.push(shared[k]!.type === 'boolean' && typeof v === 'number' ? v !== 0 : v);
          return `$${params.length}`;
        }).join(', ')})`);
        await client.query(`INSERT INTO "${t}" (${shared.map((c) => `"${c.c}"`).join(', ')}) OVERRIDING SYSTEM VALUE VALUES ${values.join(', ')}`, params);
      }
    }
    // Identity columns continue after the copied values.
    const identities = (await client.query<{ t: string; c: string }>(
      "SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = $1 AND is_identity = 'YES'",
      [schema],
    )).rows;
    for (const { t, c } of identities) {
      const max = (db.prepare(`SELECT max("${c}") AS m FROM "${t}"`).get() as { m: number | null }).m ?? 0;
      // SQLite AUTOINCREMENT may have handed out positions without rows (reserved feed positions).
      const seq = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = ?").get(t) as { seq: number } | undefined;
      const next = Math.max(max, seq?.seq ?? 0);
      if (next > 0) await client.query(`SELECT setval(pg_get_serial_sequence($1, $2), $3)`, [t, c, next]);
    }
    await client.query('COMMIT');
  } finally {
    await client.end();
    db.close();
  }
}

/** A round-robin TCP balancer: each accepted connection goes to the next live backend (a refused one is skipped). */
export class Balancer {
  private readonly server: net.Server;
  private next = 0;
  private readonly open = new Set<net.Socket>();
  port = 0;

  constructor(private readonly backends: () => number[]) {
    this.server = net.createServer((downstream) => this.route(downstream));
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const addr = this.server.address();
    this.port = typeof addr === 'object' && addr ? addr.port : 0;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private route(downstream: net.Socket): void {
    this.open.add(downstream);
    downstream.on('close', () => this.open.delete(downstream));
    downstream.on('error', () => downstream.destroy());
    downstream.pause();
    const ports = this.backends();
    const attempt = (tries: number): void => {
      if (tries >= ports.length || downstream.destroyed) {
        downstream.destroy();
        return;
      }
      const port = ports[this.next++ % ports.length]!;
      const upstream = net.connect(port, '127.0.0.1');
      let connected = false;
      upstream.once('connect', () => {
        connected = true;
        downstream.pipe(upstream);
        upstream.pipe(downstream);
        downstream.resume();
      });
      upstream.on('error', () => {
        if (!connected) attempt(tries + 1);
        else downstream.destroy();
      });
      // A dead node's connections are dropped: the client reconnects through the balancer.
      upstream.on('close', () => {
        if (connected) downstream.destroy();
      });
      downstream.on('close', () => upstream.destroy());
    };
    attempt(0);
  }

  async close(): Promise<void> {
    for (const s of this.open) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
