import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { getSodium, toHex } from '../../shared/crypto/index.ts';
import { defaultConfig } from '../../server/config.ts';
import { bearer, expectError, makeApp, type TestApp } from '../world/app.ts';
import { listen, makeChannel, makeWorld, postMessage, sendBody, sleep, type Person } from '../world/messaging.ts';
import { rawDb } from '../world/db.ts';
import { uploadsInProgress } from '../world/blobs.ts';

const MAX = 64 * 1024;
const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;

async function setup() {
  const t = await makeApp({ config: { messaging: { ...defaultConfig().messaging, attachmentMaxBytes: MAX, retentionSweepMs: 0 } } });
  const w = await makeWorld(t);
  return { t, w };
}

function upload(t: TestApp, who: Person, channelId: string, body: Buffer, contentType = 'application/octet-stream') {
  return t.app.inject({ method: 'POST', url: `/api/v1/channels/${channelId}/attachments`, headers: { ...bearer(who.tokens), 'content-type': contentType }, payload: body });
}

const blobDir = (t: TestApp) => path.join(t.config.dataDir, 'blobs');
const tmpFiles = (t: TestApp) => uploadsInProgress(t.config.dataDir);
const count = (t: TestApp, sql: string) => rawDb(t.app).prepare(sql).pluck().get() as number;

