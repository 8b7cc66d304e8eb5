import fs from 'node:fs';
import path from 'node:path';
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { getSodium } from '../../shared/crypto/index.ts';
import { defaultConfig, loadConfig, type AppConfig } from '../../server/config.ts';
import { mapError } from '../../server/http/error-handler.ts';
import { bearer, expectError, makeApp, type TestApp } from '../world/app.ts';
import { listen, makeChannel, makeWorld, postMessage, sendBody, type Person } from '../world/messaging.ts';
import { rawDb } from '../world/db.ts';
import { uploadsInProgress } from '../world/blobs.ts';

const KIB = 1024;

async function setup(messaging: Partial<AppConfig['messaging']> = {}) {
  const t = await makeApp({ config: { messaging: { ...defaultConfig().messaging, attachmentMaxBytes: 64 * KIB, retentionSweepMs: 0, ...messaging } } });
  const w = await makeWorld(t);
  return { t, w };
}

const bytes = (n: number) => Buffer.from(getSodium().randombytes_buf(n));

function upload(t: TestApp, who: Person, channelId: string, body: Buffer) {
  return t.app.inject({ method: 'POST', url: `/api/v1/channels/${channelId}/attachments`, headers: { ...bearer(who.tokens), 'content-type': 'application/octet-stream' }, payload: body });
}

