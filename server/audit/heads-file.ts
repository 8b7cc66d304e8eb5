import fs from 'node:fs';
import path from 'node:path';
import type { SignedAuditHead } from '../../shared/crypto/audit-head.ts';

/**
 * The append-only file of signed audit heads, one JSON line each, outside the SQLite file so that
 * deleting the newest events *and* their checkpoints still leaves evidence (docs/AUDIT.md). Put it on
 * another disk or WORM storage with AUDIT_HEADS_FILE.
 */
export const DEFAULT_HEADS_FILE = 'audit-heads.log';

export function headsFilePath(dataDir: string, configured: string | undefined): string {
  return configured ?? path.join(dataDir, DEFAULT_HEADS_FILE);
}

/** Appends heads and fsyncs before returning, so a head the server served is on disk. */
export function appendHeads(file: string, heads: SignedAuditHead[]): void {
  if (heads.length === 0) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'a', 0o600);
  try {
    fs.writeSync(fd, heads.map((h) => `${JSON.stringify({ seq: h.seq, hash: h.hash, at: h.at, signature: h.signature, publicKey: h.publicKey })}\n`).join(''));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export interface HeadsFileContents {
  heads: SignedAuditHead[];
  /** 1-based line numbers that are not a well-formed head. */
  invalidLines: number[];
}

function isHead(v: unknown): v is SignedAuditHead {
  const h = v as Partial<SignedAuditHead> | null;
  return (
    !!h &&
    Number.isSafeInteger(h.seq) &&
    (h.seq ?? 0) > 0 &&
    Number.isSafeInteger(h.at) &&
    typeof h.hash === 'string' &&
    /^[0-9a-f]{64}$/.test(h.hash) &&
    typeof h.signature === 'string' &&
    /^[0-9a-f]{128}$/.test(h.signature) &&
    typeof h.publicKey === 'string' &&
    /^[0-9a-f]{64}$/.test(h.publicKey)
  );
}

/** Reads every head; null when the file does not exist. A torn last line (crash mid-append) is ignored. */
export function readHeads(file: string): HeadsFileContents | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const lines = text.split('\n');
  const torn = !text.endsWith('\n') ? lines.length - 1 : -1;
  const heads: SignedAuditHead[] = [];
  const invalidLines: number[] = [];
  lines.forEach((line, i) => {
    if (line === '' || i === torn) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      parsed = null;
    }
    if (isHead(parsed)) heads.push(parsed);
    else invalidLines.push(i + 1);
  });
  return { heads, invalidLines };
}
