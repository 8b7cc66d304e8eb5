// Worker thread behind test/world/db.ts: runs one SQL statement at a time on a dedicated PostgreSQL
// connection and wakes the (blocked) test thread, so tests can seed and inspect PostgreSQL
// synchronously, as they do with better-sqlite3.
import { workerData } from 'node:worker_threads';
import pg from 'pg';

const { port, flag } = workerData;
const types = new pg.TypeOverrides();
types.setTypeParser(20, (v) => Number(v)); // int8: count(*), times, positions
types.setTypeParser(1700, (v) => Number(v)); // numeric: sum(bigint)
let client = null;
let clientUrl = null;
let schema = null;

async function connect(url) {
  if (client && clientUrl === url) return client;
  if (client) await client.end().catch(() => {});
  client = new pg.Client({ connectionString: url, types, statement_timeout: 20_000 });
  client.on('error', () => { client = null; });
  await client.connect();
  clientUrl = url;
  schema = null;
  return client;
}

port.on('message', async (msg) => {
  let reply;
  try {
    if (msg.end) {
      if (client) await client.end().catch(() => {});
      client = null;
      reply = { ok: true };
    } else {
      const c = await connect(msg.url);
      if (schema !== msg.schema) {
        await c.query(`SET search_path TO "${msg.schema}"`);
        schema = msg.schema;
      }
      const res = await c.query({ text: msg.sql, values: msg.params, rowMode: msg.array ? 'array' : undefined });
      reply = { ok: true, rows: res.rows, rowCount: res.rowCount ?? 0 };
    }
  } catch (err) {
    reply = { ok: false, message: err instanceof Error ? err.message : String(err), code: err?.code };
  }
  port.postMessage(reply);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
