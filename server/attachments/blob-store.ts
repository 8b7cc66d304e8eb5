import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { getSodium, toHex } from '../../shared/crypto/index.ts';
import { AppError } from '../errors.ts';

const ID_RE = /^[0-9a-f]{64}$/;

export class TooLargeError extends AppError {
  override name = 'TooLargeError';
  constructor(max: number) {
    super(413, 'payload_too_large', `Attachment exceeds the maximum of ${max} bytes`);
  }
}

/**
 * Content-addressed ciphertext blobs under DATA_DIR/blobs. The id is the plain hex BLAKE2b-256 of
 * the blob bytes, computed incrementally while streaming (clients check the labelled
 * `attachmentHash` carried inside the signed message). Uploads land in blobs/tmp, are fsynced,
 * then renamed into place; any error or abort removes the temp file.
 */
export class BlobStore {
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

  pathOf(id: string): string {
    if (!ID_RE.test(id)) throw new Error(`BlobStore.pathOf: invalid blob id`);
    return path.join(this.dir, id);
  }

  /** `tooLarge` is the error for a body longer than `maxBytes` (default: the attachment maximum's 413). */
  async write(source: Readable, maxBytes: number, tooLarge: () => Error = () => new TooLargeError(maxBytes)): Promise<{ id: string; size: number }> {
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

  remove(id: string): void {
    fs.rmSync(this.pathOf(id), { force: true });
  }

  exists(id: string): boolean {
    return fs.existsSync(this.pathOf(id));
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
