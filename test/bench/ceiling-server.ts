/**
 * Ceiling servers for the messaging benches, run as their own process (like the Liaison server):
 *   insert   — a minimal Fastify app with one POST route that inserts the posted 1 KiB envelope into
 *              a WAL SQLite table with synchronous=NORMAL and answers 201.
 *   pg-insert — the same route inserting into a PostgreSQL table instead (DATABASE_URL, DATABASE_SCHEMA
 *              created here): one autocommit INSERT per request through a `pg` pool of Liaison's size
 *              (10), with the server's synchronous_commit (on: durable at the 201).
 *   socketio — bare socket.io on a plain HTTP server: POST /broadcast parses the JSON body and
 *              broadcasts it to every connected socket, then answers 201.
 *              With an IPC channel and --expose-gc it answers memory probes (the conn_kb ceiling:
 *              idle sockets on bare socket.io).
 * Usage: tsx test/bench/ceiling-server.ts <insert|pg-insert|socketio> <port> <dataDir>; prints "ready" when listening.
 */
import http from 'node:http';
import path from 'node:path';
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import { Server } from 'socket.io';
import { createPool, prepareSchema } from '../../server/store/pg/client.ts';
import { installMemoryProbe } from './memory-probe.ts';

const [mode, portArg, dataDir] = process.argv.slice(2);
const port = Number(portArg);

if (mode === 'insert') {
  const db = new Database(path.join(dataDir!, 'ceiling.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE IF NOT EXISTS messages (pk INTEGER PRIMARY KEY, channel_id TEXT NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL)');
  const insert = db.prepare('INSERT INTO messages (channel_id, body, created_at) VALUES (?, ?, ?)');
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
  app.post<{ Params: { id: string }; Body: { envelope: unknown } }>('/api/v1/channels/:id/messages', async (req, reply) => {
    const info = insert.run(req.params.id, JSON.stringify(req.body.envelope), Date.now());
    return reply.status(201).send({ seq: Number(info.lastInsertRowid) });
  });
  await app.listen({ port, host: '127.0.0.1' });
  process.on('SIGTERM', () => void app.close().then(() => (db.close(), process.exit(0))));
} else if (mode === 'pg-insert') {
  const schema = process.env['DATABASE_SCHEMA'];
  const pool = createPool({ url: process.env['DATABASE_URL']!, schema });
  await prepareSchema(pool, schema);
  await pool.query('CREATE TABLE IF NOT EXISTS messages (pk bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, channel_id text NOT NULL, body text NOT NULL, created_at bigint NOT NULL)');
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
  app.post<{ Params: { id: string }; Body: { envelope: unknown } }>('/api/v1/channels/:id/messages', async (req, reply) => {
    const r = await pool.query<{ pk: number }>({
      name: 'ceiling_insert',
      text: 'INSERT INTO messages (channel_id, body, created_at) VALUES ($1, $2, $3) RETURNING pk',
      values: [req.params.id, JSON.stringify(req.body.envelope), Date.now()],
    });
    return reply.status(201).send({ seq: r.rows[0]!.pk });
  });
  await app.listen({ port, host: '127.0.0.1' });
  process.on('SIGTERM', () => void app.close().then(() => pool.end()).then(() => process.exit(0)));
} else if (mode === 'socketio') {
  let pos = 0;
  const server = http.createServer();
  const io = new Server(server, { serveClient: false, maxHttpBufferSize: 512 * 1024 });
  server.on('request', (req, res) => {
    if (req.method !== 'POST' || !req.url?.startsWith('/broadcast')) return;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as { channelId: string; envelope: Record<string, unknown> };
      pos += 1;
      io.emit('feed', { pos, kind: 'message', channelId: body.channelId, data: { channelId: body.channelId, seq: pos, envelope: body.envelope }, createdAt: Date.now() });
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ seq: pos }));
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  process.on('SIGTERM', () => void io.close(() => process.exit(0)));
} else {
  throw new Error(`unknown mode ${mode}`);
}
installMemoryProbe();
process.stdout.write('ready\n');