/** POSTs `chunks` with Transfer-Encoding: chunked; resolves with the response even if the server stops reading early. */
function postChunked(base: string, who: Person, channelId: string, chunks: Buffer[]): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}/api/v1/channels/${channelId}/attachments`, {
      method: 'POST',
      headers: { ...bearer(who.tokens), 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' },
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown }));
    });
    // The server may answer and close before the last chunk: that is the expected refusal, not a failure.
    req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' || e.code === 'ECONNRESET' ? undefined : reject(e)));
    for (const c of chunks) req.write(c);
    req.end();
  });
}

/** Blob files (including temp files) and attachment rows: what a refused upload must not add to. */
function stored(t: TestApp) {
  const dir = path.join(t.config.dataDir, 'blobs');
  return {
    blobs: fs.readdirSync(dir).filter((f) => f !== 'tmp').sort(),
    tmp: uploadsInProgress(t.config.dataDir),
    rows: rawDb(t.app).prepare('SELECT count(*) FROM attachments').pluck().get() as number,
  };
}

describe('attachment uploads: read-only and pending channels', () => {
  it('a pending contact request refuses attachment uploads and stores nothing', async () => {
    const { t, w } = await setup();
    const ch = makeChannel(t, w, w.alice, [w.bob]);
    // The state a contact request is in until its recipient accepts (server/directory/contact.ts).
    rawDb(t.app).prepare("UPDATE channels SET agreement_id = NULL, contact_request = 'pending' WHERE id = ?").run(ch.id);
    const before = stored(t);
    for (let i = 0; i < 3; i++) {
      const res = await upload(t, w.alice, ch.id, bytes(2 * KIB));
      expectError(res, 409, 'channel_read_only');
      expect((res.json() as { error: { message: string } }).error.message).toMatch(/contact request has not been accepted/);
    }
    expect(stored(t)).toEqual(before);
  });

  it('a read-only channel (agreement suspended) refuses uploads the way it refuses sends', async () => {
    const { t, w } = await setup();
    const ch = makeChannel(t, w, w.alice, [w.bob]);
    rawDb(t.app).prepare("UPDATE agreements SET status = 'suspended' WHERE id = ?").run(w.agreementId);
    const before = stored(t);
    const send = await postMessage(t, ch, w.alice, sendBody(ch, w.alice));
    expectError(send, 409, 'channel_read_only');
    const res = await upload(t, w.alice, ch.id, bytes(KIB));
    expectError(res, 409, 'channel_read_only');
    expect((res.json() as { error: { message: string } }).error.message).toMatch(/read-only \(agreement_suspended\)/);
    expect(stored(t)).toEqual(before);
  });
});

describe('attachment uploads: storage quotas', () => {
  it('an officer cannot store more than their quota; the refused upload leaves no blob or row', async () => {
    const { t, w } = await setup({ attachmentQuotaPerOfficerBytes: 8 * KIB, attachmentQuotaPerChannelBytes: 1024 * KIB });
    const ch = makeChannel(t, w, w.alice, [w.bob]);
    const other = makeChannel(t, w, w.alice, [w.bob]);
    expect((await upload(t, w.alice, ch.id, bytes(6 * KIB))).statusCode).toBe(201);
    const before = stored(t);
    // The quota is the officer's across channels, not per channel.
    const res = await upload(t, w.alice, other.id, bytes(3 * KIB));
    expectError(res, 413, 'officer_quota_exceeded');
    expect((res.json() as { error: { message: string } }).error.message).toMatch(/^Your attachment storage is full: 6\.0 KiB of 8\.0 KiB used/);
    expect(stored(t)).toEqual(before);
    // Someone else still has room; so does alice for what fits.
    expect((await upload(t, w.bob, other.id, bytes(3 * KIB))).statusCode).toBe(201);
    expect((await upload(t, w.alice, other.id, bytes(2 * KIB))).statusCode).toBe(201);
  });

  it('members together cannot store more than the channel quota', async () => {
    const { t, w } = await setup({ attachmentQuotaPerOfficerBytes: 1024 * KIB, attachmentQuotaPerChannelBytes: 10 * KIB });
    const ch = makeChannel(t, w, w.alice, [w.bob]);
    expect((await upload(t, w.alice, ch.id, bytes(6 * KIB))).statusCode).toBe(201);
    const before = stored(t);
    const res = await upload(t, w.bob, ch.id, bytes(6 * KIB));
    expectError(res, 413, 'channel_quota_exceeded');
    expect((res.json() as { error: { message: string } }).error.message).toMatch(/^This channel's attachment storage is full/);
    expect(stored(t)).toEqual(before);
  });

  it('concurrent uploads cannot together overshoot the quota (with or without Content-Length)', async () => {
    const { t, w } = await setup({ attachmentQuotaPerOfficerBytes: 16 * KIB, attachmentQuotaPerChannelBytes: 1024 * KIB });
    const ch = makeChannel(t, w, w.alice, [w.bob]);
    const results = await Promise.all(Array.from({ length: 6 }, () => upload(t, w.alice, ch.id, bytes(5 * KIB))));
    const statuses = results.map((r) => r.statusCode).sort();
    expect(statuses).toEqual([201, 201, 201, 413, 413, 413]);
    const used = rawDb(t.app).prepare('SELECT sum(size) FROM attachments WHERE uploaded_by = ?').pluck().get(w.alice.id) as number;
    expect(used).toBe(15 * KIB);
    expect(stored(t).blobs).toHaveLength(3);
    expect(stored(t).tmp).toEqual([]);

    // A chunked body (no Content-Length), over real HTTP: cut off at the room left and refused as over quota.
    const chunked = await postChunked(await listen(t), w.alice, ch.id, Array.from({ length: 4 }, () => bytes(KIB)));
    expect(chunked.status).toBe(413);
    expect(chunked.body).toMatchObject({ error: { code: 'officer_quota_exceeded' } });
    expect(stored(t).blobs).toHaveLength(3);
    expect(stored(t).tmp).toEqual([]);
  });

  it('quotas are configurable from the environment with sensible defaults; a full disk is a clear 507', () => {
    const base = loadConfig({});
    expect(base.messaging.attachmentQuotaPerOfficerBytes).toBe(2 * 1024 ** 3);
    expect(base.messaging.attachmentQuotaPerChannelBytes).toBe(10 * 1024 ** 3);
    const set = loadConfig({ ATTACHMENT_QUOTA_PER_OFFICER_BYTES: '1048576', ATTACHMENT_QUOTA_PER_CHANNEL_BYTES: '4194304' });
    expect(set.messaging).toMatchObject({ attachmentQuotaPerOfficerBytes: 1048576, attachmentQuotaPerChannelBytes: 4194304 });
    expect(() => loadConfig({ ATTACHMENT_QUOTA_PER_OFFICER_BYTES: '-1' })).toThrow(/ATTACHMENT_QUOTA_PER_OFFICER_BYTES must be an integer/);
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    expect(mapError(enospc)).toMatchObject({ status: 507, code: 'insufficient_storage' });
  });
});
