import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { makeApp } from '../world/app.ts';

describe('closing the server', () => {
  it('does not wait for the keep-alive connection of a request that was being answered when closing began', async () => {
    const t = await makeApp({ keepOpen: true });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as AddressInfo;
    const agent = new http.Agent({ keepAlive: true });
    try {
      const body = JSON.stringify({ username: 'nobody', password: 'not the password', totp: '123456' });
      let status = 0;
      let connectionHeader: string | undefined;
      const answered = new Promise<void>((resolve, reject) => {
        const req = http.request(
          { host: '127.0.0.1', port, method: 'POST', path: '/api/v1/auth/login', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
          (res) => {
            status = res.statusCode ?? 0;
            connectionHeader = res.headers.connection;
            res.resume();
            res.on('end', resolve);
          },
        );
        req.on('error', reject);
        // Half the body now: the request is in flight (routed, reading its body) when closing begins.
        req.write(body.slice(0, 10));
        setTimeout(() => req.end(body.slice(10)), 300);
      });
      await new Promise((r) => setTimeout(r, 100));
      const started = Date.now();
      const closed = t.app.close();
      await answered;
      // Answered normally (wrong credentials), on a keep-alive connection the client keeps.
      expect(status).toBe(401);
      expect(connectionHeader).toBe('keep-alive');
      await closed;
      // Without closing that connection once answered, the close waited for the idle timeout (a minute).
      expect(Date.now() - started).toBeLessThan(t.config.limits.idleTimeoutMs / 4);
    } finally {
      agent.destroy();
    }
  });
});
