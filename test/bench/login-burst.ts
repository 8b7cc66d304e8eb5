/**
 * Sign-in burst: 50 sign-ins per second for N seconds against a real server process on loopback,
 * measuring sign-in latency and the server's event-loop delay (reported by the server itself).
 * Run: npx tsx test/bench/login-burst.ts [--seconds 10] [--rate 50]
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Secret, TOTP } from 'otpauth';
import { parseMetric } from '../../server/health/metrics.ts';

export interface LoginBurstResult {
  login_burst_loop_p99_ms: number;
  login_burst_loop_max_ms: number;
  login_p50_ms: number;
  login_p99_ms: number;
  logins_ok: number;
  logins_failed: number;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function waitReady(url: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try {
      if ((await fetch(`${url}/health/ready`)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server did not become ready');
}

async function post(url: string, body: unknown, token?: string): Promise<{ status: number; json: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any -- bench script reads loosely typed JSON
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

export async function runLoginBurst(opts: { seconds?: number; rate?: number; port?: number } = {}): Promise<LoginBurstResult> {
  const seconds = opts.seconds ?? 10;
  const rate = opts.rate ?? 50;
  const port = opts.port ?? 18_500 + Math.floor(Math.random() * 1000);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'liaison-bench-login-'));
  const env = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: String(port),
    LOG_LEVEL: 'warn',
    LOGIN_RATE_PER_MINUTE: '100000',
    RATE_LIMIT_PER_MINUTE: '1000000',
    // The burst measures queueing latency: keep every sign-in queued instead of shed (config.limits).
    ARGON2_MAX_QUEUE: '1000000',
    MAX_CONNECTIONS_PER_IP: '1000000',
  };
  const tsx = path.resolve('node_modules/.bin/tsx');
  // Provision one officer per sign-in slot up front (each TOTP code is single-use per officer and step).
  const init = spawn(tsx, ['server/cli/liaison.ts', 'init', '--json'], { env });
  let initOut = '';
  init.stdout.on('data', (d: Buffer) => (initOut += d.toString()));
  await new Promise((r) => init.on('exit', r));
  const { enrolment } = JSON.parse(initOut) as { enrolment: { token: string } };

  const server = spawn(tsx, ['server/main.ts'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let serverOut = '';
  server.stdout.on('data', (d: Buffer) => (serverOut += d.toString()));
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitReady(base, 20_000);
    const password = 'bench passphrase long enough 1';
    const begin = await post(`${base}/api/v1/enrolment/begin`, { token: enrolment.token, password });
    const secret = begin.json.totpSecret as string;
    const totp = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' });
    const done = await post(`${base}/api/v1/enrolment/complete`, { token: enrolment.token, totp: totp.generate() });
    const adminToken = done.json.accessToken as string;
    const me = await (await fetch(`${base}/api/v1/me`, { headers: { authorization: `Bearer ${adminToken}` } })).json();
    const agencyId = me.agency.id as string;
    const total = seconds * rate;
    // A TOTP code works once per officer and 30-s step, with ±1 step of drift. Enrolling with the
    // previous step's code leaves each officer at least two sign-ins (steps c, c+1), so half as many suffice.
    const count = Math.ceil(total / 2) + 10;
    const officers: { username: string; totp: TOTP; lastStep: number }[] = [];
    const enrolOne = async (i: number) => {
      const created = await post(`${base}/api/v1/agencies/${agencyId}/officers`, { username: `bench${i}`, displayName: `Bench ${i}` }, adminToken);
      const tok = created.json.enrolment.token as string;
      const b = await post(`${base}/api/v1/enrolment/begin`, { token: tok, password });
      const t = new TOTP({ secret: Secret.fromBase32(b.json.totpSecret as string), digits: 6, period: 30, algorithm: 'SHA1' });
      const prevStep = Math.floor(Date.now() / 30_000) - 1;
      const c = await post(`${base}/api/v1/enrolment/complete`, { token: tok, totp: t.generate({ timestamp: prevStep * 30_000 }) });
      if (c.status !== 200) throw new Error(`enrol bench${i}: ${c.status}`);
      officers.push({ username: `bench${i}`, totp: t, lastStep: prevStep });
    };
    for (let i = 0; i < count; i += 4) await Promise.all([0, 1, 2, 3].filter((k) => i + k < count).map((k) => enrolOne(i + k)));
    // Scraping resets the server's event-loop histogram: the next scrape covers the burst only.
    await fetch(`${base}/metrics`);
    const latencies: number[] = [];
    let failed = 0;
    const inflight: Promise<void>[] = [];
    const start = performance.now();
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const o = officers[i % officers.length]!;
      const current = Math.floor(Date.now() / 30_000);
      const step = Math.max(o.lastStep + 1, current - 1);
      if (step > current + 1) throw new Error('login burst: ran out of fresh TOTP steps; add officers');
      o.lastStep = step;
      const t0 = performance.now();
      inflight.push(
        post(`${base}/api/v1/auth/login`, { username: o.username, password, totp: o.totp.generate({ timestamp: step * 30_000 }) }).then((r) => {
          latencies.push(performance.now() - t0);
          if (r.status !== 200) failed++;
        }),
      );
    }
    await Promise.all(inflight);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    const loop = {
      p99_ms: (parseMetric(metrics, 'liaison_event_loop_delay_seconds{quantile="0.99"}') ?? NaN) * 1000,
      max_ms: (parseMetric(metrics, 'liaison_event_loop_delay_seconds{quantile="1"}') ?? NaN) * 1000,
    };
    latencies.sort((a, b) => a - b);
    return {
      login_burst_loop_p99_ms: loop.p99_ms,
      login_burst_loop_max_ms: loop.max_ms,
      login_p50_ms: quantile(latencies, 0.5),
      login_p99_ms: quantile(latencies, 0.99),
      logins_ok: total - failed,
      logins_failed: failed,
    };
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.on('exit', r));
    fs.rmSync(dataDir, { recursive: true, force: true });
    void serverOut;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { seconds: { type: 'string' }, rate: { type: 'string' } } });
  const res = await runLoginBurst({ seconds: Number(values.seconds ?? 10), rate: Number(values.rate ?? 50) });
  console.table(res);
}
