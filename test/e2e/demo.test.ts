import crypto from 'node:crypto';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { NetworkError } from '../../client/sdk/index.ts';
import { ManualClock } from '../../server/clock.ts';
import { makeApp, storeEnv, tempDir } from '../world/app.ts';
import { listen, signIn } from '../world/network.ts';
import { isPostgres } from '../world/db.ts';
import { databaseFiles, filesUnder, scan } from './scan.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function runDemo(dataDir: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'scripts/demo.ts', ...args], { cwd: REPO_ROOT, env: { ...process.env, DATA_DIR: dataDir, ...storeEnv(dataDir), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 170_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('npm run demo', () => {
  it('--once seeds, plays the scripted exchange, prints the summary; the marker never reaches the disk; refuses to reseed; a demo officer signing in finds the seeded conversation and decrypts it', { timeout: 240_000 }, async () => {
    const dataDir = tempDir('liaison-demo-');
    const marker = crypto.randomBytes(18).toString('base64url');
    const run = await runDemo(dataDir, ['--once'], { DEMO_MARKER: marker });
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    const summary = JSON.parse(lines.at(-1)!) as Record<string, unknown>;
    expect(summary).toMatchObject({ ok: true, channelId: expect.any(String), messages: 2, attachmentBytes: expect.any(Number), markerSent: true });
    expect(summary.attachmentBytes as number).toBeGreaterThan(marker.length);
    expect(summary.receipts).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'read' })]));
    // Sign-in instructions: usernames, passwords, TOTP secrets and otpauth URIs, how to start.
    for (const s of ['ana.silva', 'javier.moreno', 'rui.costa', 'marta.lopes', 'desk: NCB Lisbon 24/7 drug-crime desk (rota: ', 'TOTP secret: ', 'otpauth://totp/Liaison:ana.silva', `DATA_DIR=${dataDir} npm start`]) expect(run.stdout).toContain(s);
    // The marker was sent, but only ciphertext reached the data directory.
    expect(run.stdout).not.toContain(marker);
    const files = [...databaseFiles(dataDir), ...filesUnder(path.join(dataDir, 'blobs'))];
    // On PostgreSQL (test matrix) the database is not in DATA_DIR: only the blobs are scanned here.
    if (!isPostgres) expect(files.map((f) => path.basename(f.where))).toContain('liaison.db');
    expect(files.length).toBeGreaterThanOrEqual(isPostgres ? 1 : 2); // the database and at least one blob
    expect(scan(files, [marker])).toEqual([]);

    // A demo officer signing in (credentials as printed) sees the case channel and decrypts its conversation:
    // a request, its answer, a file, and the TLP:RED warning she acknowledged.
    const printed = (label: string) => new RegExp(`username: ana\\.silva\\n\\s+password: (.+)\\n\\s+TOTP secret: (\\S+)`).exec(run.stdout)?.[label === 'password' ? 1 : 2];
    const passphrase = /Identity passphrase \([^)]*\): (.+)$/m.exec(run.stdout)?.[1];
    expect(printed('password') && printed('totp') && passphrase).toBeTruthy();
    const t = await makeApp({ config: { dataDir }, clock: new ManualClock(Date.now()) });
    const host = { app: t.app, clock: t.clock, baseUrl: await listen(t.app) };
    const ana = await signIn(host, { id: '', agencyId: '', username: 'ana.silva', displayName: 'Ana Silva', password: printed('password')!, totpSecret: printed('totp')!, accessToken: '' });
    try {
      // A connection reset on this loaded loopback (seen on main too) is retried, as a client would.
      for (let attempt = 1; ; attempt++) {
        try {
          await ana.unlock(passphrase!);
          break;
        } catch (err) {
          if (!(err instanceof NetworkError) || attempt === 3) throw err;
        }
      }
      await ana.sync(); // this new device fetches the channel keys sealed to it
      const channel = await ana.channel(summary.channelId as string);
      expect(channel).toMatchObject({ kind: 'case', title: 'Operation Atlantic Precursor', caseRef: 'PJ-2026-0042' });
      const history = await ana.history(channel!.id);
      const kinds = history.map((m) => m.payload.kind);
      expect(kinds.slice(0, 5)).toEqual(['request', 'request-answer', 'file', 'text', 'text']);
      const answer = history[1]!.payload;
      expect(answer.kind === 'request-answer' && answer.text).toContain('Transportes Meridiano SL');
      const warning = history[4]!;
      expect(warning).toMatchObject({ handling: 'TLP:RED', ackRequired: true, acknowledgedByMe: true });
      expect(warning.payload.kind === 'text' && warning.payload.text).toMatch(/registered informant/);
      // Ciphertext only on the server: the seeded answer's words are in no table or blob.
      expect(scan([...databaseFiles(dataDir), ...filesUnder(path.join(dataDir, 'blobs'))], ['Transportes Meridiano', 'registered informant'])).toEqual([]);
    } finally {
      ana.disconnect();
      await t.app.close();
    }

    // A second run on the same directory is refused without --force.
    const again = await runDemo(dataDir, []);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already contains a database');
  });
});
