/**
 * Generated sections of docs/PROTOCOL.md: text between a begin and an end marker, rendered by a script
 * (payload-tables.ts, wire-tables.ts) and checked by a test against the document.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const PROTOCOL_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'PROTOCOL.md');

export interface DocSection {
  begin: string;
  end: string;
}

/** The text between the markers, or null when they are missing. */
export function sectionText(doc: string, section: DocSection): string | null {
  const b = doc.indexOf(section.begin);
  const e = doc.indexOf(section.end);
  if (b < 0 || e < b) return null;
  return doc.slice(b + section.begin.length, e).replace(/^\n/, '');
}

/** Run as a script: `--write` replaces the section in PROTOCOL.md with `render()`, otherwise prints it. */
export function runSectionScript(moduleUrl: string, name: string, section: DocSection, render: () => string): void {
  if (!process.argv[1] || moduleUrl !== pathToFileURL(process.argv[1]).href) return;
  const text = render();
  if (!process.argv.includes('--write')) {
    process.stdout.write(text);
    return;
  }
  const doc = readFileSync(PROTOCOL_PATH, 'utf8');
  const b = doc.indexOf(section.begin);
  const e = doc.indexOf(section.end);
  if (b < 0 || e < b) throw new Error(`${name}: markers not found in PROTOCOL.md`);
  writeFileSync(PROTOCOL_PATH, `${doc.slice(0, b + section.begin.length)}\n${text}${doc.slice(e)}`);
  console.log(`${name} written to docs/PROTOCOL.md`);
}
