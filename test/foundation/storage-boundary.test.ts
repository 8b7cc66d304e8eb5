import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SERVER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../server');
/** The only places SQL may live (docs/ARCHITECTURE.md "Storage port"): the SQLite and PostgreSQL stores. */
const STORE_DIRS = [path.join(SERVER, 'store', 'sqlite'), path.join(SERVER, 'store', 'pg')];

/** What counts as SQL or a database handle outside the stores. */
const RULES: { name: string; pattern: RegExp }[] = [
  { name: 'drizzle-orm import', pattern: /from\s+['"]drizzle-orm/ },
  { name: 'better-sqlite3 import', pattern: /from\s+['"]better-sqlite3['"]/ },
  { name: 'pg import', pattern: /from\s+['"]pg['"]/ },
  { name: 'prepared statement', pattern: /\.prepare\(/ },
  { name: 'raw sqlite handle', pattern: /\bsqlite\.(?!ts\b)\w+/ },
  { name: 'SELECT', pattern: /['"`]\s*SELECT\s/i },
  { name: 'INSERT INTO', pattern: /\bINSERT\s+(OR\s+\w+\s+)?INTO\b/ },
  { name: 'UPDATE … SET', pattern: /\bUPDATE\s+\w+\s+SET\b/ },
  { name: 'DELETE FROM', pattern: /\bDELETE\s+FROM\b/ },
  { name: 'PRAGMA', pattern: /\bPRAGMA\b|\.pragma\(/ },
  { name: 'sqlite_master', pattern: /sqlite_master/ },
];

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return STORE_DIRS.includes(full) ? [] : tsFiles(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

describe('storage boundary', () => {
  it('still scans server/ (the store directories are the only ones skipped)', () => {
    const files = tsFiles(SERVER);
    expect(files.length).toBeGreaterThan(50);
    expect(files.some((f) => STORE_DIRS.some((d) => f.startsWith(d + path.sep)))).toBe(false);
  });

  it('no SQL, drizzle, better-sqlite3 or pg outside server/store/sqlite/ and server/store/pg/', () => {
    const offences: string[] = [];
    for (const file of tsFiles(SERVER)) {
      fs.readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          for (const rule of RULES) {
            if (rule.pattern.test(line)) offences.push(`${path.relative(SERVER, file)}:${i + 1} ${rule.name}: ${line.trim()}`);
          }
        });
    }
    expect(offences).toEqual([]);
  });
});
