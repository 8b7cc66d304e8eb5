import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { getSodium, toHex } from '../../shared/crypto/index.ts';
import type { BlobsConfig } from '../config.ts';
import { AppError } from '../errors.ts';

const ID_RE = /^[0-9a-f]{64}$/;

export class TooLargeError extends AppError {
  override name = 'TooLargeError';
  constructor(max: number) {
    super(413, 'payload_too_large', `Attachment exceeds the maximum of ${max} bytes`);
  }
}

/**
 * The storage port for attachment blobs (docs/CLUSTER.md "Blobs"): content-addressed ciphertext, the
 * id being the plain hex BLAKE2b-256 of the bytes. `put` streams an upload through a temporary object
 * that becomes the blob only once complete and durable (a failed or aborted upload leaves nothing);
 * several nodes may share one store, each with its own temporary area. Selected by `config.blobs`.
 */
export interface BlobStore {
  /** Streams `source` in; `tooLarge` is the error for a body longer than `maxBytes`. */
  put(source: Readable, maxBytes: number, tooLarge?: () => Error): Promise<{ id: string; size: number }>;
  /** The blob's bytes (the caller checked it exists: the attachment row). */
  get(id: string): Readable;
  /** Its size, or undefined when no such blob is stored. */
  stat(id: string): Promise<{ size: number } | undefined>;
  /** Removes it (no error when it is already gone). */
  delete(id: string): Promise<void>;
}

/** The configured implementation (BLOB_STORE; only the shared directory is built, S3 is the next step). */
export function createBlobStore(config: { blobs: BlobsConfig; dataDir: string }, nodeId: string | undefined): BlobStore {
  switch (config.blobs.kind) {
    case 'directory':
      return new DirectoryBlobStore(config.dataDir, nodeId);
  }
}

/**
 * Blobs as files under DATA_DIR/blobs (a local or shared directory). The id is computed incrementally
 * while streaming (clients check the labelled `attachmentHash` carried inside the signed message).
 * Uploads land in blobs/tmp[/<node id>], are fsynced, then renamed into place; any error or abort
 * removes the temp file. A start clears only its own temp folder, never another node's.
 */
export class DirectoryBlobStore implements BlobStore {
  readonly dir: string;
  private readonly tmpDir: string;

  /** `nodeId`: uploads in progress live in blobs/tmp/<node id>, so a node's start clears only its own (several nodes share blobs/). */
  constructor(dataDir: string, nodeId?: string) {
    this.dir = path.join(dataDir, 'blobs');
    this.tmpDir = nodeId ? path.join(this.dir, 'tmp', nodeId) : path.join(this.dir, 'tmp');
    fs.mkdirSync(this.tmpDir, { recursive: true, mode: 0o700 });
    // Leftovers of a crash mid-upload are never referenced.
    for (const name of fs.readdirSync(this.tmpDir)) fs.rmSync(path.join(this.tmpDir, name), { force: true });
  }

  private pathOf(id: string): string {
    if (!ID_RE.test(id)) throw new Error(`DirectoryBlobStore.pathOf: invalid blob id`);
    return path.join(this.dir, id);
  }

  /** `tooLarge` is the error for a body longer than `maxBytes` (default: the attachment maximum's 413). */
  async put(source: Readable, maxBytes: number, tooLarge: () => Error = () => new TooLargeError(maxBytes)): Promise<{ id: string; size: number }> {
    const sodium = getSodium();
    const state = sodium.crypto_generichash_init(null, 32);
    let size = 0;
    const hasher = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > maxBytes) return done(tooLarge());
        sodium.crypto_generichash_update(state, chunk);
        done(null, chunk);
      },
    });
    const tmp = path.join(this.tmpDir, crypto.randomBytes(16).toString('hex'));
    try {
      await pipeline(source, hasher, fs.createWriteStream(tmp, { flags: 'wx', mode: 0o600, flush: true }));
      const id = toHex(sodium.crypto_generichash_final(state, 32));
      fs.renameSync(tmp, this.pathOf(id));
      this.syncDir();
      return { id, size };
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      throw err;
    }
  }

  get(id: string): Readable {
    return fs.createReadStream(this.pathOf(id));
  }

  async stat(id: string): Promise<{ size: number } | undefined> {
    const st = await fs.promises.stat(this.pathOf(id)).catch(() => undefined);
    return st ? { size: st.size } : undefined;
  }

  async delete(id: string): Promise<void> {
    // Synchronous on purpose: the file is gone when the call returns (retention then reports it deleted).
    fs.rmSync(this.pathOf(id), { force: true });
  }

  /** Makes the rename durable. */
  private syncDir(): void {
    const fd = fs.openSync(this.dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }
}
