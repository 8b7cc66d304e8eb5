import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SERVER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../server');
/** The two entry points that build a context (docs/ARCHITECTURE.md "The composition root"). */
const ENTRY_POINTS = ['app.ts', path.join('cli', 'liaison.ts')];

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return tsFiles(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

/** Module specifiers of every import / export-from / dynamic import in a file. */
function specifiers(source: string): string[] {
  return [...source.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g)].map((m) => m[1]!);
}

describe('composition boundary', () => {
  it('only the entry points import server/context.ts; services get their collaborators passed in', () => {
    const context = path.join(SERVER, 'context.ts');
    const importers = tsFiles(SERVER)
      .filter((file) => file !== context)
      .filter((file) => specifiers(fs.readFileSync(file, 'utf8')).some((s) => s.startsWith('.') && path.resolve(path.dirname(file), s) === context))
      .map((file) => path.relative(SERVER, file))
      .sort();
    expect(importers).toEqual([...ENTRY_POINTS].sort());
  });
});
