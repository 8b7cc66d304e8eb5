import fs from 'node:fs';
import path from 'node:path';

/**
 * The uploads in progress of a data directory: the files under blobs/tmp, which on PostgreSQL are in
 * the node's own folder blobs/tmp/<NODE_ID> (several nodes share blobs/), on SQLite directly in it.
 */
export function uploadsInProgress(dataDir: string): string[] {
  return fs
    .readdirSync(path.join(dataDir, 'blobs', 'tmp'), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name);
}