describe('attachments', () => {
  it('uploads by streaming, addresses by BLAKE2b-256, downloads for members only', async () => {
    const { t, w } = await setup();
    const ch = makeChannel(t, w, w.alice, [w.bob]);
    const blob = Buffer.from(getSodium().randombytes_buf(40_000));
    const id = toHex(getSodium().crypto_generichash(32, blob, null));
    const up = await upload(t, w.alice, ch.id, blob);
    expect(up.statusCode).toBe(201);
    expect(up.json()).toEqual({ attachmentId: id, size: blob.length, channelId: ch.id });
    expect((await upload(t, w.alice, ch.id, blob)).statusCode).toBe(200);
    expect(fs.readFileSync(path.join(blobDir(t), id))).toEqual(blob);
    const get = (who: Person) => t.app.inject({ method: 'GET', url: `/api/v1/attachments/${id}`, headers: bearer(who.tokens) });
    // Before a message references it: only the uploader.
    expect((await get(w.alice)).rawPayload).toEqual(blob);
    expectError(await get(w.bob), 404, 'not_found');
    expect((await postMessage(t, ch, w.alice, sendBody(ch, w.alice, { attachmentIds: [id] }))).statusCode).toBe(201);
    const asBob = await get(w.bob);
    expect(asBob.statusCode).toBe(200);
    expect(asBob.headers['content-type']).toBe('application/octet-stream');
    expect(asBob.rawPayload).toEqual(blob);
    expectError(await get(w.carol), 404, 'not_found');
    expectError(await upload(t, w.carol, ch.id, blob), 404, 'not_found');
    expectError(await t.app.inject({ method: 'GET', url: `/api/v1/attachments/${'0'.repeat(64)}`, headers: bearer(w.bob.tokens) }), 404, 'not_found');
    expectError(await t.app.inject({ method: 'GET', url: '/api/v1/attachments/..%2F..%2Fliaison.db', headers: bearer(w.bob.tokens) }), 400, 'validation_failed');
    // An attachment of another channel cannot be attached here.
    const other = makeChannel(t, w, w.alice, [w.carol]);
    expectError(await postMessage(t, other, w.alice, sendBody(other, w.alice, { attachmentIds: [id] })), 400, 'unknown_attachment');
  });

  it('oversized uploads get 413 and leave nothing behind', async () => {
    const { t, w } = await setup();
    const ch = makeChannel(t, w, w.alice, [w.bob]);
    expectError(await upload(t, w.alice, ch.id, Buffer.alloc(MAX + 1)), 413, 'payload_too_large');
    expectError(await upload(t, w.alice, ch.id, Buffer.from('{}'), 'application/json'), 415, 'unsupported_media_type');
    // Chunked, without Content-Length: the stream count stops it.
    const url = await listen(t);
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${url}/api/v1/channels/${ch.id}/attachments`, { method: 'POST', headers: { ...bearer(w.alice.tokens), 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 10; i++) req.write(Buffer.alloc(16 * 1024));
      req.end();
    });
    expect(status).toBe(413);
    await sleep(50);
    expect(tmpFiles(t)).toEqual([]);
    expect(fs.readdirSync(blobDir(t)).filter((f) => f !== 'tmp')).toEqual([]);
    expect(count(t, 'SELECT COUNT(*) FROM attachments')).toBe(0);
  });

  it('an upload aborted mid-stream leaves no file and no row', async () => {
    const { t, w } = await setup();
    const ch = makeChannel(t, w, w.alice, [w.bob]);
    const url = await listen(t);
    const req = http.request(`${url}/api/v1/channels/${ch.id}/attachments`, {
      method: 'POST',
      headers: { ...bearer(w.alice.tokens), 'content-type': 'application/octet-stream', 'content-length': String(MAX) },
    });
    req.on('error', () => undefined);
    req.write(Buffer.alloc(8 * 1024));
    // The upload's temporary file appears once the server has the first bytes (later on a loaded machine).
    for (let i = 0; i < 200 && tmpFiles(t).length === 0; i++) await sleep(25);
    expect(tmpFiles(t)).toHaveLength(1);
    req.destroy();
    for (let i = 0; i < 40 && tmpFiles(t).length > 0; i++) await sleep(25);
    expect(tmpFiles(t)).toEqual([]);
    expect(count(t, 'SELECT COUNT(*) FROM attachments')).toBe(0);
  });
});

describe('retention', () => {
  it('deletes expired messages, their feed rows, receipts and blobs; legal hold keeps them; audited', async () => {
    const { t, w } = await setup();
    const ch = makeChannel(t, w, w.alice, [w.bob], { retentionDays: 1 });
    const held = makeChannel(t, w, w.alice, [w.bob], { retentionDays: 1, legalHold: true });
    const blob = Buffer.from(getSodium().randombytes_buf(1000));
    const id = (await upload(t, w.alice, ch.id, blob)).json().attachmentId as string;
    await postMessage(t, ch, w.alice, sendBody(ch, w.alice, { messageId: 'old', attachmentIds: [id] }));
    await postMessage(t, held, w.alice, sendBody(held, w.alice, { messageId: 'held' }));
    await t.app.inject({ method: 'POST', url: `/api/v1/channels/${ch.id}/receipts`, headers: bearer(w.bob.tokens), payload: { kind: 'read', messageIds: ['old'] } });
    // Sessions idle out after 30 min: from here on the services are called directly.
    t.clock.advance(11 * HOUR);
    const alice = { officerId: w.alice.id, agencyId: w.alice.agencyId, role: 'officer' as const, sessionId: 's', ip: null };
    await t.app.ctx.messages.sendMessage(alice, ch.id, sendBody(ch, w.alice, { messageId: 'young' }));
    expect(await t.app.ctx.messages.sweepExpired(t.clock.now())).toEqual({ messages: 0, receipts: 0, attachments: 0 });
    t.clock.advance(13 * HOUR + 1);
    expect(await t.app.ctx.messages.sweepExpired(t.clock.now())).toEqual({ messages: 1, receipts: 1, attachments: 1 });
    const ids = rawDb(t.app).prepare('SELECT id FROM messages ORDER BY id').pluck().all();
    expect(ids).toEqual(['held', 'young']);
    expect(count(t, "SELECT COUNT(*) FROM feed WHERE kind IN ('message', 'receipt')")).toBe(2);
    expect(fs.existsSync(path.join(blobDir(t), id))).toBe(false);
    const bob = { officerId: w.bob.id, agencyId: w.bob.agencyId, role: 'officer' as const, sessionId: 's', ip: null };
    await expect(t.app.ctx.attachments.open(bob, id)).rejects.toThrow(/not found/);
    const audit = rawDb(t.app).prepare("SELECT details FROM audit_events WHERE action = 'messages.retention_sweep'").pluck().all() as string[];
    expect(audit.map((d) => JSON.parse(d))).toEqual([{ messages: 1, receipts: 1, attachments: 1 }]);
    // Sync no longer offers the deleted message.
    const msgIds = (await t.app.ctx.messages.sync(bob)).items.filter((i) => i.kind === 'message').map((i) => (i.data as { messageId: string }).messageId);
    expect(msgIds).toEqual(['held', 'young']);
  });

  it('drops uploads never referenced after a day', async () => {
    const { t, w } = await setup();
    const ch = makeChannel(t, w, w.alice, [w.bob]);
    const id = (await upload(t, w.alice, ch.id, Buffer.from('orphan-bytes'))).json().attachmentId as string;
    expect((await t.app.ctx.messages.sweepExpired(t.clock.now())).attachments).toBe(0);
    t.clock.advance(DAY + 1);
    expect((await t.app.ctx.messages.sweepExpired(t.clock.now())).attachments).toBe(1);
    expect(fs.existsSync(path.join(blobDir(t), id))).toBe(false);
  });
});
