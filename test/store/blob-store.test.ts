/**
 * The BlobStore port's shared-directory implementation (docs/CLUSTER.md "Blobs"): content-addressed
 * put/get/stat/delete, an oversized upload leaves nothing behind, and a node's start clears only its
 * own temp folder, never an upload in progress on another node sharing the directory.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBlobStore, DirectoryBlobStore } from '../../server/attachments/blob-store.ts';
import { initSodium } from '../../shared/crypto/index.ts';

describe('DirectoryBlobStore', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'liaison-blobs-'));
  beforeAll(() => initSodium());
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('stores content-addressed blobs and reads, sizes and deletes them', async () => {
    const blobs = createBlobStore({ blobs: { kind: 'directory' }, dataDir }, 'node-a');
    const bytes = Buffer.from('ciphertext bytes');
    const { id, size } = await blobs.put(Readable.from([bytes]), 1024);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(size).toBe(bytes.length);
    expect(await blobs.stat(id)).toEqual({ size: bytes.length });
    expect(await buffer(blobs.get(id))).toEqual(bytes);
    await blobs.delete(id);
    expect(await blobs.stat(id)).toBeUndefined();
    await blobs.delete(id); // already gone: no error
    await expect(blobs.put(Readable.from([Buffer.alloc(2048)]), 1024)).rejects.toMatchObject({ code: 'payload_too_large' });
    expect(fs.readdirSync(path.join(dataDir, 'blobs', 'tmp', 'node-a'))).toEqual([]);
  });

  it("a node's start clears its own temp folder and leaves another node's upload in progress alone", () => {
    new DirectoryBlobStore(dataDir, 'node-a');
    new DirectoryBlobStore(dataDir, 'node-b');
    const inProgress = path.join(dataDir, 'blobs', 'tmp', 'node-a', 'upload-in-progress');
    const leftover = path.join(dataDir, 'blobs', 'tmp', 'node-b', 'crashed-upload');
    fs.writeFileSync(inProgress, 'partial');
    fs.writeFileSync(leftover, 'partial');
    new DirectoryBlobStore(dataDir, 'node-b'); // node B restarts
    expect(fs.existsSync(inProgress)).toBe(true);
    expect(fs.existsSync(leftover)).toBe(false);
  });
});
