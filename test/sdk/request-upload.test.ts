/**
 * The SDK's public `request()` (the app's administration calls) and attachment uploads without a
 * streamed body: one `Uint8Array` body in Node without progress, XHR with upload progress where
 * `XMLHttpRequest` exists (a browser; simulated here over fetch), streamed in Node with progress.
 */
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { LiaisonApiError, LiaisonClient, LiaisonClientError, MemoryStore } from '../../client/sdk/index.ts';
import { makeApp, provision, totpCode, type Enrolled, type TestApp } from '../world/app.ts';

const PASSPHRASE = 'liaison request passphrase 2026';

async function signIn(t: TestApp, baseUrl: string, who: Enrolled, fetchFn?: typeof fetch): Promise<LiaisonClient> {
  const client = new LiaisonClient({ baseUrl, store: new MemoryStore(), now: () => t.clock.now(), ...(fetchFn ? { fetch: fetchFn } : {}) });
  await client.login({ username: who.username, password: who.password, totp: totpCode(who.totpSecret, t.clock.now()), deviceLabel: 'request' });
  t.clock.advance(30_000);
  return client;
}

/** Just enough of XMLHttpRequest (over fetch) to stand for a browser's, with upload progress in 4 steps. */
class FakeXhr {
  static sent: unknown[] = [];
  status = 0;
  statusText = '';
  response: ArrayBuffer | null = null;
  responseType = '';
  upload: { onprogress: ((e: { loaded: number; total: number; lengthComputable: boolean }) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  private method = 'GET';
  private url = '';
  private headers: Record<string, string> = {};
  private resHeaders = '';
  open(method: string, url: string): void {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(k: string, v: string): void {
    this.headers[k] = v;
  }
  getAllResponseHeaders(): string {
    return this.resHeaders;
  }
  send(body: Uint8Array): void {
    FakeXhr.sent.push(body);
    const total = body.length;
    for (let i = 1; i <= 4; i++) this.upload.onprogress?.({ loaded: Math.floor((total * i) / 4), total, lengthComputable: true });
    void fetch(this.url, { method: this.method, headers: this.headers, body: body as BodyInit }).then(
      async (res) => {
        this.status = res.status;
        this.statusText = res.statusText;
        const lines: string[] = [];
        res.headers.forEach((v, k) => lines.push(`${k}: ${v}`));
        this.resHeaders = lines.join('\r\n');
        this.response = await res.arrayBuffer();
        this.onload?.();
      },
      () => this.onerror?.(),
    );
  }
}

describe('SDK request() and non-streamed uploads', () => {
  // One test: the helpers remove the app's data directory after each test.
  it('request() calls the API with the session and refuses paths outside it; uploads without a streamed body', { timeout: 60_000 }, async () => {
    const t = await makeApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    const net = await provision(t, { prefix: 'r-' });
    const admin = await signIn(t, baseUrl, net.agencyAdmin);
    const alice = await signIn(t, baseUrl, net.officer);
    await admin.createIdentity(PASSPHRASE);
    await alice.createIdentity(PASSPHRASE);
    await admin.certifyPending();
    const channelId = (await alice.createChannel({ kind: 'case', title: 'Uploads', members: [] })).id;

    // The untyped escape hatch answers `unknown`; the typed form is call(api.…).
    const { sessions } = (await alice.request('GET', '/sessions')) as { sessions: { id: string }[] };
    expect(sessions.length).toBeGreaterThan(0);
    const { agencies } = (await alice.request('GET', '/agencies', { query: { includeSuspended: undefined } })) as { agencies: { id: string }[] };
    expect(agencies.map((a) => a.id)).toContain(net.agency.id);
    await expect(alice.request('GET', '/agencies/00000000-0000-4000-8000-000000000000')).rejects.toBeInstanceOf(LiaisonApiError);
    for (const bad of ['sessions', '/../health', '/%2E%2e/health', '/sessions?x=1', 'https://evil.example/x']) {
      await expect(alice.request('GET', bad)).rejects.toBeInstanceOf(LiaisonClientError);
    }

    // A Uint8Array body without progress (Node), and XHR with upload progress where XMLHttpRequest exists.
    const bytes = new Uint8Array(300_000).map((_, i) => i % 251);
    const plain = await alice.uploadAttachment(channelId, bytes, { name: 'a.bin' });
    expect(plain.size).toBe(bytes.length);

    const g = globalThis as { XMLHttpRequest?: unknown };
    g.XMLHttpRequest = FakeXhr;
    try {
      const progress: [number, number][] = [];
      const viaXhr = await alice.uploadAttachment(channelId, bytes, { name: 'b.bin', onProgress: (l, total) => progress.push([l, total]) });
      expect(FakeXhr.sent).toHaveLength(1);
      expect(FakeXhr.sent[0]).toBeInstanceOf(Uint8Array);
      const total = progress[0]![1];
      expect(progress[0]).toEqual([0, total]);
      expect(progress.some(([l]) => l > 0 && l < total)).toBe(true);
      expect(progress.at(-1)).toEqual([total, total]);
      expect(await alice.downloadAttachment(viaXhr)).toEqual(bytes);
    } finally {
      delete g.XMLHttpRequest;
    }
  });
});
