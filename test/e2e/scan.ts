import fs from 'node:fs';
import path from 'node:path';
import type { App } from '../../server/app.ts';
import { isPostgres, rawDb } from '../world/db.ts';

/**
 * Byte strings that betray `marker`: UTF-8, hex, and its base64 / base64url encodings at each of
 * the three byte alignments it can have inside a longer encoded value (edge characters that mix in
 * neighbouring bytes are cut off).
 */
export function needles(marker: string): { encoding: string; bytes: Buffer }[] {
  const raw = Buffer.from(marker, 'utf8');
  const out = [
    { encoding: 'utf8', bytes: raw },
    { encoding: 'utf16le', bytes: Buffer.from(marker, 'utf16le') },
    { encoding: 'hex', bytes: Buffer.from(raw.toString('hex')) },
  ];
  for (let k = 0; k < 3; k++) {
    const b64 = Buffer.concat([Buffer.alloc(k), raw]).toString('base64');
    const inner = b64.slice(k === 0 ? 0 : k + 1, b64.length - 4);
    out.push({ encoding: `base64+${k}`, bytes: Buffer.from(inner) });
    out.push({ encoding: `base64url+${k}`, bytes: Buffer.from(inner.replace(/\+/g, '-').replace(/\//g, '_')) });
  }
  return out;
}

export interface Finding {
  where: string;
  marker: string;
  encoding: string;
}

/** Every (source, marker, encoding) whose bytes occur in the source. */
export function scan(sources: { where: string; bytes: Buffer }[], markers: readonly string[]): Finding[] {
  const found: Finding[] = [];
  for (const s of sources) {
    for (const marker of markers) {
      for (const n of needles(marker)) if (s.bytes.includes(n.bytes)) found.push({ where: s.where, marker, encoding: n.encoding });
    }
  }
  return found;
}

/** Every regular file under `dir` (recursively), read as bytes. */
export function filesUnder(dir: string): { where: string; bytes: Buffer }[] {
  if (!fs.existsSync(dir)) return [];
  const out: { where: string; bytes: Buffer }[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(p));
    else if (entry.isFile()) out.push({ where: p, bytes: fs.readFileSync(p) });
  }
  return out;
}

/** liaison.db and its -wal / -shm files when present. */
export function databaseFiles(dataDir: string): { where: string; bytes: Buffer }[] {
  return ['liaison.db', 'liaison.db-wal', 'liaison.db-shm']
    .map((f) => path.join(dataDir, f))
    .filter((p) => fs.existsSync(p))
    .map((p) => ({ where: p, bytes: fs.readFileSync(p) }));
}

/**
 * On PostgreSQL (the test matrix), every row of every table in the app's schema, one entry per table
 * (as JSON text): what the SQLite scan reads from liaison.db and its WAL. On SQLite: nothing (the
 * database is in the data directory's files, databaseFiles).
 */
export function databaseRows(app: Pick<App, 'ctx'>): { where: string; bytes: Buffer }[] {
  if (!isPostgres) return [];
  const db = rawDb(app);
  const tables = db.prepare("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'").pluck().all() as string[];
  return tables.map((t) => ({ where: `postgres:${t}`, bytes: Buffer.from(JSON.stringify(db.prepare(`SELECT * FROM "${t}"`).all()), 'utf8') }));
}
