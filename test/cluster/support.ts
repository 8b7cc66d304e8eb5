/**
 * Machinery for the cluster suite (`npm run test:cluster`): the copy of a seeded SQLite database into
 * a fresh PostgreSQL schema (the test world seeds through SQLite; `liaison migrate-store`'s copy), and
 * a small round-robin TCP balancer on loopback written with node:net.
 */
import net from 'node:net';

export { copySqliteToPostgres } from '../../server/store/pg/migrate-store.ts';

/**
 * A round-robin TCP balancer: each accepted connection goes to the next live backend (a refused one is
 * skipped). With one backend it is a proxy a test can cut (close) and restore (listen on the same port).
 */
export class Balancer {
  private readonly server: net.Server;
  private next = 0;
  private readonly open = new Set<net.Socket>();
  port = 0;

  constructor(private readonly backends: () => number[]) {
    this.server = net.createServer((downstream) => this.route(downstream));
  }

  /** Listens on `port` (default: a free one); a closed balancer listens again on its port. */
  async listen(port = 0): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const addr = this.server.address();
    this.port = typeof addr === 'object' && addr ? addr.port : 0;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private route(downstream: net.Socket): void {
    this.open.add(downstream);
    downstream.on('close', () => this.open.delete(downstream));
    downstream.on('error', () => downstream.destroy());
    downstream.pause();
    const ports = this.backends();
    const attempt = (tries: number): void => {
      if (tries >= ports.length || downstream.destroyed) {
        downstream.destroy();
        return;
      }
      const port = ports[this.next++ % ports.length]!;
      const upstream = net.connect(port, '127.0.0.1');
      let connected = false;
      upstream.once('connect', () => {
        connected = true;
        downstream.pipe(upstream);
        upstream.pipe(downstream);
        downstream.resume();
      });
      upstream.on('error', () => {
        if (!connected) attempt(tries + 1);
        else downstream.destroy();
      });
      // A dead node's connections are dropped: the client reconnects through the balancer.
      upstream.on('close', () => {
        if (connected) downstream.destroy();
      });
      downstream.on('close', () => upstream.destroy());
    };
    attempt(0);
  }

  async close(): Promise<void> {
    for (const s of this.open) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
