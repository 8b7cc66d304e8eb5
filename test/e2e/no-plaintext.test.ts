import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ReceivedMessage } from '../../client/sdk/index.ts';
import type { Receipt } from '../../shared/schemas/channels.ts';
import { openCaseChannel, twoAgencyNetwork, waitFor } from '../world/network.ts';
import { startHost } from './host.ts';
import { databaseFiles, databaseRows, filesUnder, needles, scan } from './scan.ts';
import { isPostgres } from '../world/db.ts';

const marker = () => crypto.randomBytes(18).toString('base64url'); // 24 characters

describe('no plaintext at rest or in logs', () => {
  it('the scanner finds a marker in each encoding it checks (so the real scan can fail)', () => {
    const m = marker();
    for (const n of needles(m)) expect(n.bytes.length).toBeGreaterThanOrEqual(20);
    for (const prefix of ['', 'x', 'xy']) {
      const url = Buffer.from(JSON.stringify({ a: Buffer.from(`${prefix}${m}!`).toString('base64url') }));
      const std = Buffer.from(JSON.stringify({ b: Buffer.from(`${prefix}${m}!`).toString('base64') }));
      expect(scan([{ where: 'url', bytes: url }], [m]).map((f) => f.encoding)).toContain(`base64url+${prefix.length}`);
      expect(scan([{ where: 'std', bytes: std }], [m]).map((f) => f.encoding)).toContain(`base64+${prefix.length}`);
    }
    expect(scan([{ where: 'raw', bytes: Buffer.from(`..${m}..`) }], [m])).toHaveLength(1);
    expect(scan([{ where: 'clean', bytes: crypto.randomBytes(4096) }], [m])).toEqual([]);
  });

  it('an exchange through the SDK leaves no marker in the database, WAL, blobs or debug logs', { timeout: 60_000 }, async () => {
    const logChunks: Buffer[] = [];
    const logStream = new PassThrough();
    logStream.on('data', (c: Buffer) => logChunks.push(Buffer.from(c)));
    const host = await startHost({ logStream, config: { logLevel: 'debug' } });
    const dataDir = host.t.config.dataDir;
    const M = { text: marker(), title: marker(), description: marker(), caseRef: marker(), file: marker(), fileName: marker() };
    const markers = Object.values(M);

    const net = await twoAgencyNetwork(host, { prefix: 'np-' });
    const { alice, bob } = net;
    await alice.connect();
    await bob.connect();
    const channel = await openCaseChannel(net, { title: `Operation ${M.title}`, description: `Desc ${M.description}`, caseRef: `CASE-${M.caseRef}` });

    const bobGot: ReceivedMessage[] = [];
    bob.on('message', (m) => bobGot.push(m));
    const receipts: Receipt[] = [];
    alice.on('receipt', (r) => receipts.push(r));
    const sent = await alice.send(channel.id, { kind: 'text', text: `The courier is ${M.text}, meeting at noon.` }, { handling: 'TLP:AMBER' });
    const fileBytes = new TextEncoder().encode(`manifest ${M.file}\n`.repeat(2000));
    const file = await alice.uploadAttachment(channel.id, fileBytes, { name: `${M.fileName}.txt`, mimeType: 'text/plain' });
    await alice.send(channel.id, file, { handling: 'TLP:AMBER' });
    await waitFor(() => bobGot.length >= 2, 'bob receives both messages');
    await bob.markRead(channel.id, [sent.messageId]);
    await waitFor(() => receipts.find((r) => r.kind === 'read'), 'read receipt');

    // The receiver really decrypted the markers: the scan below is looking for bytes that exist.
    const text = bobGot[0]!.payload;
    expect(text.kind === 'text' && text.text.includes(M.text)).toBe(true);
    const filePayload = bobGot[1]!.payload;
    if (filePayload.kind !== 'file') throw new Error('expected a file payload');
    expect(filePayload.name).toBe(`${M.fileName}.txt`);
    const downloaded = await bob.downloadAttachment(filePayload);
    expect(Buffer.from(downloaded).includes(Buffer.from(M.file))).toBe(true);
    const info = await bob.channel(channel.id);
    expect(info).toMatchObject({ title: `Operation ${M.title}`, description: `Desc ${M.description}`, caseRef: `CASE-${M.caseRef}` });
    for (const c of [net.alice, net.bob, net.adminA, net.adminB]) c.disconnect();

    // The server did store and log things: the scan is looking at real data.
    const blobs = filesUnder(path.join(dataDir, 'blobs'));
    expect(blobs.length).toBeGreaterThanOrEqual(1);
    expect(blobs.reduce((n, b) => n + b.bytes.length, 0)).toBeGreaterThan(fileBytes.length);
    expect(Buffer.concat(logChunks).toString('utf8')).toContain(`/api/v1/channels/${channel.id}/attachments`);

    // While running: the WAL holds the recent pages (closing checkpoints and removes it).
    // On PostgreSQL (test matrix) the rows are in the app's schema, not in DATA_DIR: every table is scanned instead.
    const running = [...databaseFiles(dataDir), ...databaseRows(host.app), ...blobs, { where: 'logs', bytes: Buffer.concat(logChunks) }];
    if (isPostgres) {
      expect(running.map((s) => s.where)).toContain('postgres:messages');
    } else {
      expect(running.map((s) => path.basename(s.where))).toContain('liaison.db-wal');
      expect(fs.statSync(path.join(dataDir, 'liaison.db-wal')).size).toBeGreaterThan(0);
    }
    expect(scan(running, markers)).toEqual([]);

    await host.app.close();
    const closed = [...databaseFiles(dataDir), ...databaseRows(host.app), ...filesUnder(path.join(dataDir, 'blobs')), ...filesUnder(path.join(dataDir, 'secrets')), { where: 'logs', bytes: Buffer.concat(logChunks) }];
    expect(closed.map((s) => (isPostgres ? s.where : path.basename(s.where)))).toContain(isPostgres ? 'postgres:messages' : 'liaison.db');
    expect(scan(closed, markers)).toEqual([]);
  });
});
